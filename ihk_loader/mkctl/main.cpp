// mkctl: the administrator's tool for mk (partition, boot, status, log).
#include "commands.hpp"
#include "options.hpp"

#include <mk/error.hpp>
#include <mk/version.h>

#include <cstring>
#include <iostream>

namespace mkctl {

const std::vector<Command>& commands()
{
    static const std::vector<Command> list = {
        {"boot", "boot the LWK (reserving CPUs and memory first if asked)", cmd_boot},
        {"shutdown", "stop the LWK and give its CPUs and memory back", cmd_shutdown},
        {"log", "print the LWK's kernel log", cmd_log},
        {"ping", "doorbell round trips Linux -> LWK -> Linux", cmd_ping},
        {"debug", "make the LWK fail on purpose (testing)", cmd_debug},
        {"reserve", "take CPUs and memory from Linux for mk", cmd_reserve},
        {"release", "give CPUs and memory back to Linux", cmd_release},
        {"status", "show what mk holds", cmd_status},
        {"version", "show the versions of mkctl and mk.ko", cmd_version},
    };
    return list;
}

} // namespace mkctl

namespace {

void usage(std::ostream& out)
{
    out << "usage: mkctl [--version] [--help] COMMAND [ARGS...]\n\ncommands:\n";
    for (const auto& c : mkctl::commands())
        out << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.summary << "\n";
    out << "\n'mkctl COMMAND --help' describes each command.\n";
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        usage(std::cerr);
        return 2;
    }
    std::string first = argv[1];
    if (first == "--version" || first == "-V") {
        std::cout << "mkctl (mk) " << MK_VERSION_STRING << "\n";
        return 0;
    }
    if (first == "--help" || first == "-h" || first == "help") {
        usage(std::cout);
        return 0;
    }
    for (const auto& c : mkctl::commands()) {
        if (first != c.name)
            continue;
        try {
            return c.run(mkctl::Args(argv + 2, argv + argc));
        } catch (const mkctl::UsageError& e) {
            std::cerr << "mkctl " << c.name << ": " << e.what() << "\n";
            return 2;
        } catch (const mk::Error& e) {
            std::cerr << "mkctl " << c.name << ": " << e.what() << "\n";
            return 1;
        } catch (const std::exception& e) {
            std::cerr << "mkctl " << c.name << ": " << e.what() << "\n";
            return 1;
        }
    }
    std::cerr << "mkctl: unknown command '" << first << "' (see mkctl --help)\n";
    return 2;
}
