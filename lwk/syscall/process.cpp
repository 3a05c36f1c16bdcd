// Who the program is, its end, its thread pointer, and what it may not do
// yet (new processes and threads).
#include <syscall/syscall.hpp>

#include <core/percpu.hpp>
#include <proc/process.hpp>

#include <arch/cpu.hpp>

namespace lwk::sys {

Result<long> sys_getpid(Context& c) { return c.proc->pid; }
Result<long> sys_gettid(Context& c) { return c.thread->tid; }
Result<long> sys_getppid(Context& c) { return c.proc->ppid; }

Result<long> sys_set_tid_address(Context& c)
{
    c.thread->clear_child_tid = c.a[0];
    return c.thread->tid;
}

Result<long> sys_exit(Context& c)
{
    // One thread per process so far: the thread's end is the process's.
    proc::exit_process(int32_t((c.a[0] & 0xff) << 8));
}

Result<long> sys_exit_group(Context& c) { proc::exit_process(int32_t((c.a[0] & 0xff) << 8)); }

Result<long> sys_uname(Context& c)
{
    TRY(c.proc->as->copy_out(c.a[0], c.proc->uname, sizeof c.proc->uname));
    return 0;
}

Result<long> sys_arch_prctl(Context& c)
{
    constexpr uint64_t ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003;
    switch (c.a[0]) {
    case ARCH_SET_FS:
        if (!arch::PageTable::canonical(c.a[1]) || c.a[1] >= (1ULL << 47))
            return Errno::PERM;
        c.thread->fs_base = c.a[1];
        arch::wrmsr(arch::MSR_FS_BASE, c.a[1]);
        return 0;
    case ARCH_GET_FS:
        TRY(c.proc->as->copy_out(c.a[1], &c.thread->fs_base, sizeof c.thread->fs_base));
        return 0;
    default: return Errno::INVAL;
    }
}

Result<long> sys_set_robust_list(Context& c)
{
    if (c.a[1] != 24) // sizeof(struct robust_list_head)
        return Errno::INVAL;
    c.thread->robust_list = c.a[0];
    c.thread->robust_list_len = c.a[1];
    return 0;
}

Result<long> sys_get_robust_list(Context& c)
{
    if (c.a[0] && int32_t(c.a[0]) != c.thread->tid)
        return Errno::SRCH;
    TRY(c.proc->as->copy_out(c.a[1], &c.thread->robust_list, 8));
    TRY(c.proc->as->copy_out(c.a[2], &c.thread->robust_list_len, 8));
    return 0;
}

// Restartable sequences need the kernel to fix up preempted code; the C
// library does without them when told so.
Result<long> sys_rseq(Context&) { return Errno::NOSYS; }

Result<long> sys_membarrier(Context& c)
{
    return c.a[0] == 0 /* MEMBARRIER_CMD_QUERY */ ? Result<long>(0L) : Result<long>(Errno::INVAL);
}

// New processes and programs are Linux's business: run them with mkexec.
Result<long> sys_fork(Context&) { return Errno::NOSYS; }
Result<long> sys_vfork(Context&) { return Errno::NOSYS; }
Result<long> sys_clone(Context&) { return Errno::NOSYS; }
Result<long> sys_clone3(Context&) { return Errno::NOSYS; }
Result<long> sys_execve(Context&) { return Errno::NOSYS; }
Result<long> sys_execveat(Context&) { return Errno::NOSYS; }
Result<long> sys_wait4(Context&) { return Errno::CHILD; }
Result<long> sys_waitid(Context&) { return Errno::CHILD; }

} // namespace lwk::sys
