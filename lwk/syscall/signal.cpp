// Signals, kept in the LWK: a forwarded rt_sigaction or kill would act on
// mkexec instead of the program. The program's own signals take their
// default action (delivery to handlers comes with threads and timers).
#include <syscall/syscall.hpp>

#include <proc/process.hpp>

namespace lwk::sys {
namespace {

constexpr int SIGKILL = 9, SIGSTOP = 19, NSIG = 64;
constexpr uint64_t SIG_DFL = 0, SIG_IGN = 1;

bool ignored_by_default(int sig)
{
    // SIGCHLD, SIGCONT, SIGURG, SIGWINCH.
    return sig == 17 || sig == 18 || sig == 23 || sig == 28;
}

// A signal the program sent itself.
Result<long> signal_self(Context& c, int sig)
{
    if (sig < 0 || sig > NSIG)
        return Errno::INVAL;
    if (sig == 0)
        return 0;
    const proc::SigAction& a = c.proc->actions[sig - 1];
    if (sig != SIGKILL && sig != SIGSTOP &&
        (a.handler == SIG_IGN || (a.handler == SIG_DFL && ignored_by_default(sig))))
        return 0;
    if (a.handler != SIG_DFL && a.handler != SIG_IGN && sig != SIGKILL)
        return Errno::NOSYS; // handlers run once signal delivery exists
    proc::exit_process(sig); // the default action: end with the signal
}

} // namespace

Result<long> sys_rt_sigaction(Context& c)
{
    int sig = int(c.a[0]);
    if (c.a[3] != 8 || sig < 1 || sig > NSIG || ((sig == SIGKILL || sig == SIGSTOP) && c.a[1]))
        return Errno::INVAL;
    proc::SigAction& a = c.proc->actions[sig - 1];
    if (c.a[2])
        TRY(c.proc->as->copy_out(c.a[2], &a, sizeof a));
    if (c.a[1])
        TRY(c.proc->as->copy_in(&a, c.a[1], sizeof a));
    return 0;
}

Result<long> sys_rt_sigprocmask(Context& c)
{
    constexpr uint64_t BLOCK = 0, UNBLOCK = 1, SETMASK = 2;
    constexpr uint64_t UNBLOCKABLE = (1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1));
    if (c.a[3] != 8)
        return Errno::INVAL;
    uint64_t old = c.thread->sigmask;
    if (c.a[1]) {
        uint64_t set;
        TRY(c.proc->as->copy_in(&set, c.a[1], 8));
        switch (c.a[0]) {
        case BLOCK: c.thread->sigmask |= set; break;
        case UNBLOCK: c.thread->sigmask &= ~set; break;
        case SETMASK: c.thread->sigmask = set; break;
        default: return Errno::INVAL;
        }
        c.thread->sigmask &= ~UNBLOCKABLE;
    }
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
    Stack old{c.thread->altstack_sp, int32_t(c.thread->altstack_size ? 0 : 2 /* SS_DISABLE */), 0,
        c.thread->altstack_size};
    if (c.a[0]) {
        Stack s;
        TRY(c.proc->as->copy_in(&s, c.a[0], sizeof s));
        if (s.flags & 2) {
            c.thread->altstack_sp = c.thread->altstack_size = 0;
        } else {
            if (s.size < 2048)
                return Errno::NOMEM;
            c.thread->altstack_sp = s.sp;
            c.thread->altstack_size = s.size;
        }
    }
    if (c.a[1])
        TRY(c.proc->as->copy_out(c.a[1], &old, sizeof old));
    return 0;
}

Result<long> sys_rt_sigreturn(Context&) { return Errno::NOSYS; }

Result<long> sys_rt_sigpending(Context& c)
{
    uint64_t none = 0;
    TRY(c.proc->as->copy_out(c.a[0], &none, 8));
    return 0;
}

Result<long> sys_rt_sigsuspend(Context&) { return Errno::NOSYS; }
Result<long> sys_rt_sigtimedwait(Context&) { return Errno::NOSYS; }
Result<long> sys_pause(Context&) { return Errno::NOSYS; }

Result<long> sys_kill(Context& c)
{
    int32_t pid = int32_t(c.a[0]);
    if (pid == c.proc->pid || pid == 0)
        return signal_self(c, int(c.a[1]));
    return forward(c); // another (Linux) process
}

Result<long> sys_tgkill(Context& c)
{
    if (int32_t(c.a[0]) == c.proc->pid)
        return int32_t(c.a[1]) == c.thread->tid ? signal_self(c, int(c.a[2])) : Result<long>(Errno::SRCH);
    return forward(c);
}

Result<long> sys_tkill(Context& c)
{
    if (int32_t(c.a[0]) == c.thread->tid)
        return signal_self(c, int(c.a[1]));
    return Errno::SRCH;
}

Result<long> sys_rt_sigqueueinfo(Context& c)
{
    if (int32_t(c.a[0]) == c.proc->pid)
        return signal_self(c, int(c.a[1]));
    return forward(c);
}

Result<long> sys_rt_tgsigqueueinfo(Context& c)
{
    if (int32_t(c.a[0]) == c.proc->pid && int32_t(c.a[1]) == c.thread->tid)
        return signal_self(c, int(c.a[2]));
    return forward(c);
}

} // namespace lwk::sys
