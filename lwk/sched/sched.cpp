#include <sched/sched.hpp>

#include <core/boot.hpp>
#include <core/channel.hpp>
#include <core/cmdline.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>
#include <core/percpu.hpp>
#include <mm/kernel_vm.hpp>
#include <proc/cputime.hpp>
#include <proc/process.hpp>
#include <proc/signal.hpp>

#include <arch/apic.hpp>
#include <arch/cpu.hpp>
#include <arch/timer.hpp>
#include <arch/user.hpp>

namespace lwk::sched {
namespace {

using proc::Thread;
using State = Thread::State;

// The thread of pid/tid waiting for this message; nullptr if none.
Thread* waiter(const mk_msg_hdr& h)
{
    proc::Process* p = proc::find(h.pid);
    if (!p)
        return nullptr;
    LockGuard<Spinlock> g(p->lock);
    for (Thread* t = p->threads; t; t = t->proc_next)
        if (t->tid == h.tid && t->wait_type == h.type && t->wait_seq == h.seq)
            return t;
    return nullptr;
}

// A reply or acknowledgement for the thread that waits for it (normally on
// this core: Linux answers on the core that asked).
void deliver(const mk_msg_hdr& h, int64_t result)
{
    Thread* t = waiter(h);
    if (t && wake_up(t, result))
        return;
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
    case MK_MSG_SIGNAL:
        if (fits<mk_msg_signal>(len))
            return proc::signal_from_linux(*reinterpret_cast<const mk_msg_signal*>(buf));
        break;
    case MK_MSG_FLUSH:
        if (fits<mk_msg_flush>(len))
            return proc::flush_from_linux(*reinterpret_cast<const mk_msg_flush*>(buf));
        break;
    case MK_MSG_COW:
        if (fits<mk_msg_cow>(len))
            return proc::cow_from_linux(*reinterpret_cast<const mk_msg_cow*>(buf));
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

void ring_remove(percpu::Cpu* cpu, Thread* t)
{
    Thread* prev = cpu->threads;
    while (prev->rq_next != t)
        prev = prev->rq_next;
    if (prev == t) {
        cpu->threads = nullptr;
    } else {
        prev->rq_next = t->rq_next;
        if (cpu->threads == t)
            cpu->threads = t->rq_next;
    }
    if (cpu->last_run == t)
        cpu->last_run = nullptr;
    --cpu->nr_threads;
}

// The address space goes when its last thread does: this core must not
// hold its page table any more.
void load_kernel_tables(percpu::Cpu* cpu)
{
    mm::kernel_vm_load();
    cpu->as_loaded.store(nullptr);
}

void free_dead(percpu::Cpu* cpu, Thread* t)
{
    if (cpu->fpu_owner == t)
        cpu->fpu_owner = nullptr;
    bool empty;
    {
        LockGuard<Spinlock> g(cpu->rq_lock);
        ring_remove(cpu, t);
        empty = cpu->threads == nullptr;
    }
    // Its address space may go with it while this core keeps threads of
    // another program (cores shared with mkexec --oversubscribe): the core
    // must not be left on its page table.
    if (empty || cpu->as_loaded.load(Order::relaxed) == t->proc->as)
        load_kernel_tables(cpu);
    if (empty) {
        boot::shared_store(cpu->boot->pid, 0);
        boot::shared_store(cpu->boot->user_bytes, uint64_t(0));
    }
    proc::free_thread(t);
}

struct Pick {
    Thread* next = nullptr;
    Thread* dead = nullptr;
    uint64_t deadline = 0; // the nearest of the threads left blocked
    bool shared = false;   // another runnable thread waits for the core
};

// With more runnable threads than one on a core, each runs this long at
// most before the next takes its turn (a spinning thread must not keep
// the one it waits for off the core). One thread per core: no tick at all.
constexpr uint64_t SLICE_US = 10000;

// Under rq_lock: ends expired waits, finds a dead thread to free, picks the
// next runnable thread round robin.
Pick look(percpu::Cpu* cpu)
{
    Pick pick;
    Thread* first = cpu->threads;
    if (!first)
        return pick;
    Thread* resume = cpu->resume;
    cpu->resume = nullptr;
    uint64_t now = arch::rdtsc();
    Thread* t = first;
    do {
        if (t->state == State::blocked && t->wake_tsc) {
            if (now >= t->wake_tsc) {
                t->wake_tsc = 0;
                t->wait_result = -int64_t(Errno::TIMEDOUT);
                t->state = State::runnable;
            }
        }
        if (t->state == State::dead && !pick.dead)
            pick.dead = t;
        t = t->rq_next;
    } while (t != first);
    // No time slicing: an interrupted thread goes on (a spinning thread
    // must not be put aside for one it waits for); otherwise round robin.
    Thread* start = resume && resume->state == State::runnable ? resume
        : cpu->last_run                                         ? cpu->last_run->rq_next
                                                                : first;
    t = start;
    do {
        if (t->state == State::runnable) {
            pick.next = t;
            break;
        }
        t = t->rq_next;
    } while (t != start);
    t = first;
    do {
        if (t != pick.next && t->state == State::blocked && t->wake_tsc &&
            (!pick.deadline || t->wake_tsc < pick.deadline))
            pick.deadline = t->wake_tsc;
        if (t != pick.next && t->state == State::runnable)
            pick.shared = true;
        t = t->rq_next;
    } while (t != first);
    return pick;
}

// A thread that asked for another core (sched_setaffinity) goes there.
void move(percpu::Cpu* cpu, Thread* t)
{
    if (cpu->fpu_owner == t) {
        arch::fpu_save(t->fpu);
        cpu->fpu_owner = nullptr;
    }
    bool empty;
    {
        LockGuard<Spinlock> g(cpu->rq_lock);
        ring_remove(cpu, t);
        empty = cpu->threads == nullptr;
    }
    // Off its page table too: its program may end while this core keeps
    // another's threads (see free_dead).
    if (empty || cpu->as_loaded.load(Order::relaxed) == t->proc->as)
        load_kernel_tables(cpu);
    add_thread(t, t->move_to);
}

void run(percpu::Cpu* cpu, Thread* t)
{
    cpu->need_resched = false;
    cpu->current = t;
    cpu->kernel_rsp = t->kstack_top;
    cpu->tables.tss.rsp[0] = t->kstack_top;
    proc::AddressSpace* as = t->proc->as;
    if (cpu->as_loaded.load(Order::relaxed) != as) {
        cpu->as_loaded.store(as);
        cpu->flushed_gen.store(as->tlb_generation());
        as->activate();
        // This core runs that process now (its memory: see publish).
        boot::shared_store(cpu->boot->pid, t->proc->pid);
    }
    if (cpu->fpu_owner != t) {
        if (cpu->fpu_owner)
            arch::fpu_save(cpu->fpu_owner->fpu);
        arch::fpu_restore(t->fpu);
        cpu->fpu_owner = t;
    }
    arch::wrmsr(arch::MSR_FS_BASE, t->fs_base);
    proc::cputime_on(t);
    const uint64_t in = arch::rdtsc();
    arch::switch_context(&cpu->loop_rsp, t->saved_rsp);
    __atomic_store_n(&cpu->busy_tsc, cpu->busy_tsc + (arch::rdtsc() - in), __ATOMIC_RELAXED);
    proc::cputime_off(t);
    cpu->current = nullptr;
    cpu->last_run = t;
    if (t->move_to != t->core && t->state == State::runnable) // it yielded to move
        move(cpu, t);
}

} // namespace

void publish(Thread* t)
{
    mk_boot_cpu* b = percpu::current()->boot;
    boot::shared_store(b->pid, t->proc->pid);
    boot::shared_store(b->user_bytes, t->proc->as->mapped_bytes());
}

void kick(uint32_t core)
{
    percpu::Cpu* cpu = percpu::of(core);
    if (cpu && core != percpu::index()) {
        cpu->kicks.fetch_add(1, Order::release);
        arch::apic::send_ipi(cpu->apic_id, MK_LWK_VECTOR_RESCHED);
    }
}

void add_thread(Thread* t, uint32_t core)
{
    percpu::Cpu* cpu = percpu::of(core);
    t->core = t->move_to = core;
    t->state = State::runnable;
    {
        LockGuard<Spinlock> g(cpu->rq_lock);
        if (cpu->threads) {
            t->rq_next = cpu->threads->rq_next;
            cpu->threads->rq_next = t;
        } else {
            t->rq_next = t;
            cpu->threads = t;
        }
        ++cpu->nr_threads;
    }
    kick(core);
}

bool wake_up(Thread* t, int64_t result)
{
    percpu::Cpu* cpu = percpu::of(t->core);
    {
        LockGuard<Spinlock> g(cpu->rq_lock);
        if (t->state != State::blocked) {
            if (!t->lent_va || t->early)
                return false;
            t->early = true; // lent to mk.ko: it looks when it is done
            t->early_result = result;
            return true;
        }
        t->wait_result = result;
        t->wake_tsc = 0;
        t->state = State::runnable;
    }
    if (t->core == percpu::index() && percpu::current()->current)
        percpu::current()->need_resched = true; // no IPI to itself: see return_to_user
    else
        kick(t->core);
    return true;
}

bool signal_wake(Thread* t, uint32_t* seq)
{
    percpu::Cpu* cpu = percpu::of(t->core);
    {
        LockGuard<Spinlock> g(cpu->rq_lock);
        if (t->state == State::dead)
            return false;
        if (t->lent_va && t->wait_type == MK_MSG_SYSCALL) {
            *seq = t->wait_seq; // its call is still Linux's to cut short
            return true;
        }
        if (t->state == State::blocked) {
            if (t->wait_type == MK_MSG_SYSCALL) {
                *seq = t->wait_seq;
                return true;
            }
            if (t->wait_type != proc::WAIT_FUTEX && t->wait_type != proc::WAIT_SIGNAL && t->wait_type != 0)
                return false; // a lock, an unmap: it looks at its signals after
            t->wait_result = -int64_t(Errno::INTR);
            t->wake_tsc = 0;
            t->state = State::runnable;
            if (t->core == percpu::index() && percpu::current()->current)
                percpu::current()->need_resched = true;
        }
    }
    kick(t->core); // running elsewhere: out of user mode, through the signal check
    return false;
}

namespace {

// Under the core's rq_lock. A killed thread does not start a wait a kill
// would end: kill_threads woke it once, before this wait began.
void block_locked(Thread* t)
{
    if (t->killed && t->wait_type != proc::WAIT_LOCK && t->wait_type != MK_MSG_UNMAP) {
        t->wait_result = -int64_t(Errno::INTR);
        t->wake_tsc = 0;
        return;
    }
    t->state = State::blocked;
}

// How long an idle core whose thread waits for Linux watches its ring
// before it halts: the LWK's command line forward_poll_us=N (0: never);
// 200 us by default.
uint64_t linux_poll_ticks()
{
    static uint64_t ticks = ~0ULL;
    if (ticks == ~0ULL) {
        uint64_t us = 200;
        if (const char* v = cmdline::get("forward_poll_us")) {
            us = 0;
            for (; *v >= '0' && *v <= '9' && us < 1000000; ++v)
                us = us * 10 + uint64_t(*v - '0');
        }
        ticks = us * boot::params->tsc_khz / 1000;
    }
    return ticks;
}

// Watches the ring from Linux (interrupts on) until a message is there,
// another core wakes one of this core's threads (kicks moves on from what
// it was before the loop looked at its threads), the deadline or the poll
// time passes. While the core watches, Linux sees it awake and sends no
// doorbell for the reply. True if there is something to do.
bool watch_for_linux(percpu::Cpu* cpu, uint64_t deadline, uint32_t kicks)
{
    uint64_t until = arch::rdtsc() + linux_poll_ticks();
    if (deadline && deadline < until)
        until = deadline;
    bool woken = false;
    arch::sti();
    while (arch::rdtsc() < until) {
        if (channel::pending() || cpu->kicks.load(Order::acquire) != kicks) {
            woken = true;
            break;
        }
        arch::pause();
    }
    arch::cli();
    return woken;
}

} // namespace

bool lend(Thread* t, uint64_t va, uint32_t seq, uint32_t core)
{
    percpu::Cpu* cpu = percpu::of(t->core);
    {
        LockGuard<Spinlock> g(cpu->rq_lock);
        if (t->state != State::blocked || t->wait_type != MK_MSG_SYSCALL || t->lent_va || !va)
            return false;
        t->lent_va = va;
        t->lent_seq = seq;
        t->lent_core = core;
        t->early = false;
        t->state = State::runnable;
    }
    if (t->core == percpu::index() && percpu::current()->current)
        percpu::current()->need_resched = true;
    else
        kick(t->core);
    return true;
}

bool reblock_lent(Thread* t)
{
    percpu::Cpu* cpu = percpu::of(t->core);
    LockGuard<Spinlock> g(cpu->rq_lock);
    t->lent_va = 0;
    if (t->early) {
        t->early = false;
        t->wait_result = t->early_result;
        return false;
    }
    block_locked(t);
    return t->state == State::blocked;
}

void mark_blocked(Thread* t)
{
    percpu::Cpu* cpu = percpu::of(t->core);
    LockGuard<Spinlock> g(cpu->rq_lock);
    block_locked(t);
}

void schedule()
{
    percpu::Cpu* cpu = percpu::current();
    Thread* t = cpu->current;
    arch::switch_context(&t->saved_rsp, cpu->loop_rsp);
}

void block()
{
    mark_blocked(percpu::current()->current);
    schedule();
}

void sleep_until_tsc(uint64_t deadline)
{
    Thread* t = percpu::current()->current;
    t->wait_type = 0;
    percpu::Cpu* cpu = percpu::current();
    {
        LockGuard<Spinlock> g(cpu->rq_lock);
        t->wake_tsc = deadline ? deadline : 1;
        block_locked(t);
    }
    // A signal sent before the thread was seen blocked ends the wait now.
    if (proc::signal_pending(t))
        wake_up(t, -int64_t(Errno::INTR));
    schedule();
}

void yield() { schedule(); }

void preempt_to_loop(bool keep_running)
{
    percpu::Cpu* cpu = percpu::current();
    if (!cpu->current)
        return;
    if (keep_running)
        cpu->resume = cpu->current;
    schedule();
}

void unload_tables()
{
    percpu::Cpu* cpu = percpu::current();
    if (cpu->as_loaded.load())
        load_kernel_tables(cpu);
}

void return_to_user()
{
    percpu::Cpu* cpu = percpu::current();
    Thread* t = cpu->current;
    if (!t)
        return;
    if (t->killed)
        exit_thread();
    if (cpu->need_resched) {
        // It woke a thread of this core: the loop decides who runs (and arms
        // the time slice when they share the core).
        cpu->need_resched = false;
        schedule();
        if (t->killed)
            exit_thread();
    }
}

void log_threads()
{
    percpu::Cpu* cpu = percpu::current();
    Thread* first = cpu->threads;
    if (!first)
        return;
    const uint64_t now = arch::rdtsc();
    Thread* t = first;
    unsigned n = 0;
    do {
        const auto* f = reinterpret_cast<const arch::InterruptFrame*>(t->kstack_top - sizeof(arch::InterruptFrame));
        const char* state = t->state == State::runnable ? "runnable" : t->state == State::blocked ? "blocked" : "dead";
        const int64_t wake_us = t->wake_tsc ? int64_t(t->wake_tsc - now) * 1000 / int64_t(boot::params->tsc_khz) : 0;
        log::printf_nmi("  pid %d tid %d%s: %s, wait %#x seq %u, deadline in %ld us, user RIP %016lx",
            t->proc->pid, t->tid, t == cpu->current ? " (on the core)" : "", state, t->wait_type, t->wait_seq,
            wake_us, f->rip);
        t = t->rq_next;
    } while (t && t != first && ++n < 64);
}

void exit_thread()
{
    percpu::Cpu* cpu = percpu::current();
    Thread* t = cpu->current;
    {
        LockGuard<Spinlock> g(cpu->rq_lock);
        t->state = State::dead;
    }
    uint64_t unused;
    arch::switch_context(&unused, cpu->loop_rsp);
    __builtin_unreachable();
}

void core_loop()
{
    percpu::Cpu* cpu = percpu::current();
    for (;;) {
        // Read before the threads are looked at: a wake-up from another core
        // after that moves it on. Its IPI may be taken (and so gone) while
        // the core watches for Linux, so the core looks at this count again
        // before it halts, rather than count on the IPI to end the halt.
        const uint32_t kicks = cpu->kicks.load(Order::acquire);
        drain();
        Pick pick;
        {
            LockGuard<Spinlock> g(cpu->rq_lock);
            pick = look(cpu);
        }
        if (pick.dead) {
            free_dead(cpu, pick.dead);
            continue;
        }
        if (pick.next) {
            // Linux rings the doorbell for what it sends while the thread runs.
            if (!channel::prepare_to_sleep())
                continue;
            // Another thread's deadline, or its turn, can come while this
            // one computes.
            uint64_t deadline = pick.deadline;
            if (pick.shared) {
                uint64_t slice = arch::rdtsc() + SLICE_US * boot::params->tsc_khz / 1000;
                if (!deadline || slice < deadline)
                    deadline = slice;
            }
            if (deadline)
                arch::timer::arm(deadline);
            run(cpu, pick.next);
            if (deadline)
                arch::timer::disarm();
            channel::cancel_sleep();
            continue;
        }
        if (cpu->linux_waits.load(Order::relaxed) && linux_poll_ticks() &&
            watch_for_linux(cpu, pick.deadline, kicks))
            continue;
        if (!channel::prepare_to_sleep())
            continue;
        if (cpu->kicks.load(Order::acquire) != kicks) { // woken since it looked
            channel::cancel_sleep();
            continue;
        }
        // Tickless: the timer only for a deadline somebody waits for.
        if (pick.deadline)
            arch::timer::arm(pick.deadline);
        arch::sti_hlt();
        arch::cli();
        if (pick.deadline)
            arch::timer::disarm();
        channel::cancel_sleep();
    }
}

} // namespace lwk::sched

// A new thread's first step, before user mode (thread_first_entry).
extern "C" void thread_first_check()
{
    using namespace lwk;
    proc::Thread* t = percpu::current()->current;
    // prepare_user_frame put the thread's first frame at the top of its stack.
    auto* f = reinterpret_cast<arch::InterruptFrame*>(t->kstack_top - sizeof(arch::InterruptFrame));
    proc::before_user(*f, -1);
}
