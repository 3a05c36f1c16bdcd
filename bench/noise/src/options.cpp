#include "options.hpp"

#include <mk/cpulist.hpp>
#include <mk/size.hpp>
#include <mk/version.h>

#include <boost/program_options.hpp>
#include <iostream>
#include <sched.h>
#include <sstream>

namespace mk::noise {
namespace {

namespace po = boost::program_options;

const char* synopsis =
    "mk-noise --cpus LIST [--bench fwq,ftq,selfish] [--out DIR] [--json] [OPTIONS]";

const char* description =
    "Measure OS noise on the given CPUs, one pinned thread per CPU, all running\n"
    "the same benchmark at the same time:\n"
    "  fwq      fixed work quantum: the TSC cycles of each of N equal pieces of\n"
    "           work; anything above the fastest piece is noise\n"
    "  ftq      fixed time quantum: the work done in each window of fixed length,\n"
    "           windows at fixed times; work missing against the best window is noise\n"
    "  selfish  selfish detour: back-to-back TSC reads; a gap above a threshold\n"
    "           (percent of the minimum loop) is a detour\n"
    "Prints the method and a summary per CPU (--json: JSON instead); --out DIR\n"
    "also writes the raw samples (<bench>-cpu<N>.csv) and summary.csv there.";

template <typename T> T positive(const po::variables_map& vm, const char* name)
{
    T v = vm[name].as<T>();
    if (!(v > 0))
        throw UsageError(std::string("--") + name + " must be greater than 0");
    return v;
}

void select_benchmarks(Options& o, const std::string& list)
{
    o.fwq = o.ftq = o.selfish = false;
    std::istringstream in(list);
    std::string name;
    while (std::getline(in, name, ',')) {
        if (name == "fwq")
            o.fwq = true;
        else if (name == "ftq")
            o.ftq = true;
        else if (name == "selfish")
            o.selfish = true;
        else
            throw UsageError("unknown benchmark '" + name + "' in --bench: fwq, ftq or selfish");
    }
    if (!o.fwq && !o.ftq && !o.selfish)
        throw UsageError("--bench names no benchmark");
}

} // namespace

std::optional<Options> parse_options(int argc, char** argv)
{
    Options o;
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("cpus", po::value<std::string>(), "CPUs to measure, one thread each (e.g. 2-3)")
        ("bench", po::value<std::string>()->default_value("fwq,ftq,selfish"),
         "benchmarks to run, in this order")
        ("out", po::value<std::string>(), "directory for raw CSVs and summary.csv (created)")
        ("json", "print the summary as JSON instead of a table")
        ("work", po::value<std::string>()->default_value("register"),
         "work loop: register (add + 3 nop) or memory (also one cache line per iteration)")
        ("wss", po::value<std::string>()->default_value("256K"),
         "working set per thread for --work memory (e.g. 32K, 8M)")
        ("fwq-samples", po::value<uint64_t>()->default_value(o.fwq_samples), "FWQ samples")
        ("fwq-work", po::value<unsigned>()->default_value(o.fwq_work_log2),
         "FWQ work per sample: 2^W iterations")
        ("ftq-window-us", po::value<double>()->default_value(o.ftq_window_us),
         "FTQ window length in microseconds")
        ("ftq-windows", po::value<uint64_t>()->default_value(o.ftq_windows),
         "FTQ windows (at most 2^19)")
        ("ftq-unit", po::value<unsigned>()->default_value(o.ftq_unit_log2),
         "FTQ work unit: 2^U iterations")
        ("selfish-seconds", po::value<double>()->default_value(o.selfish_seconds),
         "selfish detour run length in seconds")
        ("threshold", po::value<double>()->default_value(o.selfish_threshold_pct),
         "selfish detour threshold in percent of the minimum loop time")
        ("selfish-floor-us", po::value<double>()->default_value(o.selfish_floor_us),
         "selfish: a detour must also be longer than this (0: the threshold alone)")
        ("max-detours", po::value<uint64_t>()->default_value(o.max_detours),
         "selfish detours kept per CPU for the CSV (all are counted)")
        ("detour-us", po::value<double>()->default_value(o.detour_us),
         "FWQ/FTQ: a sample or window that lost more than this many microseconds "
         "counts as a detour")
        ("tsc-khz", po::value<double>(), "TSC frequency; default: calibrate against CLOCK_MONOTONIC")
        ("version", "print the version")
        ("help,h", "show this help");
    // clang-format on
    po::variables_map vm;
    try {
        auto style =
            po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
        po::store(po::command_line_parser(argc, argv).options(opts).style(style).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(std::string(e.what()) + " (see 'mk-noise --help')");
    }
    if (vm.count("help")) {
        std::cout << "usage: " << synopsis << "\n\n" << description << "\n\n" << opts;
        return std::nullopt;
    }
    if (vm.count("version")) {
        std::cout << "mk-noise (mk) " << MK_VERSION_STRING << "\n";
        return std::nullopt;
    }
    if (!vm.count("cpus"))
        throw UsageError("--cpus LIST is required (see 'mk-noise --help')");
    try {
        o.cpus = mk::parse_cpulist(vm["cpus"].as<std::string>(), CPU_SETSIZE);
        o.working_set = mk::parse_size(vm["wss"].as<std::string>());
    } catch (const mk::Error& e) {
        throw UsageError(e.what());
    }
    select_benchmarks(o, vm["bench"].as<std::string>());
    if (vm.count("out"))
        o.out_dir = vm["out"].as<std::string>();
    o.json = vm.count("json");
    std::string work = vm["work"].as<std::string>();
    if (work == "register")
        o.work = WorkKind::registers;
    else if (work == "memory")
        o.work = WorkKind::memory;
    else
        throw UsageError("unknown --work '" + work + "': register or memory");
    o.fwq_samples = positive<uint64_t>(vm, "fwq-samples");
    o.fwq_work_log2 = vm["fwq-work"].as<unsigned>();
    if (o.fwq_work_log2 > 40)
        throw UsageError("--fwq-work is a power of two: at most 40");
    o.ftq_window_us = positive<double>(vm, "ftq-window-us");
    o.ftq_windows = positive<uint64_t>(vm, "ftq-windows");
    if (o.ftq_windows > (1u << 19))
        throw UsageError("--ftq-windows: at most 2^19 (524288)");
    o.ftq_unit_log2 = vm["ftq-unit"].as<unsigned>();
    if (o.ftq_unit_log2 > 30)
        throw UsageError("--ftq-unit is a power of two: at most 30");
    o.selfish_seconds = positive<double>(vm, "selfish-seconds");
    o.selfish_threshold_pct = positive<double>(vm, "threshold");
    if (o.selfish_threshold_pct <= 100)
        throw UsageError("--threshold is in percent of the minimum loop: more than 100");
    o.selfish_floor_us = vm["selfish-floor-us"].as<double>();
    if (o.selfish_floor_us < 0)
        throw UsageError("--selfish-floor-us cannot be negative");
    o.max_detours = vm["max-detours"].as<uint64_t>();
    o.detour_us = positive<double>(vm, "detour-us");
    if (vm.count("tsc-khz"))
        o.tsc_khz = positive<double>(vm, "tsc-khz");
    return o;
}

} // namespace mk::noise
