// mkctl version: the tools' version and, when loaded, the module's.
#include "commands.hpp"

#include <mk/device.hpp>
#include <mk/error.hpp>
#include <mk/version.h>

#include <iostream>

namespace mkctl {

int cmd_version(const Args& args)
{
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << "usage: mkctl version\n"
                     "Print the version of mkctl and of the loaded mk.ko.\n";
        return 0;
    }
    std::cout << "mkctl (mk) " << MK_VERSION_STRING << ", ABI " << MK_ABI_MAJOR << "."
              << MK_ABI_MINOR << "\n";
    try {
        mk::Device dev;
        mk_version v = dev.version();
        std::cout << "mk.ko " << v.release << ", ABI " << v.abi_major << "." << v.abi_minor << "\n";
    } catch (const mk::Error& e) {
        std::cout << "mk.ko: " << e.what() << "\n";
    }
    return 0;
}

} // namespace mkctl
