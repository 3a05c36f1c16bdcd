// How mkexec ends: with the program's status, as a shell would show it.
#pragma once

#include <mk/ioctl.h>

#include <string>

namespace mkexec {

// The exit status for the program's end (its code, or 128 + signal), and
// for a signal, the one-line report mkexec prints.
int exit_code(const mk_proc_event& end, const std::string& program, std::string* report);

} // namespace mkexec
