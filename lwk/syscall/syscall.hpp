// System calls: the context handlers get, and what they share.
#pragma once

#include <arch/interrupts.hpp>
#include <lib/result.hpp>

#include <cstdint>

namespace lwk::proc {
struct Process;
struct Thread;
} // namespace lwk::proc

namespace lwk::sys {

struct Context {
    uint64_t nr;
    uint64_t a[6];
    arch::InterruptFrame* frame;
    proc::Thread* thread;
    proc::Process* proc;
};

// Declares sys_<name> for every LOCAL line of syscalls.def.
#define SYSCALL(nr, name, policy, kinds) SYSCALL_DECLARE_##policy(name)
#define SYSCALL_DECLARE_LOCAL(name) Result<long> sys_##name(Context& c);
#define SYSCALL_DECLARE_FORWARD(name)
#include <mk/syscalls.def>
#undef SYSCALL
#undef SYSCALL_DECLARE_LOCAL
#undef SYSCALL_DECLARE_FORWARD

// A new process from fork, vfork or clone (fork.cpp): Linux's.
Result<long> new_process(Context& c, uint64_t flags, uint64_t sp, uint64_t parent_tid, uint64_t child_tid,
    uint64_t tls);
// Performs the call in Linux through mkexec; the result as Linux gave it.
Result<long> forward(Context& c);
// Forwards another call on this thread's behalf.
Result<long> forward_call(Context& c, uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
    uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0);
// Whether the program's path at path names the program's own file
// (/proc/self/exe, /proc/<its pid>/exe: files.cpp).
bool names_own_exe(Context& c, uint64_t path);
// Linux must drop its view of [start, start + len) before the memory is reused.
void drop_linux_view(Context& c, uint64_t start, uint64_t len);
// Unmaps a range the program may have shown Linux: out of the page tables,
// out of Linux's view (if Linux had mapped any of it), then freed. The
// caller holds the address space's mutex.
Result<void> unmap_range(Context& c, uint64_t addr, uint64_t len);

// A page fault of the current thread at addr (refault.cpp): none if addr
// is no page of a tracked mapping (<mk/proc.h>); done when the page is
// there now or the access is to be tried again; segv when the program may
// not use it so (SIGSEGV, SEGV_ACCERR); bus when the file has no page
// there (SIGBUS, as Linux past a file's end).
enum class Refault { none, done, segv, bus };
Refault refault(arch::InterruptFrame& f, uint64_t addr);
// For a call that reads (or writes) user memory in the kernel: the page at
// addr, if it is a tracked one, is put in first. EFAULT if it cannot be.
Result<void> fault_in(Context& c, uint64_t addr, bool write);

// MK_SYS_CORE_IRQS (<mk/proc.h>): a core's interrupt count.
Result<long> sys_core_irqs(Context& c);

const char* name(uint64_t nr);
// Whether the call changes how much memory the process has.
bool changes_memory(uint64_t nr);

} // namespace lwk::sys
