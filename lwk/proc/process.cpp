#include <proc/cputime.hpp>
#include <proc/elf.hpp>
#include <proc/layout.hpp>
#include <proc/process.hpp>
#include <proc/process_parts.hpp>
#include <proc/signal.hpp>
#include <proc/stack.hpp>
#include <proc/vdso.hpp>

#include <core/boot.hpp>
#include <core/channel.hpp>
#include <core/log.hpp>
#include <core/percpu.hpp>
#include <mm/buddy.hpp>
#include <mm/heap.hpp>
#include <mm/pmm.hpp>
#include <sched/mutex.hpp>
#include <sched/sched.hpp>
#include <syscall/futex.hpp>

#include <arch/cpu.hpp>
#include <arch/user.hpp>
#include <lib/format.hpp>

namespace lwk::proc {
namespace {

Process* processes = nullptr; // the processes of this LWK (one list, every core)
Spinlock list_lock;

constexpr uint64_t PAGE = 4096;

} // namespace

// Shared with fork_image.cpp (proc/process_parts.hpp).
void list_add(Process* p)
{
    LockGuard<Spinlock> g(list_lock);
    p->next = processes;
    processes = p;
}

void list_remove_locked(Process* p)
{
    for (Process** pp = &processes; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            return;
        }
}

void reply_spawned(const mk_msg_hdr& req, int error, uint64_t staging, uint64_t pt)
{
    mk_msg_spawned m{};
    m.hdr = {MK_MSG_SPAWNED, 0, req.pid, 0, req.seq};
    m.error = error;
    m.staging = staging;
    m.page_table = pt;
    channel::send(&m, sizeof m);
}

void reply_execed(const mk_msg_hdr& req, int error, const char* why)
{
    mk_msg_execed m{};
    m.hdr = {MK_MSG_EXECED, 0, req.pid, 0, req.seq};
    m.error = error;
    if (why)
        format(m.why, sizeof m.why, "%s", why);
    channel::send(&m, sizeof m);
}

// Asks Linux to drop its view of the whole window; the memory is freed
// when it says it has (unmapped()).
void start_dying(Process* p, int32_t status)
{
    p->state = Process::State::dying;
    p->exit_status = status;
    mk_msg_unmap m{};
    m.hdr = {MK_MSG_UNMAP, 0, p->pid, 0, ++p->unmap_seq};
    m.start = USER_START;
    m.len = USER_END - USER_START;
    channel::send(&m, sizeof m);
}

// A tid for a new thread: the main thread's is the pid; the others put a
// small number above Linux's pid range (pid_max is at most 2^22), unique
// among the process's live threads.
int32_t new_tid(Process* p)
{
    for (;;) {
        uint32_t k = p->tids_made++ % 255 + 1;
        int32_t tid = int32_t((k << 22) | uint32_t(p->pid));
        bool used = false;
        for (Thread* t = p->threads; t; t = t->proc_next)
            used |= t->tid == tid;
        if (!used)
            return tid;
    }
}

unsigned fpu_order()
{
    unsigned order = 0;
    while (mm::order_bytes(order) < arch::fpu_state_bytes())
        ++order;
    return order;
}

// A thread of p that enters user mode with this frame when first run.
Thread* new_thread(Process* p, const arch::InterruptFrame& frame, bool main)
{
    auto stack = mm::alloc_pages(KSTACK_ORDER);
    if (stack.is_error())
        return nullptr;
    auto fpu = mm::alloc_pages_zeroed(fpu_order());
    if (fpu.is_error()) {
        mm::free_pages(stack.value(), KSTACK_ORDER);
        return nullptr;
    }
    // A page of its own (not the kernel heap, which keeps what it grew
    // to): with its signal records a thread is most of a page.
    static_assert(sizeof(Thread) <= mm::PAGE_SIZE, "a Thread fits a page");
    auto page = mm::alloc_pages_zeroed(0);
    if (page.is_error()) {
        mm::free_pages(stack.value(), KSTACK_ORDER);
        mm::free_pages(fpu.value(), fpu_order());
        return nullptr;
    }
    auto* t = static_cast<Thread*>(boot::phys_to_virt(page.value()));
    t->proc = p;
    t->kstack_phys = stack.value();
    t->kstack_top = reinterpret_cast<uint64_t>(boot::phys_to_virt(stack.value())) + (PAGE << KSTACK_ORDER);
    t->saved_rsp = arch::prepare_user_frame(t->kstack_top, frame);
    t->fpu = boot::phys_to_virt(fpu.value());
    t->state = Thread::State::blocked; // until sched::add_thread
    LockGuard<Spinlock> g(p->lock);
    t->killed = p->exiting; // a kill that came while it was being made
    t->tid = main ? p->pid : new_tid(p);
    t->proc_next = p->threads;
    p->threads = t;
    ++p->nr_threads;
    return t;
}

// The core of p's with the fewest threads (one thread per core first),
// the lowest of equals. A thread put behind a busy one gets the core when
// that one blocks, or in time slices (sched.cpp).
uint32_t pick_core(Process* p)
{
    uint32_t best = percpu::index(), fewest = ~0u;
    for (uint32_t i = 0; i < boot::params->nr_cpus && i < 64; ++i) {
        percpu::Cpu* c = percpu::of(i);
        if (!(p->cores & (1ULL << i)) || !c)
            continue;
        uint32_t n = __atomic_load_n(&c->nr_threads, __ATOMIC_RELAXED);
        if (n < fewest) {
            fewest = n;
            best = i;
        }
    }
    return best;
}

void free_thread(Thread* t)
{
    Process* p = t->proc;
    bool last;
    {
        LockGuard<Spinlock> g(p->lock);
        for (Thread** pp = &p->threads; *pp; pp = &(*pp)->proc_next)
            if (*pp == t) {
                *pp = t->proc_next;
                break;
            }
        if (p->main == t)
            p->main = nullptr;
        cputime_retire(t);
        last = --p->nr_threads == 0;
    }
    mm::free_pages(t->kstack_phys, KSTACK_ORDER);
    mm::free_pages(boot::virt_to_phys(t->fpu), fpu_order());
    mm::free_pages(boot::virt_to_phys(t), 0);
    if (last)
        start_dying(p, p->exiting ? p->exit_status : p->last_status);
}

void corrupt_page_tables()
{
    LockGuard<Spinlock> g(list_lock);
    for (Process* p = processes; p; p = p->next) {
        if (!p->as)
            continue;
        auto* top = static_cast<uint64_t*>(boot::phys_to_virt(p->as->page_table()));
        for (int i = 0; i < 256; ++i)
            if (top[i] & arch::PTE_PRESENT)
                __atomic_store_n(&top[i], 0x1000ULL | arch::PTE_PRESENT | arch::PTE_WRITE | arch::PTE_USER,
                    __ATOMIC_RELEASE);
    }
}

Process* find(int32_t pid)
{
    LockGuard<Spinlock> g(list_lock);
    for (Process* p = processes; p; p = p->next)
        if (p->pid == pid)
            return p;
    return nullptr;
}

Process* get(int32_t pid)
{
    LockGuard<Spinlock> g(list_lock);
    for (Process* p = processes; p; p = p->next)
        if (p->pid == pid && p->state == Process::State::running) {
            ++p->users;
            return p;
        }
    return nullptr;
}

namespace {

// The end of a process whose memory Linux let go of: freed, and reported.
void free_process(Process* p);

} // namespace

void put(Process* p)
{
    bool last;
    {
        LockGuard<Spinlock> g(list_lock);
        last = --p->users == 0 && p->free_when_unused;
        if (last)
            list_remove_locked(p);
    }
    if (last)
        free_process(p);
}


void kill(const mk_msg_kill& m)
{
    Process* p = find(m.hdr.pid);
    if (!p || p->state == Process::State::dying)
        return;
    klog("pid %d: killed by Linux (signal %d)", p->pid, m.signal);
    kill_threads(p, m.signal & 0x7f);
}

void kill_threads(Process* p, int32_t status)
{
    bool none;
    {
        LockGuard<Spinlock> g(p->lock);
        if (!p->exiting) {
            p->exiting = true;
            p->exit_status = status;
        }
        none = p->nr_threads == 0;
        for (Thread* t = p->threads; t; t = t->proc_next) {
            t->killed = true;
            // Waits a kill ends; a lock or Linux's unmap answer comes anyway.
            if (t->wait_type != WAIT_LOCK && t->wait_type != MK_MSG_UNMAP)
                sched::wake_up(t, -int64_t(Errno::INTR));
            sched::kick(t->core); // out of user mode
        }
    }
    if (none && p->state != Process::State::dying)
        start_dying(p, status); // it never started
}

void unmapped(const mk_msg_unmap& m)
{
    Process* p = find(m.hdr.pid);
    if (!p)
        return;
    if (p->state != Process::State::dying) {
        // The staging area after exec: its threads free it (free_staging),
        // as they may be changing the address space now.
        if (m.start == p->staging && p->staging)
            __atomic_store_n(&p->staging_dropped, true, __ATOMIC_RELEASE);
        return;
    }
    if (m.hdr.seq != p->unmap_seq)
        return; // an older range; the whole window's answer is still to come
    {
        LockGuard<Spinlock> g(list_lock);
        if (p->users) { // another process's call still reads it: the last one frees it
            p->free_when_unused = true;
            return;
        }
        list_remove_locked(p);
    }
    free_process(p);
}

namespace {

void free_process(Process* p)
{
    int32_t status = p->exit_status;
    int32_t pid = p->pid;
    uint32_t p_fault = p->fault;
    uint64_t p_fault_addr = p->fault_addr, p_fault_ip = p->fault_ip;
    drop_fork_image(p); // a fork that was going on when it ended
    delete p->as;
    mm::kfree(p);
    klog("pid %d: exited with status %#x; %lu MiB free", pid, status, mm::pmm_free_bytes() >> 20);
    mk_msg_exit e{};
    e.hdr = {MK_MSG_EXIT, 0, pid, 0, 0};
    e.status = status;
    e.fault = p_fault;
    e.fault_addr = p_fault_addr;
    e.fault_ip = p_fault_ip;
    channel::send(&e, sizeof e);
}

} // namespace

void fault_process(int signal, uint32_t kind, uint64_t addr, uint64_t ip)
{
    Process* p = percpu::current()->current->proc;
    p->fault = kind;
    p->fault_addr = addr;
    p->fault_ip = ip;
    klog("pid %d: %s: signal %d at address %016lx, RIP %016lx", p->pid, p->path, signal, addr, ip);
    exit_process(signal);
}

void exit_process(int32_t status)
{
    kill_threads(percpu::current()->current->proc, status);
    sched::exit_thread();
}

void exit_thread(int32_t status)
{
    Thread* t = percpu::current()->current;
    Process* p = t->proc;
    // Robust mutexes it holds: their next owner learns it died.
    sys::futex_exit_robust(p, t);
    // CLONE_CHILD_CLEARTID: pthread_join waits for this word to become 0.
    if (t->clear_child_tid) {
        uint32_t zero = 0;
        if (!p->as->copy_out(t->clear_child_tid, &zero, 4).is_error())
            (void)sys::futex_wake(p, t->clear_child_tid, 1, ~0u);
    }
    {
        LockGuard<Spinlock> g(p->lock);
        p->last_status = status;
    }
    sched::exit_thread();
}

Result<int32_t> clone_thread(const arch::InterruptFrame& parent, uint64_t sp, bool set_tls, uint64_t tls,
    uint64_t clear_tid_addr, uint64_t parent_tid_addr, uint64_t child_tid_addr)
{
    Thread* me = percpu::current()->current;
    Process* p = me->proc;
    if (p->exiting)
        return Errno::AGAIN;
    arch::InterruptFrame frame = parent;
    frame.rax = 0; // the child's clone() returns 0
    if (sp)
        frame.rsp = sp;
    Thread* t = new_thread(p, frame, false);
    if (!t)
        return Errno::AGAIN;
    t->fs_base = set_tls ? tls : me->fs_base;
    t->sigmask = me->sigmask;
    t->clear_child_tid = clear_tid_addr;
    arch::fpu_save(t->fpu); // a copy of the parent's registers, as Linux does
    int32_t tid = t->tid;
    // Before the thread runs, as Linux does (pthread_join waits for the
    // word to go back to 0; a late write would undo the thread's exit).
    if (parent_tid_addr)
        (void)p->as->copy_out(parent_tid_addr, &tid, 4);
    if (child_tid_addr)
        (void)p->as->copy_out(child_tid_addr, &tid, 4);
    uint32_t core = pick_core(p);
    sched::add_thread(t, core);
    return tid;
}

void free_staging(Process* p)
{
    if (!__atomic_exchange_n(&p->staging_dropped, false, __ATOMIC_ACQ_REL))
        return;
    sched::MutexGuard g(p->as->mutex());
    if (p->staging) {
        (void)p->as->unmap(p->staging, p->staging_bytes);
        p->staging = 0;
    }
}

} // namespace lwk::proc
