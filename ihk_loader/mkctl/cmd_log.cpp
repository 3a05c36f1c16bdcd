// mkctl log: print the LWK's kernel log, optionally following it.
#include "commands.hpp"
#include "options.hpp"

#include <mk/device.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

namespace mkctl {

int cmd_log(const Args& args)
{
    po::options_description opts("options");
    opts.add_options()("follow,f", "keep printing what the LWK logs (Ctrl-C stops)");
    auto vm = parse_options(args, "log", "mkctl log [-f]",
        "Print the LWK's kernel log (read from its memory without stopping it).", opts);
    if (!vm)
        return 0;
    bool follow = vm->count("follow") > 0;
    mk::Device dev;
    uint64_t pos = 0;
    for (;;) {
        mk::LogChunk c = dev.read_log(pos);
        if (c.lost)
            std::printf("[... %llu bytes of the log were overwritten ...]\n",
                static_cast<unsigned long long>(c.lost));
        std::fwrite(c.text.data(), 1, c.text.size(), stdout);
        pos = c.pos;
        if (!c.text.empty())
            continue;
        if (!follow)
            break;
        std::fflush(stdout);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return 0;
}

} // namespace mkctl
