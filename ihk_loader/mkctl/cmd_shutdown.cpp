// mkctl shutdown: stop the LWK and give its CPUs and memory back.
#include "commands.hpp"
#include "options.hpp"

#include <mk/cpu_snapshot.hpp>
#include <mk/device.hpp>
#include <mk/proc.h>
#include <mk/size.hpp>

#include <iostream>

namespace mkctl {

int cmd_shutdown(const Args& args)
{
    po::options_description opts("options");
    opts.add_options()("keep", "keep the CPUs and memory reserved for the next boot");
    auto vm = parse_options(args, "shutdown", "mkctl shutdown [--keep]",
        "Stop the LWK's cores and give its CPUs and memory back to Linux (with\n"
        "--keep they stay reserved for the next 'mkctl boot'). Also recovers a\n"
        "panicked LWK.",
        opts);
    if (!vm)
        return 0;
    mk::Device dev;
    mk::Status before = dev.status();
    bool keep = vm->count("keep") > 0;
    dev.shutdown(keep);
    mk::forget_online_cpus("/sys/devices/system/cpu", MK_CPU_SNAPSHOT_DIR);
    bool had_lwk = before.state == MK_STATE_BOOTING || before.state == MK_STATE_RUNNING ||
        before.state == MK_STATE_PANICKED;
    if (had_lwk)
        std::cout << "LWK stopped";
    else
        std::cout << "no LWK was running";
    if (!keep && (!before.cpus.empty() || before.mem_bytes))
        std::cout << (had_lwk ? "; " : "; ") << "CPUs "
                  << (before.cpus.empty() ? "none" : mk::format_cpulist(before.cpus)) << " and "
                  << mk::format_size(before.mem_bytes) << " given back to Linux";
    std::cout << "\n";
    return 0;
}

} // namespace mkctl
