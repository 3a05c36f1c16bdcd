// Forwarding: the thread sends its call to Linux and gives the core to the
// loop until the reply comes. Pointers need no translation: mkexec sees
// this process's memory at the same addresses.
#include <syscall/syscall.hpp>

#include <core/channel.hpp>
#include <proc/process.hpp>
#include <sched/sched.hpp>

namespace lwk::sys {

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
    sched::mark_blocked(t); // before the reply can come
    channel::send(&m, sizeof m);
    sched::schedule();
    long ret = t->wait_result;
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
    sched::mark_blocked(t);
    channel::send(&m, sizeof m);
    sched::schedule();
}

} // namespace lwk::sys
