// mkctl ping: doorbell round trips Linux -> LWK core -> Linux.
#include "commands.hpp"
#include "options.hpp"

#include <mk/device.hpp>
#include <mk/json.hpp>

#include <cstdio>
#include <iostream>

namespace mkctl {

int cmd_ping(const Args& args)
{
    po::options_description opts("options");
    // clang-format off
    opts.add_options()
        ("core", po::value<int>()->default_value(0), "the LWK core (index, 0 = the first)")
        ("count", po::value<unsigned>()->default_value(10), "round trips")
        ("json", "print JSON");
    // clang-format on
    auto vm = parse_options(args, "ping", "mkctl ping [--core N] [--count N] [--json]",
        "Ring an LWK core's doorbell (an IPI) and wait for it to ring Linux's (an IPI\n"
        "to mk.ko's interrupt vector): a round trip over both notification paths.",
        opts);
    if (!vm)
        return 0;
    mk::Device dev;
    int core = (*vm)["core"].as<int>();
    mk::PingResult r = dev.ping(core, (*vm)["count"].as<unsigned>());
    if (vm->count("json")) {
        mk::JsonWriter j(std::cout);
        j.begin_object()
            .field("core", core)
            .field("round_trips", r.done)
            .field("min_ns", r.min_ns)
            .field("avg_ns", r.avg_ns)
            .field("max_ns", r.max_ns)
            .field("lwk_doorbells", r.lwk_doorbells)
            .field("linux_doorbells", r.linux_doorbells)
            .end_object();
    } else {
        std::printf("%u round trips Linux -> LWK core %d -> Linux: min %.1f us, avg %.1f us, max %.1f us\n",
            r.done, core, r.min_ns / 1e3, r.avg_ns / 1e3, r.max_ns / 1e3);
        std::printf("doorbells so far: taken by the LWK core %llu, taken by Linux %llu\n",
            static_cast<unsigned long long>(r.lwk_doorbells),
            static_cast<unsigned long long>(r.linux_doorbells));
    }
    return 0;
}

} // namespace mkctl
