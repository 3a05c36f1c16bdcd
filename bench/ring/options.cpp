#include "options.hpp"

#include <mk/cpulist.hpp>
#include <mk/error.hpp>

#include <boost/program_options.hpp>

#include <iostream>

namespace po = boost::program_options;

namespace ringbench {

std::optional<Options> parse_options(int argc, char** argv)
{
    Options o;
    std::string cpus;
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("cpus", po::value(&cpus), "the two CPUs to run on, e.g. 2,5 (default: two cores of one NUMA node, chosen with hwloc)")
        ("rounds", po::value(&o.rounds)->default_value(o.rounds), "rounds; each runs every method once")
        ("samples", po::value(&o.samples)->default_value(o.samples), "timed blocks per latency method per round")
        ("block", po::value(&o.block)->default_value(o.block), "round trips per timed block")
        ("warmup", po::value(&o.warmup)->default_value(o.warmup), "round trips before the timed ones")
        ("eventfd-samples", po::value(&o.eventfd_samples)->default_value(o.eventfd_samples), "timed blocks for eventfd")
        ("messages", po::value(&o.messages)->default_value(o.messages), "messages per streaming run")
        ("batch", po::value(&o.batch)->default_value(o.batch), "messages per flush (per bulk push) in the batched runs")
        ("csv", po::value(&o.csv_dir), "write raw samples and summaries as CSV to this directory")
        ("help,h", "show this help");
    // clang-format on
    po::variables_map vm;
    try {
        auto style =
            po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
        po::store(po::command_line_parser(argc, argv).options(opts).style(style).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw mk::Error(std::string(e.what()) + " (see 'mk-ring-bench --help')");
    }
    if (vm.count("help")) {
        std::cout << "usage: mk-ring-bench [options]\n\n"
                     "One-way latency and throughput of the mk ring between two cores, side by\n"
                     "side with the cache-line floor, Boost.Lockfree spsc_queue and eventfd.\n\n"
                  << opts;
        return std::nullopt;
    }
    if (!cpus.empty()) {
        o.cpus = mk::parse_cpulist(cpus);
        if (o.cpus.size() != 2)
            throw mk::Error("--cpus needs exactly two CPUs, e.g. --cpus 2,5");
    }
    if (o.rounds == 0 || o.samples == 0 || o.block == 0 || o.eventfd_samples == 0 ||
        o.messages == 0)
        throw mk::Error(
            "--rounds, --samples, --block, --eventfd-samples and --messages must be > 0");
    if (o.batch < 2 || o.batch > 64)
        throw mk::Error("--batch must be between 2 and 64 (the ring's depth)");
    return o;
}

} // namespace ringbench
