// A sleeping lock for data threads use across blocking calls (an address
// space while Linux drops its view of a range): waiters block instead of
// spinning, the owner may take it again (recursive), and it is handed to
// the first waiter on release. In the core loop (no thread) it does
// nothing: the loop only touches what no thread can reach at the time.
#pragma once

#include <lib/spinlock.hpp>

#include <cstdint>

namespace lwk::proc {
struct Thread;
}

namespace lwk::sched {

class Mutex {
public:
    void lock();
    void unlock();
    // In the core loop: takes the lock only if nobody holds it (a thread
    // that wants it meanwhile waits for unlock_loop).
    bool try_lock_loop();
    void unlock_loop();
    // The thread that holds it (nullptr: none, or the core loop).
    proc::Thread* owner();

private:
    void release();
    Spinlock guard_;
    proc::Thread* owner_ = nullptr;
    uint32_t depth_ = 0;
    proc::Thread* first_ = nullptr; // waiters, FIFO through Thread::lock_next
    proc::Thread* last_ = nullptr;
};

class MutexGuard {
public:
    explicit MutexGuard(Mutex& m) : m_(m) { m_.lock(); }
    ~MutexGuard() { m_.unlock(); }
    MutexGuard(const MutexGuard&) = delete;
    MutexGuard& operator=(const MutexGuard&) = delete;

private:
    Mutex& m_;
};

} // namespace lwk::sched
