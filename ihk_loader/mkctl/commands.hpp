// mkctl's subcommands: each takes the arguments after its name.
#pragma once

#include <mk/cpulist.hpp>
#include <mk/device.hpp>

#include <string>
#include <vector>

namespace mkctl {

using Args = std::vector<std::string>;
using mk::CpuList;

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const Args& args);
};

// --cpus LIST or auto:N[:compact|spread], resolved to Linux CPU numbers.
CpuList resolve_cpus(const std::string& spec);

// Takes cpus from Linux, after keeping a copy of their sysfs topology for
// the LWK's programs (<mk/cpu_snapshot.hpp>; a failure to copy is a warning).
void reserve_cpus(mk::Device& dev, const CpuList& cpus);

int cmd_version(const Args& args);
int cmd_boot(const Args& args);
int cmd_shutdown(const Args& args);
int cmd_log(const Args& args);
int cmd_ping(const Args& args);
int cmd_debug(const Args& args);
int cmd_status(const Args& args);
int cmd_reserve(const Args& args);
int cmd_release(const Args& args);

// All subcommands, for dispatch and for --help.
const std::vector<Command>& commands();

} // namespace mkctl
