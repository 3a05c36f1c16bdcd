// The three measurements, templated on the work so that the loop being timed
// has no indirect call in it. Each runs on the calling (pinned) thread into
// buffers allocated before it starts: nothing allocates, nothing enters the
// kernel while the clock runs.
#pragma once

#include "bench_clock.h"

#include <mknoise/detour.hpp>

#include <cstdint>
#include <span>

namespace mk::noise {

// FWQ (LLNL Sequoia suite): out[i] = TSC cycles of the i-th quantum of
// 2^work_log2 iterations, the first starting at `start`.
template <typename Work>
void run_fwq(Work& work, unsigned work_log2, uint64_t start, std::span<uint64_t> out)
{
    const uint64_t iterations = uint64_t(1) << work_log2;
    while (mk_tsc_end() < start) { }
    for (uint64_t& sample : out) {
        uint64_t t0 = mk_tsc_begin();
        work(iterations);
        sample = mk_tsc_end() - t0;
    }
}

// FTQ (Sottile & Minnich 2004): out[k] = units of 2^unit_log2 iterations
// completed in the window [start + k*window, start + (k+1)*window). Window
// boundaries are fixed in time: a detour longer than a window leaves the
// windows it covers at 0 instead of shifting the ones after it.
template <typename Work>
void run_ftq(
    Work& work, unsigned unit_log2, uint64_t start, uint64_t window_ticks, std::span<uint64_t> out)
{
    const uint64_t iterations = uint64_t(1) << unit_log2;
    while (mk_tsc_end() < start) { }
    uint64_t end = start;
    for (uint64_t& count : out) {
        end += window_ticks;
        uint64_t n = 0;
        while (mk_tsc_end() < end) {
            work(iterations);
            ++n;
        }
        count = n;
    }
}

// Selfish detour: the smallest gap between two TSC reads of the loop over
// `iterations` reads.
inline uint64_t selfish_min_loop(uint64_t iterations)
{
    uint64_t best = UINT64_MAX;
    uint64_t prev = mk_tsc_end();
    for (uint64_t i = 0; i < iterations; ++i) {
        uint64_t now = mk_tsc_end();
        if (now - prev < best)
            best = now - prev;
        prev = now;
    }
    return best;
}

// Selfish detour (netgauge): read the TSC until `end`, handing every pair of
// consecutive reads to the recorder. Returns the last read: a detour can
// carry the loop past `end`.
inline uint64_t run_selfish(DetourRecorder& rec, uint64_t start, uint64_t end)
{
    uint64_t prev;
    while ((prev = mk_tsc_end()) < start) { }
    while (prev < end) {
        uint64_t now = mk_tsc_end();
        rec.observe(prev, now);
        prev = now;
    }
    return prev;
}

} // namespace mk::noise
