// A ticket spinlock for the LWK's own data (never shared with Linux).
#pragma once

#include <lib/atomic.hpp>

#include <cstdint>

namespace lwk {

class Spinlock {
public:
    void lock()
    {
        uint32_t ticket = next_.fetch_add(1, Order::relaxed);
        while (serving_.load(Order::acquire) != ticket)
            __builtin_ia32_pause();
    }
    void unlock() { serving_.store(serving_.load(Order::relaxed) + 1, Order::release); }

private:
    Atomic<uint32_t> next_{0};
    Atomic<uint32_t> serving_{0};
};

template <typename Lock> class LockGuard {
public:
    explicit LockGuard(Lock& l) : lock_(l) { lock_.lock(); }
    ~LockGuard() { lock_.unlock(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    Lock& lock_;
};

} // namespace lwk
