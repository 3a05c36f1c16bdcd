#include <sched/sched.hpp>

#include <core/boot.hpp>
#include <core/channel.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>
#include <core/percpu.hpp>
#include <proc/process.hpp>

#include <arch/cpu.hpp>
#include <arch/timer.hpp>
#include <arch/user.hpp>

namespace lwk::sched {
namespace {

// A reply or acknowledgement for the thread on this core that waits for it.
void deliver(const mk_msg_hdr& h, int64_t result)
{
    percpu::Cpu* cpu = percpu::current();
    proc::Thread* t = cpu->runnable;
    if (t && t->state == proc::Thread::State::blocked && t->tid == h.tid && t->wait_type == h.type &&
        t->wait_seq == h.seq) {
        t->wait_result = result;
        t->wake_tsc = 0;
        t->state = proc::Thread::State::runnable;
        return;
    }
    klog("dropping a message (type %u, pid %d, tid %d, seq %u) nobody waits for", h.type, h.pid, h.tid, h.seq);
}

template <typename T> bool fits(uint32_t len) { return len >= sizeof(T); }

void dispatch(const uint8_t* buf, uint32_t len)
{
    mk_msg_hdr h;
    if (len < sizeof h) {
        klog("a message from Linux of %u bytes: too short, dropped", len);
        return;
    }
    __builtin_memcpy(&h, buf, sizeof h);
    switch (h.type) {
    case MK_MSG_SPAWN:
        if (fits<mk_msg_spawn>(len))
            return proc::spawn(*reinterpret_cast<const mk_msg_spawn*>(buf));
        break;
    case MK_MSG_EXEC:
        if (fits<mk_msg_exec>(len))
            return proc::exec(*reinterpret_cast<const mk_msg_exec*>(buf));
        break;
    case MK_MSG_REPLY:
        if (fits<mk_msg_reply>(len)) {
            h.type = MK_MSG_SYSCALL; // what the thread waits on
            return deliver(h, reinterpret_cast<const mk_msg_reply*>(buf)->ret);
        }
        break;
    case MK_MSG_UNMAPPED:
        if (fits<mk_msg_unmap>(len)) {
            const auto* m = reinterpret_cast<const mk_msg_unmap*>(buf);
            if (h.tid) { // a thread's munmap waits for it
                h.type = MK_MSG_UNMAP;
                return deliver(h, 0);
            }
            return proc::unmapped(*m);
        }
        break;
    case MK_MSG_KILL:
        if (fits<mk_msg_kill>(len))
            return proc::kill(*reinterpret_cast<const mk_msg_kill*>(buf));
        break;
    default: klog("a message from Linux of unknown type %u, dropped", h.type); return;
    }
    klog("a message from Linux of type %u is too short (%u bytes), dropped", h.type, len);
}

void drain()
{
    alignas(8) uint8_t buf[MK_CHAN_PAYLOAD];
    uint32_t len;
    bool any = false;
    while (channel::receive(buf, sizeof buf, &len)) {
        dispatch(buf, len);
        any = true;
    }
    if (any)
        channel::done_receiving();
}

} // namespace

void publish(proc::Thread* t)
{
    mk_boot_cpu* b = percpu::current()->boot;
    boot::shared_store(b->pid, t->proc->pid);
    boot::shared_store(b->user_bytes, t->proc->as->mapped_bytes());
}

namespace {

void run(proc::Thread* t)
{
    percpu::Cpu* cpu = percpu::current();
    cpu->current = t;
    cpu->kernel_rsp = t->kstack_top;
    cpu->tables.tss.rsp[0] = t->kstack_top;
    if (arch::read_cr3() != t->proc->as->page_table())
        t->proc->as->activate();
    arch::wrmsr(arch::MSR_FS_BASE, t->fs_base);
    arch::switch_context(&cpu->loop_rsp, t->saved_rsp);
    cpu->current = nullptr;
    if (t->state == proc::Thread::State::dead) {
        boot::shared_store(cpu->boot->pid, 0);
        boot::shared_store(cpu->boot->user_bytes, uint64_t(0));
        if (cpu->runnable == t)
            cpu->runnable = nullptr;
        proc::free_thread(t);
    }
}

} // namespace

void wake(proc::Thread* t)
{
    t->state = proc::Thread::State::runnable;
    percpu::current()->runnable = t;
}

void forget(proc::Thread* t)
{
    percpu::Cpu* cpu = percpu::current();
    if (cpu->runnable == t)
        cpu->runnable = nullptr;
}

void core_loop()
{
    percpu::Cpu* cpu = percpu::current();
    for (;;) {
        drain();
        proc::Thread* t = cpu->runnable;
        if (t && t->state == proc::Thread::State::blocked && t->wake_tsc &&
            arch::rdtsc() >= t->wake_tsc) {
            t->wake_tsc = 0;
            t->wait_result = -int64_t(Errno::TIMEDOUT);
            t->state = proc::Thread::State::runnable;
        }
        if (t && t->state == proc::Thread::State::runnable) {
            run(t);
            continue;
        }
        if (!channel::prepare_to_sleep())
            continue;
        // Tickless: the timer only for a deadline somebody waits for.
        uint64_t deadline = t && t->state == proc::Thread::State::blocked ? t->wake_tsc : 0;
        if (deadline)
            arch::timer::arm(deadline);
        arch::sti_hlt();
        arch::cli();
        if (deadline)
            arch::timer::disarm();
        channel::cancel_sleep();
    }
}

void sleep_until_tsc(uint64_t deadline)
{
    proc::Thread* t = percpu::current()->current;
    t->wait_type = 0;
    t->wake_tsc = deadline ? deadline : 1;
    block();
}

void block()
{
    percpu::Cpu* cpu = percpu::current();
    proc::Thread* t = cpu->current;
    t->state = proc::Thread::State::blocked;
    arch::switch_context(&t->saved_rsp, cpu->loop_rsp);
}

void preempt_to_loop()
{
    percpu::Cpu* cpu = percpu::current();
    proc::Thread* t = cpu->current;
    if (t)
        arch::switch_context(&t->saved_rsp, cpu->loop_rsp);
}

void exit_thread()
{
    percpu::Cpu* cpu = percpu::current();
    proc::Thread* t = cpu->current;
    t->state = proc::Thread::State::dead;
    uint64_t unused;
    arch::switch_context(&unused, cpu->loop_rsp);
    __builtin_unreachable();
}

} // namespace lwk::sched
