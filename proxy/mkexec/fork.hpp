// The program's new processes (on Linux, --fork=linux, or on the LWK,
// --fork=same|free) and new images (on the LWK): MK_SYS_FORK and
// MK_SYS_EXECVE (<mk/proc.h>).
#pragma once

#include <mk/common.h>

#include <optional>
#include <sched.h>
#include <string>
#include <vector>

namespace mkexec {

class LwkProcess;

// Where a fork's child runs (--fork=linux|same|free).
enum class ForkPolicy { to_linux, same_cores, free_core };

// What a fork's child on the LWK gets from its parent mkexec (--fork-child
// PARENT_FD:REPORT_FD:IMAGE:FD,FD...): the parent's process fd and the
// LWK's image of the child (MK_SPAWN_FORK), where to report how the spawn
// went, and the program's descriptors that are close-on-exec (cleared for
// mkexec's exec, set again now).
struct ForkChild {
    int parent_fd = -1;
    int report_fd = -1;
    uint32_t image = 0;
    std::vector<int> cloexec;
};
std::optional<ForkChild> parse_fork_child(const char* text);
// The child's process runs: the parent's fd closes, the descriptors are
// close-on-exec again, the parent hears 0. Or it could not be made: the
// parent hears err (the program's fork fails with it).
void fork_child_started(const ForkChild& child);
void fork_child_failed(const ForkChild& child, int err);
// Ends mkexec as the program ended (wait(2) status): by the same signal,
// or with the same exit code.
[[noreturn]] void end_like(int status);

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
// fork_lwk.cpp: a child of mkexec's takes the LWK's image of the program's
// child (MK_SYS_FORK with lwk_image): its pid once it runs, or -errno.
// exit_signal: what mkexec's child's end sends mkexec (the fork's).
long fork_on_lwk(const LwkProcess& proc, int exit_signal, uint32_t image);
// What the next mkexec starts with (fork.cpp): mkexec's own options and
// environment, the CPUs it was started on (nullptr: unknown), the program.
struct ChildStart {
    const std::vector<std::string>& options;
    char** environment;
    const cpu_set_t* cpus;
    const std::string& program;
};
ChildStart child_start();

// mkexec's own options (--cpus, --poll, ...) and environment, which the
// next mkexec gets too (and a fork's child's), the program's path and where
// its forks' children run.
void set_exec_options(const std::vector<std::string>& options, char** environment, const std::string& program,
    ForkPolicy policy);
// The program's environment, from the memory file an execve passed on
// (--exec-state), which it closes.
std::vector<std::string> read_exec_environment(int fd);

} // namespace mkexec
