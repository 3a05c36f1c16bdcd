// A barrier that spins instead of sleeping. The benchmark threads own their
// CPUs, so spinning costs nothing; sleeping would make each thread's start
// depend on how fast the kernel wakes it, and FTQ's first windows would pay
// for that. It needs no futex either, one kernel service fewer on the LWK.
#pragma once

#include <atomic>
#include <cstdint>

namespace mk::noise {

class SpinBarrier {
public:
    explicit SpinBarrier(unsigned parties) : parties_(parties) { }

    // The last thread to arrive runs on_release() before the others go on.
    template <typename F> void arrive_and_wait(F&& on_release)
    {
        uint64_t gen = generation_.load(std::memory_order_acquire);
        if (waiting_.fetch_add(1, std::memory_order_acq_rel) + 1 == parties_) {
            on_release();
            waiting_.store(0, std::memory_order_relaxed);
            // Release: on_release()'s writes and the reset are seen by
            // everyone who sees the new generation.
            generation_.store(gen + 1, std::memory_order_release);
            return;
        }
        while (generation_.load(std::memory_order_acquire) == gen)
            __builtin_ia32_pause();
    }
    void arrive_and_wait()
    {
        arrive_and_wait([] {});
    }

private:
    const unsigned parties_;
    std::atomic<unsigned> waiting_{0};
    std::atomic<uint64_t> generation_{0};
};

} // namespace mk::noise
