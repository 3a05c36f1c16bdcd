// Atomics over GCC's __atomic builtins. The kernel does not use <atomic>:
// GCC 12's hosted <atomic> pulls in glibc headers (for its wait support).
#pragma once

namespace lwk {

enum class Order : int {
    relaxed = __ATOMIC_RELAXED,
    acquire = __ATOMIC_ACQUIRE,
    release = __ATOMIC_RELEASE,
    acq_rel = __ATOMIC_ACQ_REL,
    seq_cst = __ATOMIC_SEQ_CST,
};

template <typename T> class Atomic {
public:
    constexpr Atomic(T v = T()) : v_(v) {}
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    T load(Order o = Order::seq_cst) const { return __atomic_load_n(&v_, static_cast<int>(o)); }
    void store(T v, Order o = Order::seq_cst) { __atomic_store_n(&v_, v, static_cast<int>(o)); }
    T exchange(T v, Order o = Order::seq_cst) { return __atomic_exchange_n(&v_, v, static_cast<int>(o)); }
    T fetch_add(T v, Order o = Order::seq_cst) { return __atomic_fetch_add(&v_, v, static_cast<int>(o)); }
    T fetch_sub(T v, Order o = Order::seq_cst) { return __atomic_fetch_sub(&v_, v, static_cast<int>(o)); }
    T fetch_or(T v, Order o = Order::seq_cst) { return __atomic_fetch_or(&v_, v, static_cast<int>(o)); }
    T fetch_and(T v, Order o = Order::seq_cst) { return __atomic_fetch_and(&v_, v, static_cast<int>(o)); }
    bool compare_exchange(T& expected, T desired, Order o = Order::seq_cst)
    {
        return __atomic_compare_exchange_n(&v_, &expected, desired, false, static_cast<int>(o),
            o == Order::acq_rel || o == Order::release ? __ATOMIC_ACQUIRE : static_cast<int>(o));
    }

private:
    T v_;
};

} // namespace lwk
