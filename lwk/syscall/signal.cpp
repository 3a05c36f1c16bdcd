// The signal system calls, kept in the LWK: a forwarded rt_sigaction or
// kill would act on mkexec instead of the program. Generation and delivery
// are proc/signal's. kill of another (Linux) process is forwarded.
#include <syscall/clock.hpp>
#include <syscall/syscall.hpp>

#include <proc/process.hpp>
#include <proc/signal.hpp>
#include <sched/sched.hpp>

#include <arch/sigframe.hpp>

namespace lwk::sys {
namespace {

using proc::NSIG;
using proc::SigInfo;
using proc::sigbit;
using proc::Thread;

bool valid(int sig) { return sig >= 1 && sig <= NSIG; }

// Signal sig from the calling thread to its thread tid (0: the process).
Result<long> send(Context& c, int32_t tid, int sig, int32_t code, uint64_t value = 0)
{
    if (sig < 0 || sig > NSIG)
        return Errno::INVAL;
    if (sig == 0) // the check kill(pid, 0) makes
        return tid == 0 || proc::has_thread(c.proc, tid) ? Result<long>(0) : Result<long>(Errno::SRCH);
    SigInfo info{};
    info.signo = sig;
    info.code = code;
    info.pid = c.proc->pid;
    info.uid = c.proc->uid;
    info.value = value;
    if (!proc::send_signal(c.proc, tid, info))
        return Errno::SRCH;
    return 0;
}

// A signal (0 if none) in set pending for the calling thread, taken off.
int take_pending(Context& c, uint64_t set, SigInfo* out)
{
    LockGuard<Spinlock> g(c.proc->lock);
    return proc::take_signal(c.thread, set, out);
}

// Blocks the calling thread until a signal it takes (or waits for) is
// pending, or the TSC deadline (0: none) passes; the wait's result.
int64_t wait_for_signal(Thread* t, uint64_t deadline)
{
    t->wait_type = proc::WAIT_SIGNAL;
    t->wake_tsc = deadline;
    sched::mark_blocked(t);
    if (proc::signal_pending(t))
        sched::wake_up(t, -int64_t(Errno::INTR));
    sched::schedule();
    return t->wait_result;
}

} // namespace

Result<long> sys_rt_sigaction(Context& c)
{
    int sig = int(c.a[0]);
    if (c.a[3] != 8 || !valid(sig) || ((sig == proc::SIGKILL || sig == proc::SIGSTOP) && c.a[1]))
        return Errno::INVAL;
    proc::SigAction old, act;
    if (c.a[1]) {
        TRY(c.proc->as->copy_in(&act, c.a[1], sizeof act));
        act.mask &= ~proc::UNBLOCKABLE;
    }
    {
        LockGuard<Spinlock> g(c.proc->lock);
        old = c.proc->actions[sig - 1];
        if (c.a[1]) {
            c.proc->actions[sig - 1] = act;
            // Ignored now: what is pending of it goes (as in Linux).
            if (act.handler == proc::SIG_IGN) {
                c.proc->shared_pending &= ~sigbit(sig);
                for (Thread* t = c.proc->threads; t; t = t->proc_next)
                    t->sig_pending &= ~sigbit(sig);
                uint32_t kept = 0;
                for (uint32_t i = 0; i < c.proc->rt_queued; ++i)
                    if (c.proc->rt_queue[i].info.signo != sig)
                        c.proc->rt_queue[kept++] = c.proc->rt_queue[i];
                c.proc->rt_queued = kept;
            }
        }
    }
    if (c.a[2])
        TRY(c.proc->as->copy_out(c.a[2], &old, sizeof old));
    return 0;
}

Result<long> sys_rt_sigprocmask(Context& c)
{
    constexpr uint64_t BLOCK = 0, UNBLOCK = 1, SETMASK = 2;
    if (c.a[3] != 8)
        return Errno::INVAL;
    uint64_t set = 0;
    if (c.a[1])
        TRY(c.proc->as->copy_in(&set, c.a[1], 8));
    if (c.a[1] && c.a[0] > SETMASK)
        return Errno::INVAL;
    uint64_t old;
    {
        LockGuard<Spinlock> g(c.proc->lock);
        Thread* t = c.thread;
        old = t->sigmask;
        if (c.a[1]) {
            switch (c.a[0]) {
            case BLOCK: t->sigmask |= set; break;
            case UNBLOCK: t->sigmask &= ~set; break;
            default: t->sigmask = set; break;
            }
            t->sigmask &= ~proc::UNBLOCKABLE;
        }
    }
    // What it unblocked and is pending is delivered on the way out.
    if (c.a[2])
        TRY(c.proc->as->copy_out(c.a[2], &old, 8));
    return 0;
}

Result<long> sys_sigaltstack(Context& c)
{
    struct Stack {
        uint64_t sp;
        int32_t flags;
        int32_t pad;
        uint64_t size;
    };
    Thread* t = c.thread;
    uint64_t user_sp = c.frame->rsp;
    proc::AltStack cur = proc::get_altstack(t, user_sp);
    Stack old{cur.sp, cur.flags, 0, cur.size};
    if (c.a[0]) {
        Stack s;
        TRY(c.proc->as->copy_in(&s, c.a[0], sizeof s));
        TRY(proc::set_altstack(t, user_sp, proc::AltStack{s.sp, s.flags, s.size}));
    }
    if (c.a[1])
        TRY(c.proc->as->copy_out(c.a[1], &old, sizeof old));
    return 0;
}

Result<long> sys_rt_sigreturn(Context& c) { return proc::sigreturn(*c.frame); }

Result<long> sys_rt_sigpending(Context& c)
{
    if (c.a[1] > 8)
        return Errno::INVAL;
    uint64_t pending;
    {
        LockGuard<Spinlock> g(c.proc->lock);
        pending = (c.thread->sig_pending | c.proc->shared_pending) & c.thread->sigmask;
    }
    TRY(c.proc->as->copy_out(c.a[0], &pending, c.a[1] ? c.a[1] : 8));
    return 0;
}

Result<long> sys_rt_sigsuspend(Context& c)
{
    if (c.a[1] != 8)
        return Errno::INVAL;
    uint64_t mask;
    TRY(c.proc->as->copy_in(&mask, c.a[0], 8));
    Thread* t = c.thread;
    {
        LockGuard<Spinlock> g(c.proc->lock);
        t->saved_sigmask = t->sigmask;
        t->restore_sigmask = true; // the handler's frame holds the old mask
        t->sigmask = mask & ~proc::UNBLOCKABLE;
    }
    while (!proc::signal_pending(t))
        wait_for_signal(t, 0);
    return Errno::RESTARTNOHAND;
}

Result<long> sys_pause(Context& c)
{
    while (!proc::signal_pending(c.thread))
        wait_for_signal(c.thread, 0);
    return Errno::RESTARTNOHAND;
}

Result<long> sys_rt_sigtimedwait(Context& c)
{
    if (c.a[3] != 8)
        return Errno::INVAL;
    uint64_t set;
    TRY(c.proc->as->copy_in(&set, c.a[0], 8));
    set &= ~proc::UNBLOCKABLE;
    uint64_t deadline = 0;
    bool poll = false;
    if (c.a[2]) {
        uint64_t ns = TRY(read_timespec(c, c.a[2]));
        uint64_t now = TRY(now_ns(c.proc, MONOTONIC));
        poll = ns == 0;
        deadline = tsc_deadline(now, now + ns);
    }
    Thread* t = c.thread;
    SigInfo info{};
    int sig = take_pending(c, set, &info);
    if (!sig && !poll) {
        {
            LockGuard<Spinlock> g(c.proc->lock);
            t->sigwait_set = set;
        }
        int64_t r = 0;
        while (!(sig = take_pending(c, set, &info))) {
            if (r == -int64_t(Errno::TIMEDOUT))
                break;
            if (r == -int64_t(Errno::INTR) && proc::signal_pending(t))
                break; // a signal it does not wait for: its handler runs
            r = wait_for_signal(t, deadline);
        }
        LockGuard<Spinlock> g(c.proc->lock);
        t->sigwait_set = 0;
    }
    if (!sig)
        return proc::signal_pending(t) ? Errno::INTR : Errno::AGAIN;
    if (c.a[1]) {
        arch::SigInfoUser u{};
        proc::fill_info(u, sig, info);
        TRY(c.proc->as->copy_out(c.a[1], &u, sizeof u));
    }
    return sig;
}

Result<long> sys_kill(Context& c)
{
    int32_t pid = int32_t(c.a[0]);
    if (pid == c.proc->pid)
        return send(c, 0, int(c.a[1]), proc::SI_USER);
    // A process group: Linux signals its members (the program's children
    // there); when the program's own process (mkexec) is one, mkexec drops
    // its copy and answers 1: the program gets the signal here, before the
    // call returns, as Linux delivers to the caller.
    long r = TRY(forward(c));
    if ((pid == 0 || pid < -1) && r == 1) {
        TRY(send(c, 0, int(c.a[1]), proc::SI_USER));
        return 0;
    }
    return r; // other (Linux) processes
}

Result<long> sys_tgkill(Context& c)
{
    if (int32_t(c.a[0]) != c.proc->pid)
        return forward(c);
    if (int32_t(c.a[2]) < 0 || int32_t(c.a[2]) > NSIG)
        return Errno::INVAL;
    return send(c, int32_t(c.a[1]), int(c.a[2]), proc::SI_TKILL);
}

Result<long> sys_tkill(Context& c)
{
    if (int32_t(c.a[1]) < 0 || int32_t(c.a[1]) > NSIG)
        return Errno::INVAL;
    return send(c, int32_t(c.a[0]), int(c.a[1]), proc::SI_TKILL);
}

namespace {

// rt_(tg)sigqueueinfo: the caller's siginfo, for itself.
Result<long> queue(Context& c, int32_t tid, int sig, uint64_t uinfo)
{
    arch::SigInfoUser u;
    TRY(c.proc->as->copy_in(&u, uinfo, sizeof u));
    return send(c, tid, sig, u.code, u.kill.value);
}

} // namespace

Result<long> sys_rt_sigqueueinfo(Context& c)
{
    if (int32_t(c.a[0]) != c.proc->pid)
        return forward(c);
    return queue(c, 0, int(c.a[1]), c.a[2]);
}

Result<long> sys_rt_tgsigqueueinfo(Context& c)
{
    if (int32_t(c.a[0]) != c.proc->pid)
        return forward(c);
    return queue(c, int32_t(c.a[1]), int(c.a[2]), c.a[3]);
}

} // namespace lwk::sys
