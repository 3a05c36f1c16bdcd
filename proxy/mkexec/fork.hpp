// The program's new processes (on Linux, --fork=linux) and new images
// (on the LWK): MK_SYS_FORK and MK_SYS_EXECVE (<mk/proc.h>).
#pragma once

#include <mk/common.h>

#include <string>
#include <vector>

namespace mkexec {

class LwkProcess;

// At the start, before any thread is pinned: the CPUs mkexec may run on,
// which the program's children and its next image get (not a server
// thread's doorbell or polling CPU).
void remember_program_cpus();

// fork/vfork/clone: a child of mkexec's with a copy of the program's
// memory (sharing its shared mappings), continuing from the call on Linux.
// Its pid, or -errno.
long fork_program(const LwkProcess& proc, const __u64* args);
// execve/execveat: mkexec runs the new program on the LWK, in the same
// process (never returns if it could); -errno otherwise, nothing changed.
long exec_program(const __u64* args);
// mkexec's own options (--cpus, --poll, ...) and environment, which the
// next mkexec gets too.
void set_exec_options(const std::vector<std::string>& options, char** environment);
// The program's environment, from the memory file an execve passed on
// (--exec-state), which it closes.
std::vector<std::string> read_exec_environment(int fd);

} // namespace mkexec
