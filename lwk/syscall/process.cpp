// Who the program is, its end, its thread pointer, and its new threads.
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

// A thread's end; the last thread's is the process's.
Result<long> sys_exit(Context& c) { proc::exit_thread(int32_t((c.a[0] & 0xff) << 8)); }

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

namespace {

constexpr uint64_t CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
                   CLONE_PIDFD = 0x1000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000,
                   CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
                   CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000,
                   CLONE_DETACHED = 0x400000, CLONE_CHILD_SETTID = 0x1000000;
constexpr uint64_t THREAD_FLAGS = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;
constexpr uint64_t ALLOWED = THREAD_FLAGS | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_SETTLS |
    CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED | CLONE_PARENT |
    0xff; // the exit signal, which threads ignore

// A thread of this process (what pthread_create asks for), or without
// CLONE_VM (or with CLONE_VFORK) a new process (fork.cpp).
Result<long> new_thread(Context& c, uint64_t flags, uint64_t sp, uint64_t parent_tid, uint64_t child_tid,
    uint64_t tls)
{
    if (!(flags & (CLONE_THREAD | CLONE_SIGHAND)) && (!(flags & CLONE_VM) || (flags & CLONE_VFORK)))
        return new_process(c, flags, sp, parent_tid, child_tid, tls);
    if ((flags & THREAD_FLAGS) != THREAD_FLAGS || (flags & (CLONE_VFORK | CLONE_PIDFD)))
        return Errno::INVAL;
    if (flags & ~ALLOWED)
        return Errno::INVAL;
    return TRY(proc::clone_thread(*c.frame, sp, flags & CLONE_SETTLS, tls,
        (flags & CLONE_CHILD_CLEARTID) ? child_tid : 0, (flags & CLONE_PARENT_SETTID) ? parent_tid : 0,
        (flags & CLONE_CHILD_SETTID) ? child_tid : 0));
}

} // namespace

Result<long> sys_clone(Context& c)
{
    // x86-64: clone(flags, stack, parent_tid, child_tid, tls)
    return new_thread(c, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]);
}

Result<long> sys_clone3(Context& c)
{
    struct Args {
        uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    } args{};
    if (c.a[1] < sizeof args || c.a[1] > 4096)
        return Errno::INVAL;
    TRY(c.proc->as->copy_in(&args, c.a[0], sizeof args));
    if (args.exit_signal & ~uint64_t(0xff))
        return Errno::INVAL;
    uint64_t sp = args.stack ? args.stack + args.stack_size : 0;
    return new_thread(c, args.flags | args.exit_signal, sp, args.parent_tid, args.child_tid, args.tls);
}

} // namespace lwk::sys
