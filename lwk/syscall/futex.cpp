// futex(2) on the LWK: WAIT/WAKE and their bitset forms, REQUEUE,
// CMP_REQUEUE and WAKE_OP, with timeouts (the core's timer, armed for the
// nearest one). The priority-inheritance operations are not offered.
#include <syscall/clock.hpp>
#include <syscall/futex.hpp>
#include <syscall/syscall.hpp>

#include <core/percpu.hpp>
#include <proc/process.hpp>
#include <proc/signal.hpp>
#include <sched/mutex.hpp>
#include <sched/sched.hpp>

namespace lwk::sys {
namespace {

using proc::Thread;

constexpr uint32_t NR_BUCKETS = 64;

struct Bucket {
    Spinlock lock;
    Thread* first; // waiters in arrival order, through Thread::futex_next
};

Bucket buckets[NR_BUCKETS];

// What a waiter waits on: (its process, the address), or, for a shared
// futex (no FUTEX_PRIVATE_FLAG) in Linux's pages (shared memory), (none,
// the word's physical address), where every process mapping it meets.
struct Key {
    const void* space;
    uint64_t addr;
};

Key key_of(const proc::Process* p, uint64_t uaddr, bool shared)
{
    uint64_t phys;
    if (shared && p->as->foreign_phys(uaddr, phys))
        return {nullptr, phys};
    return {p, uaddr};
}

Bucket& bucket_of(const Key& k)
{
    uint64_t h = (reinterpret_cast<uint64_t>(k.space) >> 6) ^ (k.addr >> 2);
    h *= 0x9e3779b97f4a7c15ULL;
    return buckets[h >> 58];
}

void enqueue(Bucket& b, Thread* t)
{
    t->futex_next = nullptr;
    t->futex_queued = true;
    Thread** pp = &b.first;
    while (*pp)
        pp = &(*pp)->futex_next;
    *pp = t;
}

void dequeue(Bucket& b, Thread* t)
{
    for (Thread** pp = &b.first; *pp; pp = &(*pp)->futex_next)
        if (*pp == t) {
            *pp = t->futex_next;
            break;
        }
    t->futex_queued = false;
}

bool matches(const Thread* t, const Key& k) { return t->futex_space == k.space && t->futex_key == k.addr; }

// Under b.lock: wakes up to n waiters of k (bitset), returns how many.
long wake_locked(Bucket& b, const Key& k, uint32_t n, uint32_t bitset)
{
    long woken = 0;
    for (Thread* t = b.first; t && uint32_t(woken) < n;) {
        Thread* next = t->futex_next;
        if (matches(t, k) && (t->futex_bitset & bitset)) {
            dequeue(b, t);
            woken += sched::wake_up(t, 0) ? 1 : 0;
        }
        t = next;
    }
    return woken;
}

// Both buckets locked, in a fixed order (once if they are the same).
class TwoLocks {
public:
    TwoLocks(Bucket& a, Bucket& b) : a_(&a < &b ? a : b), b_(&a < &b ? b : a)
    {
        a_.lock.lock();
        if (&a_ != &b_)
            b_.lock.lock();
    }
    ~TwoLocks()
    {
        if (&a_ != &b_)
            b_.lock.unlock();
        a_.lock.unlock();
    }

private:
    Bucket& a_;
    Bucket& b_;
};

Result<uint32_t*> word(Context& c, uint64_t uaddr, bool write)
{
    if (uaddr & 3)
        return Errno::INVAL;
    void* k = TRY(c.proc->as->kernel_address(uaddr, 4, write));
    return static_cast<uint32_t*>(k);
}

// The TSC deadline of a futex timeout (0: none). FUTEX_WAIT's is relative
// (CLOCK_MONOTONIC); the others' absolute, on CLOCK_REALTIME if asked.
Result<uint64_t> deadline(Context& c, uint64_t timeout, bool absolute, bool realtime)
{
    if (!timeout)
        return uint64_t(0);
    uint64_t t = TRY(read_timespec(c, timeout));
    uint64_t clock = realtime ? REALTIME : MONOTONIC;
    uint64_t now = TRY(now_ns(c.proc, clock));
    return tsc_deadline(now, absolute ? t : now + t);
}

Result<long> wait(Context& c, uint64_t uaddr, uint32_t val, uint64_t deadline_tsc, uint32_t bitset, bool shared)
{
    if (!bitset)
        return Errno::INVAL;
    Thread* t = c.thread;
    Bucket* bp;
    {
        // The memory cannot go while its word is compared.
        sched::MutexGuard mm(c.proc->as->mutex());
        uint32_t* w = TRY(word(c, uaddr, false));
        Key k = key_of(c.proc, uaddr, shared);
        bp = &bucket_of(k);
        LockGuard<Spinlock> g(bp->lock);
        if (__atomic_load_n(w, __ATOMIC_SEQ_CST) != val)
            return Errno::AGAIN;
        t->futex_space = k.space;
        t->futex_key = k.addr;
        t->futex_bitset = bitset;
        t->wait_type = proc::WAIT_FUTEX;
        t->wake_tsc = deadline_tsc;
        enqueue(*bp, t);
        sched::mark_blocked(t); // a wake from now on is not lost
    }
    if (proc::signal_pending(t)) // sent before the thread was seen blocked
        sched::wake_up(t, -int64_t(Errno::INTR));
    sched::schedule();
    long r = long(t->wait_result);
    {
        // A requeue may have moved it to another bucket meanwhile.
        Bucket& b = bucket_of(Key{t->futex_space, t->futex_key});
        LockGuard<Spinlock> g(b.lock);
        if (t->futex_queued) // timed out, killed or signalled: still queued
            dequeue(b, t);
    }
    // A signal: without a timeout the wait starts again after it (unless a
    // handler without SA_RESTART ran); with one, EINTR (as Linux has it).
    if (r == -long(Errno::INTR))
        return deadline_tsc ? Errno::RESTARTNOHAND : Errno::RESTARTSYS;
    if (r < 0)
        return Error(int(-r));
    return 0;
}

Result<long> requeue(Context& c, uint64_t uaddr, uint32_t nr_wake, uint32_t nr_requeue, uint64_t uaddr2,
    bool compare, uint32_t val3, bool shared)
{
    sched::MutexGuard mm(c.proc->as->mutex());
    TRY(word(c, uaddr2, false));
    uint32_t* w = TRY(word(c, uaddr, false)); // after: a word of Linux's pages is seen through one slot
    Key k1 = key_of(c.proc, uaddr, shared), k2 = key_of(c.proc, uaddr2, shared);
    Bucket& b1 = bucket_of(k1);
    Bucket& b2 = bucket_of(k2);
    TwoLocks g(b1, b2);
    if (compare && __atomic_load_n(w, __ATOMIC_SEQ_CST) != val3)
        return Errno::AGAIN;
    long done = wake_locked(b1, k1, nr_wake, ~0u);
    uint32_t moved = 0;
    for (Thread* t = b1.first; t && moved < nr_requeue;) {
        Thread* next = t->futex_next;
        if (matches(t, k1)) {
            dequeue(b1, t);
            t->futex_space = k2.space;
            t->futex_key = k2.addr;
            enqueue(b2, t);
            ++moved;
        }
        t = next;
    }
    return done + long(moved);
}

bool compare(uint32_t cmp, int32_t old, int32_t arg)
{
    switch (cmp) {
    case 0: return old == arg;
    case 1: return old != arg;
    case 2: return old < arg;
    case 3: return old <= arg;
    case 4: return old > arg;
    case 5: return old >= arg;
    default: return false;
    }
}

Result<long> wake_op(Context& c, uint64_t uaddr, uint32_t n1, uint64_t uaddr2, uint32_t n2, uint32_t val3,
    bool shared)
{
    uint32_t op = (val3 >> 28) & 7, cmp = (val3 >> 24) & 15;
    int32_t oparg = int32_t(val3 << 8) >> 20, cmparg = int32_t(val3 << 20) >> 20;
    if ((val3 >> 28) & 8)
        oparg = oparg < 0 || oparg > 31 ? 0 : 1 << oparg;
    if (op > 4 || cmp > 5)
        return Errno::NOSYS;
    sched::MutexGuard mm(c.proc->as->mutex());
    TRY(word(c, uaddr, false));
    Key k1 = key_of(c.proc, uaddr, shared), k2 = key_of(c.proc, uaddr2, shared);
    uint32_t* w2 = TRY(word(c, uaddr2, true)); // (the last kmap of its slot: used below)
    Bucket& b1 = bucket_of(k1);
    Bucket& b2 = bucket_of(k2);
    TwoLocks g(b1, b2);
    uint32_t old = __atomic_load_n(w2, __ATOMIC_RELAXED), next;
    do {
        switch (op) {
        case 0: next = uint32_t(oparg); break;
        case 1: next = old + uint32_t(oparg); break;
        case 2: next = old | uint32_t(oparg); break;
        case 3: next = old & ~uint32_t(oparg); break;
        default: next = old ^ uint32_t(oparg); break;
        }
    } while (!__atomic_compare_exchange_n(w2, &old, next, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
    long done = wake_locked(b1, k1, n1, ~0u);
    if (compare(cmp, int32_t(old), cmparg))
        done += wake_locked(b2, k2, n2, ~0u);
    return done;
}

long wake(proc::Process* p, uint64_t uaddr, uint32_t n, uint32_t bitset, bool shared)
{
    Key k;
    {
        sched::MutexGuard mm(p->as->mutex()); // the page stays while its key is read
        k = key_of(p, uaddr, shared);
    }
    Bucket& b = bucket_of(k);
    LockGuard<Spinlock> g(b.lock);
    return wake_locked(b, k, n, bitset);
}

} // namespace

long futex_wake(proc::Process* p, uint64_t uaddr, uint32_t n, uint32_t bitset)
{
    return wake(p, uaddr, n, bitset, true);
}

namespace {

// A robust futex word at uaddr held by tid: its owner is gone.
void owner_died(proc::Process* p, uint64_t uaddr, int32_t tid)
{
    constexpr uint32_t WAITERS = 0x80000000u, OWNER_DIED = 0x40000000u, TID_MASK = 0x3fffffffu;
    if (uaddr & 3)
        return;
    bool wake = false;
    {
        sched::MutexGuard mm(p->as->mutex());
        auto k = p->as->kernel_address(uaddr, 4, true);
        if (k.is_error())
            return;
        auto* w = static_cast<uint32_t*>(k.value());
        uint32_t old = __atomic_load_n(w, __ATOMIC_RELAXED);
        do {
            if ((old & TID_MASK) != uint32_t(tid))
                return;
        } while (!__atomic_compare_exchange_n(w, &old, (old & WAITERS) | OWNER_DIED, false, __ATOMIC_SEQ_CST,
            __ATOMIC_RELAXED));
        wake = old & WAITERS;
    }
    if (wake)
        futex_wake(p, uaddr, 1, ~0u);
}

} // namespace

void futex_exit_robust(proc::Process* p, Thread* t)
{
    // struct robust_list_head { next; futex_offset; list_op_pending; }
    constexpr unsigned LIMIT = 2048; // as Linux: a looping list ends somewhere
    uint64_t head = t->robust_list;
    if (!head)
        return;
    uint64_t h[3];
    if (p->as->copy_in(h, head, sizeof h).is_error())
        return;
    int64_t offset = int64_t(h[1]);
    uint64_t pending = h[2] & ~uint64_t(1);
    uint64_t entry = h[0] & ~uint64_t(1);
    for (unsigned n = 0; entry != head && n < LIMIT; ++n) {
        uint64_t next;
        if (p->as->copy_in(&next, entry, 8).is_error())
            break;
        if (entry != pending)
            owner_died(p, entry + uint64_t(offset), t->tid);
        entry = next & ~uint64_t(1);
    }
    if (pending)
        owner_died(p, pending + uint64_t(offset), t->tid);
}

Result<long> sys_futex(Context& c)
{
    constexpr uint64_t WAIT = 0, WAKE = 1, REQUEUE = 3, CMP_REQUEUE = 4, WAKE_OP = 5, WAIT_BITSET = 9,
                       WAKE_BITSET = 10, PRIVATE = 128, CLOCK_REALTIME = 256;
    uint64_t uaddr = c.a[0], cmd = c.a[1] & ~(PRIVATE | CLOCK_REALTIME);
    bool realtime = c.a[1] & CLOCK_REALTIME, shared = !(c.a[1] & PRIVATE);
    uint32_t val = uint32_t(c.a[2]), val2 = uint32_t(c.a[3]), val3 = uint32_t(c.a[5]);
    uint64_t timeout = c.a[3], uaddr2 = c.a[4];
    if (realtime && cmd != WAIT && cmd != WAIT_BITSET)
        return Errno::NOSYS;
    // A word in a tracked file mapping is there before it is looked at
    // (its key is its page's physical address, as for all of Linux's pages).
    TRY(fault_in(c, uaddr, cmd == WAKE_OP));
    if (cmd == REQUEUE || cmd == CMP_REQUEUE || cmd == WAKE_OP)
        TRY(fault_in(c, uaddr2, cmd == WAKE_OP));
    switch (cmd) {
    case WAIT: return wait(c, uaddr, val, TRY(deadline(c, timeout, false, realtime)), ~0u, shared);
    case WAIT_BITSET: return wait(c, uaddr, val, TRY(deadline(c, timeout, true, realtime)), val3, shared);
    case WAKE:
    case WAKE_BITSET: {
        uint32_t bitset = cmd == WAKE ? ~0u : val3;
        if (!bitset)
            return Errno::INVAL;
        if (uaddr & 3)
            return Errno::INVAL;
        return wake(c.proc, uaddr, val, bitset, shared);
    }
    case REQUEUE: return requeue(c, uaddr, val, val2, uaddr2, false, 0, shared);
    case CMP_REQUEUE: return requeue(c, uaddr, val, val2, uaddr2, true, val3, shared);
    case WAKE_OP: return wake_op(c, uaddr, val, uaddr2, val2, val3, shared);
    default: return Errno::NOSYS; // the PI operations
    }
}

Result<long> sys_futex_waitv(Context&) { return Errno::NOSYS; }

} // namespace lwk::sys
