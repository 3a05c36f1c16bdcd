// Performing a forwarded system call in Linux, on the program's behalf.
#pragma once

#include <mk/ioctl.h>

#include <string>

namespace mkexec {

// The program's absolute path, for readlink("/proc/self/exe").
void set_program_path(const std::string& absolute);

// Performs the call with the program's arguments (its pointers are valid
// here: mkexec maps its memory at the same addresses). Returns the result
// or -errno.
long perform(const mk_proc_event& call);

} // namespace mkexec
