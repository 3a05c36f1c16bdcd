// Runs the selected benchmarks on every CPU of the run at once: one thread
// per CPU, pinned there, all starting each benchmark together.
#pragma once

#include "options.hpp"

#include <mknoise/detour.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mk::noise {

// What one CPU measured, in TSC ticks and work counts.
struct CoreSamples {
    unsigned cpu = 0;
    std::vector<uint64_t> fwq; // cycles per quantum
    std::vector<uint64_t> ftq; // work units per window
    uint64_t selfish_min_loop = 0; // ticks
    uint64_t selfish_ticks = 0; // how long the loop ran
    std::optional<DetourRecorder> selfish;
    // Interrupts the CPU took from each benchmark's start to its end (-1:
    // not known).
    int64_t irqs_fwq = -1, irqs_ftq = -1, irqs_selfish = -1;
};

// Throws mk::Error when a thread cannot be pinned to its CPU.
std::vector<CoreSamples> measure(const Options& opt, double tsc_hz);

// Iterations of the loop over which selfish finds its minimum loop time.
inline constexpr uint64_t selfish_calibration_loops = 1'000'000;

} // namespace mk::noise
