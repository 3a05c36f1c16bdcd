// Two threads on two chosen CPUs, started at the same instant, and the two
// shapes of measurement run on them: ping-pong round trips and streaming.
#pragma once

#include "bench_clock.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

namespace ringbench {

// Set when one thread of the running pair failed, so that the other stops
// waiting for messages that will never come. On a line of its own: it is
// read in every wait loop and written only on failure.
struct alignas(64) PairFailed {
    std::atomic<bool> flag{false};
};
inline PairFailed pair_failed;

struct PairAborted : std::runtime_error {
    PairAborted() : std::runtime_error("the other thread failed") { }
};

inline void stop_if_pair_failed()
{
    if (pair_failed.flag.load(std::memory_order_relaxed)) [[unlikely]]
        throw PairAborted();
}

// Throws: `queue` delivered message `got` where `want` was due.
[[noreturn]] void misdelivered(const char* queue, uint64_t got, uint64_t want);

// Checks a message's sequence number on the timed path: one predicted
// branch, the throw out of line.
inline void expect(const char* queue, uint64_t got, uint64_t want)
{
    if (got != want) [[unlikely]]
        misdelivered(queue, got, want);
}

// Spins until ready() holds. Every method waits with this loop, so they all
// pay the same (one load of a line that no one writes) per spin.
template <class Ready> inline void spin_until(Ready&& ready)
{
    while (!ready())
        stop_if_pair_failed();
}

struct CpuPair {
    unsigned a; // pings, produces
    unsigned b; // answers, consumes
};

// Runs first on CPU a and second on CPU b. Both start once both threads are
// pinned; returns when both are done. Rethrows what either threw; throws
// mk::Error when a thread cannot be pinned.
void run_pair(
    const CpuPair& cpus, const std::function<void()>& first, const std::function<void()>& second);

struct LatencyPlan {
    size_t warmup; // round trips before the recorded ones
    size_t blocks; // timed blocks recorded
    size_t block; // round trips per timed block
};

// ping(i) on CPU a sends message i and waits for its answer; pong(i) on CPU b
// waits for message i and answers it. Returns the TSC cycles of each
// recorded block of plan.block round trips, timed on CPU a. Timing blocks
// rather than single round trips keeps the TSC's resolution and the cost of
// reading it (tens of cycles on virtual machines) out of the result.
template <class Ping, class Pong>
std::vector<uint64_t> round_trips(
    const CpuPair& cpus, const LatencyPlan& plan, Ping&& ping, Pong&& pong)
{
    const size_t total = plan.warmup + plan.blocks * plan.block;
    std::vector<uint64_t> blocks(plan.blocks);
    run_pair(
        cpus,
        [&] {
            size_t i = 0;
            for (; i < plan.warmup; ++i)
                ping(i);
            for (size_t b = 0; b < plan.blocks; ++b) {
                uint64_t t0 = mk_tsc_end();
                for (size_t end = i + plan.block; i < end; ++i)
                    ping(i);
                blocks[b] = mk_tsc_end() - t0;
            }
        },
        [&] {
            for (size_t i = 0; i < total; ++i)
                pong(i);
        });
    return blocks;
}

// produce() on CPU a, consume() on CPU b. Returns the TSC cycles from the
// start until the consumer has finished (the TSC is one clock on all cores
// when it is invariant, which the report states).
template <class Produce, class Consume>
uint64_t stream_cycles(const CpuPair& cpus, Produce&& produce, Consume&& consume)
{
    uint64_t start = 0, end = 0;
    run_pair(
        cpus,
        [&] {
            start = mk_tsc_end();
            produce();
        },
        [&] {
            consume();
            end = mk_tsc_end();
        });
    return end > start ? end - start : 0;
}

} // namespace ringbench
