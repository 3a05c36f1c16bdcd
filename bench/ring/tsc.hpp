// The time-stamp counter: reading it and calibrating it against
// CLOCK_MONOTONIC.
#pragma once

#include <cstdint>

#include <x86intrin.h>

namespace ringbench {

// rdtscp waits for the instructions before it to execute (and their loads
// to complete), so a sample does not end before the work it measures.
inline uint64_t tsc_now()
{
    unsigned aux;
    return __rdtscp(&aux);
}

struct TscCalibration {
    double cycles_per_ns; // TSC ticks per nanosecond of CLOCK_MONOTONIC
    double window_ms; // length of the calibration window
    bool invariant; // constant_tsc and nonstop_tsc: one rate on every core, always
};

// Counts TSC ticks across window_ms of CLOCK_MONOTONIC. Each end is read as
// the tightest of several rdtsc/clock_gettime/rdtsc brackets.
TscCalibration calibrate_tsc(double window_ms);

} // namespace ringbench
