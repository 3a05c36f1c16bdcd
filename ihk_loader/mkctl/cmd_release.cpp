// mkctl release: give CPUs and memory back to Linux.
#include "commands.hpp"
#include "options.hpp"
#include "status_view.hpp"

#include <mk/cpu_snapshot.hpp>
#include <mk/device.hpp>
#include <mk/proc.h>

#include <iostream>

namespace mkctl {

int cmd_release(const Args& args)
{
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("cpus", po::value<std::string>(), "give back these CPUs (a list such as 2-3)")
        ("mem", "give back all of mk's memory")
        ("json", "print the resulting status as JSON");
    // clang-format on
    auto vm = parse_options(args, "release", "mkctl release [--cpus LIST] [--mem] [--json]",
        "Give CPUs and memory that mk holds back to Linux. Without\n"
        "--cpus or --mem, everything mk holds is given back.",
        opts);
    if (!vm)
        return 0;
    bool all = !vm->count("cpus") && !vm->count("mem");
    CpuList cpus;
    if (vm->count("cpus"))
        cpus = mk::parse_cpulist((*vm)["cpus"].as<std::string>(), MK_MAX_CPUS);

    mk::Device dev;
    mk::Status before = dev.status();
    if (vm->count("cpus") || (all && !before.cpus.empty())) {
        dev.release_cpus(cpus);
        mk::forget_online_cpus("/sys/devices/system/cpu", MK_CPU_SNAPSHOT_DIR);
    }
    if (vm->count("mem") || all)
        dev.release_mem();

    mk::Status s = dev.status();
    if (vm->count("json"))
        print_status_json(std::cout, s);
    else
        print_status(std::cout, s);
    return 0;
}

} // namespace mkctl
