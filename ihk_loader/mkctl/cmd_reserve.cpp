// mkctl reserve: take CPUs and memory from Linux for mk.
#include "commands.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "status_view.hpp"

#include <mk/cpu_snapshot.hpp>
#include <mk/device.hpp>
#include <mk/proc.h>
#include <mk/memspec.hpp>
#include <mk/topology.hpp>

#include <iostream>

namespace mkctl {

namespace {

const char* description =
    "Take CPUs and/or memory away from Linux and hold them for the LWK. All or\n"
    "nothing: if any part is refused, what this call took is given back.\n"
    "\n"
    "CPUs: a list such as 2-5,8 (CPU 0 is never given), or auto:N[:compact|spread]\n"
    "  to let mkctl choose N whole cores (all their hardware threads), keeping the\n"
    "  first core of every NUMA node for Linux; compact (default) uses as few\n"
    "  NUMA nodes as possible, spread goes round-robin over them.\n"
    "Memory: SIZE[@NODE][,SIZE@NODE...] with sizes such as 512M, 4G or 'all'\n"
    "  (all a node can spare); no @ spreads evenly over the NUMA nodes, @auto\n"
    "  places it on the nodes of mk's CPUs. Memory comes as physically contiguous\n"
    "  2 MiB-aligned chunks, zeroed; each node keeps a margin for Linux.";

} // namespace

CpuList resolve_cpus(const std::string& spec)
{
    if (spec.rfind("auto:", 0) == 0) {
        mk::AutoCpus a = mk::parse_auto_cpus(spec);
        return mk::choose_cores(mk::system_topology(), a.cores, a.placement);
    }
    return mk::parse_cpulist(spec, MK_MAX_CPUS);
}

void reserve_cpus(mk::Device& dev, const CpuList& cpus)
{
    std::string failed =
        mk::snapshot_cpu_topology(cpus, "/sys/devices/system/cpu", MK_CPU_SNAPSHOT_DIR);
    if (!failed.empty())
        std::cerr << "mkctl: warning: the topology of the CPUs was not copied for LWK programs ("
                  << failed << "); hwloc will not see their cores\n";
    try {
        dev.reserve_cpus(cpus);
    } catch (...) {
        mk::forget_online_cpus("/sys/devices/system/cpu", MK_CPU_SNAPSHOT_DIR);
        throw;
    }
}

int cmd_reserve(const Args& args)
{
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("cpus", po::value<std::string>(), "CPUs: LIST or auto:N[:compact|spread]")
        ("mem", po::value<std::string>(), "memory: SIZE[@NODE|@auto][,SIZE@NODE...]")
        ("policy", po::value<std::string>()->default_value("contig"),
         "how to find contiguous memory: contig or buddy")
        ("json", "print the resulting status as JSON");
    // clang-format on
    auto vm = parse_options(args, "reserve",
        "mkctl reserve [--cpus LIST|auto:N] [--mem SIZE[@NODE],...] [--json]", description, opts);
    if (!vm)
        return 0;
    if (!vm->count("cpus") && !vm->count("mem"))
        throw UsageError(
            "nothing to reserve: give --cpus and/or --mem (see 'mkctl reserve --help')");

    // Everything is parsed before anything changes.
    std::string policy_name = (*vm)["policy"].as<std::string>();
    mk_mem_policy policy;
    if (policy_name == "contig")
        policy = MK_MEM_CONTIG;
    else if (policy_name == "buddy")
        policy = MK_MEM_BUDDY;
    else
        throw UsageError("unknown --policy '" + policy_name + "': contig or buddy");
    std::vector<mk::MemWant> mem;
    if (vm->count("mem"))
        mem = mk::parse_mem_spec((*vm)["mem"].as<std::string>());
    mk::Device dev;
    dev.version();
    CpuList cpus;
    if (vm->count("cpus"))
        cpus = resolve_cpus((*vm)["cpus"].as<std::string>());

    if (!cpus.empty())
        reserve_cpus(dev, cpus);
    if (!mem.empty()) {
        try {
            with_progress("reserving memory", [&] { dev.reserve_mem(mem, policy); });
        } catch (...) {
            if (!cpus.empty()) {
                dev.release_cpus(cpus);
                mk::forget_online_cpus("/sys/devices/system/cpu", MK_CPU_SNAPSHOT_DIR);
            }
            throw;
        }
    }

    mk::Status s = dev.status();
    if (vm->count("json"))
        print_status_json(std::cout, s);
    else
        print_status(std::cout, s);
    return 0;
}

} // namespace mkctl
