// Forwarding: the thread sends its call to Linux and gives the core to the
// loop until the reply comes. Pointers need no translation: mkexec sees
// this process's memory at the same addresses.
#include <syscall/syscall.hpp>

#include <core/channel.hpp>
#include <core/percpu.hpp>
#include <proc/process.hpp>
#include <proc/signal.hpp>
#include <sched/sched.hpp>

namespace lwk::sys {
namespace {

// Calls Linux never restarts after a signal handler, SA_RESTART or not
// (signal(7)); the others restart with SA_RESTART.
bool never_restarted(uint64_t nr)
{
    switch (nr) {
    case 7:   // poll
    case 23:  // select
    case 68:  // semop
    case 69:  // msgsnd
    case 70:  // msgrcv
    case 208: // io_getevents
    case 220: // semtimedop
    case 232: // epoll_wait
    case 270: // pselect6
    case 271: // ppoll
    case 281: // epoll_pwait
    case 441: // epoll_pwait2
        return true;
    default:
        return false;
    }
}

// EPIPE from a write to a pipe or socket comes with SIGPIPE in Linux (a
// send with MSG_NOSIGNAL excepted); mkexec ignores it, the program gets it.
bool raises_sigpipe(uint64_t nr, const uint64_t* a)
{
    constexpr uint64_t MSG_NOSIGNAL = 0x4000;
    switch (nr) {
    case 1: case 18: case 20: case 275: case 278: case 296: case 328: // write, pwrite64, writev, splice, vmsplice, pwritev(2)
        return true;
    case 44: case 307: // sendto, sendmmsg
        return !(a[3] & MSG_NOSIGNAL);
    case 46: // sendmsg
        return !(a[2] & MSG_NOSIGNAL);
    default:
        return false;
    }
}

} // namespace

Result<long> forward_call(Context& c, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
    uint64_t a4, uint64_t a5)
{
    proc::Thread* t = c.thread;
    mk_msg_syscall m{};
    m.hdr = {MK_MSG_SYSCALL, 0, c.proc->pid, t->tid, ++t->next_seq};
    m.nr = nr;
    uint64_t args[6] = {a0, a1, a2, a3, a4, a5};
    __builtin_memcpy(m.args, args, sizeof args);
    t->wait_type = MK_MSG_SYSCALL;
    t->wait_seq = m.hdr.seq;
    t->wake_tsc = 0;
    percpu::Cpu* here = percpu::current();
    here->linux_waits.fetch_add(1, Order::relaxed);
    sched::mark_blocked(t); // before the reply can come
    channel::send(&m, sizeof m);
    sched::schedule();
    // Lent to mk.ko meanwhile (holding the address space's lock, as mkexec
    // writes a page a fork shares): done, then back to waiting.
    while (t->lent_va) {
        proc::serve_lent(t);
        if (!sched::reblock_lent(t))
            break;
        sched::schedule();
    }
    here->linux_waits.fetch_sub(1, Order::relaxed);
    long ret = t->wait_result;
    if (ret == -long(Errno::INTR) && t->interrupt_seq == m.hdr.seq && !t->killed)
        return never_restarted(nr) ? Errno::RESTARTNOHAND : Errno::RESTARTSYS; // a signal cut it short
    if (ret == -long(Errno::PIPE) && raises_sigpipe(nr, args)) {
        proc::SigInfo info{};
        info.signo = proc::SIGPIPE;
        info.code = proc::SI_USER;
        info.pid = c.proc->pid;
        info.uid = c.proc->uid;
        proc::send_signal(c.proc, t->tid, info);
    }
    if (ret < 0 && ret > -4096)
        return Error(int(-ret));
    return ret;
}

Result<long> forward(Context& c)
{
    return forward_call(c, c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4], c.a[5]);
}

void drop_linux_view(Context& c, uint64_t start, uint64_t len)
{
    proc::Thread* t = c.thread;
    mk_msg_unmap m{};
    m.hdr = {MK_MSG_UNMAP, 0, c.proc->pid, t->tid, ++t->next_seq};
    m.start = start;
    m.len = len;
    t->wait_type = MK_MSG_UNMAP; // a kill does not cut this wait short
    t->wait_seq = m.hdr.seq;
    t->wake_tsc = 0;
    percpu::Cpu* here = percpu::current();
    here->linux_waits.fetch_add(1, Order::relaxed);
    sched::mark_blocked(t);
    channel::send(&m, sizeof m);
    sched::schedule();
    here->linux_waits.fetch_sub(1, Order::relaxed);
}

} // namespace lwk::sys
