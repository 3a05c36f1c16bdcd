// mkctl boot: start the LWK on the CPUs and memory mk holds (reserving
// them first when asked, like IHK's mcreboot).
#include "commands.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "status_view.hpp"

#include <mk/cpu_snapshot.hpp>
#include <mk/device.hpp>
#include <mk/proc.h>
#include <mk/lwk_image.hpp>
#include <mk/memspec.hpp>
#include <mk/size.hpp>

#include <cerrno>
#include <cstdio>
#include <iostream>

namespace mkctl {

int cmd_boot(const Args& args)
{
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("image", po::value<std::string>(), "the LWK image (default: $MK_LWK_IMAGE or the built one)")
        ("cpus", po::value<std::string>(), "reserve these CPUs first: LIST or auto:N[:compact|spread]")
        ("mem", po::value<std::string>(), "reserve this memory first: SIZE[@NODE|@auto][,...]")
        ("cmdline", po::value<std::string>()->default_value(""), "the LWK's command line")
        ("timeout", po::value<unsigned>()->default_value(0), "seconds to wait for every core (default: the module's, 10)")
        ("json", "print the resulting status as JSON");
    // clang-format on
    auto vm = parse_options(args, "boot",
        "mkctl boot [--image PATH] [--cpus LIST --mem SIZE] [--cmdline STR] [--timeout S] [--json]",
        "Boot the LWK on the CPUs and memory mk holds, reserving them first when\n"
        "--cpus/--mem are given, and wait until every core reports ready. If the\n"
        "LWK does not come up, its cores are stopped, its log is shown by\n"
        "'mkctl log', and the partition stays reserved for another try.",
        opts);
    if (!vm)
        return 0;
    if (vm->count("cpus") != vm->count("mem") && !vm->count("mem"))
        throw UsageError("--cpus needs --mem too (or reserve memory with mkctl reserve first)");

    // Everything that can be checked is checked before anything changes.
    std::string path = vm->count("image") ? (*vm)["image"].as<std::string>() : mk::default_image_path();
    std::vector<uint8_t> image = mk::read_image(path);
    std::vector<mk::MemWant> mem;
    if (vm->count("mem"))
        mem = mk::parse_mem_spec((*vm)["mem"].as<std::string>());
    mk::Device dev;
    dev.version();
    CpuList cpus;
    if (vm->count("cpus"))
        cpus = resolve_cpus((*vm)["cpus"].as<std::string>());

    bool reserved_cpus = false, reserved_mem = false;
    auto undo = [&] {
        if (reserved_mem)
            dev.release_mem();
        if (reserved_cpus)
            dev.release_cpus(cpus);
        mk::forget_online_cpus("/sys/devices/system/cpu", MK_CPU_SNAPSHOT_DIR);
    };
    try {
        if (!cpus.empty()) {
            reserve_cpus(dev, cpus);
            reserved_cpus = true;
        }
        if (!mem.empty()) {
            with_progress("reserving memory", [&] { dev.reserve_mem(mem); });
            reserved_mem = true;
        }
        unsigned timeout_ms = (*vm)["timeout"].as<unsigned>() * 1000;
        uint64_t ns = dev.boot(image, (*vm)["cmdline"].as<std::string>(), timeout_ms);
        mk::Status s = dev.status();
        if (vm->count("json")) {
            print_status_json(std::cout, s);
        } else {
            std::printf("LWK running on CPUs %s with %s; booted in %.1f ms\n",
                mk::format_cpulist(s.cpus).c_str(), mk::format_size(s.mem_bytes).c_str(), ns / 1e6);
        }
    } catch (const mk::Error& e) {
        // A request the module refused before starting anything changes
        // nothing; an LWK that did not come up leaves the partition reserved.
        bool started = e.errnum() == ETIMEDOUT || e.errnum() == EIO || e.errnum() == EINTR;
        if (!started)
            undo();
        else
            throw mk::Error(std::string(e.what()) +
                    "; the partition stays reserved ('mkctl log' shows the LWK's log, "
                    "'mkctl release' gives it back)",
                e.errnum());
        throw;
    }
    return 0;
}

} // namespace mkctl
