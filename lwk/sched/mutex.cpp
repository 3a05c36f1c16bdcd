#include <sched/mutex.hpp>

#include <core/percpu.hpp>
#include <proc/process.hpp>
#include <sched/sched.hpp>

namespace lwk::sched {

void Mutex::lock()
{
    proc::Thread* t = percpu::current()->current;
    if (!t)
        return;
    guard_.lock();
    if (!owner_ || owner_ == t) {
        owner_ = t;
        ++depth_;
        guard_.unlock();
        return;
    }
    t->lock_next = nullptr;
    if (last_)
        last_->lock_next = t;
    else
        first_ = t;
    last_ = t;
    // A kill does not end this wait (WAIT_LOCK): unlock() hands it over.
    t->wait_type = proc::WAIT_LOCK;
    t->wake_tsc = 0;
    mark_blocked(t);
    guard_.unlock();
    schedule();
}

void Mutex::unlock()
{
    if (percpu::current()->current)
        release();
}

// The core loop's hold: no thread is its owner.
static proc::Thread* const LOOP = reinterpret_cast<proc::Thread*>(uintptr_t(1));

bool Mutex::try_lock_loop()
{
    LockGuard<Spinlock> g(guard_);
    if (owner_)
        return false;
    owner_ = LOOP;
    depth_ = 1;
    return true;
}

void Mutex::unlock_loop() { release(); }

proc::Thread* Mutex::owner()
{
    LockGuard<Spinlock> g(guard_);
    return owner_ == LOOP ? nullptr : owner_;
}

void Mutex::release()
{
    proc::Thread* next = nullptr;
    guard_.lock();
    if (--depth_ == 0) {
        next = first_;
        if (next) {
            first_ = next->lock_next;
            if (!first_)
                last_ = nullptr;
            depth_ = 1;
        }
        owner_ = next;
    }
    guard_.unlock();
    if (next)
        wake_up(next, 0);
}

} // namespace lwk::sched
