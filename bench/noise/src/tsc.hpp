// The time-stamp counter, read so that the work being timed cannot move
// across the read (Intel, "How to Benchmark Code Execution Times", 2010):
// a measurement starts with lfence; rdtsc; lfence and ends with
// rdtscp; lfence.
#pragma once

#include <cstdint>
#include <x86intrin.h>

namespace mk::noise {

// Start of a measured interval: earlier instructions have completed, later
// ones have not started.
inline uint64_t tsc_begin()
{
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}

// End of a measured interval: rdtscp waits for the work before it; the
// lfence keeps what follows from starting early.
inline uint64_t tsc_end()
{
    unsigned aux;
    uint64_t t = __rdtscp(&aux);
    _mm_lfence();
    return t;
}

struct TscFeatures {
    bool rdtscp = false;
    bool invariant = false; // constant rate, runs in all C-states
};

// From CPUID (no system call).
TscFeatures tsc_features();

// TSC frequency in kHz, measured against CLOCK_MONOTONIC: the median of
// `rounds` busy-waits of `ms` milliseconds each.
double calibrate_tsc_khz(unsigned rounds = 3, unsigned ms = 100);

} // namespace mk::noise
