// mkctl status: what mk holds.
#include "commands.hpp"
#include "options.hpp"
#include "status_view.hpp"

#include <iostream>

namespace mkctl {

int cmd_status(const Args& args)
{
    po::options_description opts("options");
    opts.add_options()("json", "print JSON for scripts");
    auto vm = parse_options(args, "status", "mkctl status [--json]",
        "Show the state of mk: reserved CPUs and memory chunks.", opts);
    if (!vm)
        return 0;
    mk::Device dev;
    mk::Status s = dev.status();
    if (vm->count("json"))
        print_status_json(std::cout, s);
    else
        print_status(std::cout, s);
    return 0;
}

} // namespace mkctl
