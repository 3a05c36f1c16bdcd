// mkctl's subcommands: each takes the arguments after its name.
#pragma once

#include <string>
#include <vector>

namespace mkctl {

using Args = std::vector<std::string>;

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const Args& args);
};

int cmd_version(const Args& args);

// All subcommands, for dispatch and for --help.
const std::vector<Command>& commands();

} // namespace mkctl
