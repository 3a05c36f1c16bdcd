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
    proc::Thread* t = percpu::current()->current;
    if (!t)
        return;
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
