// Statistics of the noise benchmarks: how samples (FWQ), work counts (FTQ)
// and detours (selfish) turn into one summary per core.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace mk::noise {

// Order statistics and moments of a sample set, in the samples' unit.
// stddev is the population standard deviation (divides by n).
struct Stats {
    size_t count = 0;
    double min = 0, median = 0, mean = 0, max = 0, stddev = 0;
};

Stats describe(std::span<const uint64_t> samples);

// One benchmark on one core, as printed and written to summary.csv.
struct Summary {
    std::string benchmark; // "fwq", "ftq" or "selfish"
    unsigned cpu = 0;
    std::string unit; // unit of stats: "us" (fwq sample, selfish detour) or "units" (ftq)
    Stats stats;
    double max_detour_us = 0;
    double noise_pct = 0;
    uint64_t detours = 0;
    double detours_per_s = 0;
    double duration_s = 0;
    // Interrupts the core took between the benchmark's start and end (-1:
    // not known).
    int64_t irqs_in_interval = -1;
    // Benchmark-specific figures (JSON only), e.g. the FTQ spectrum's peak.
    std::vector<std::pair<std::string, double>> extra;
};

// FWQ: cycles of each fixed work quantum. The minimum is the undisturbed
// quantum; max detour = max - min; noise % = sum(sample - min) / sum(sample);
// a sample more than detour_us above the minimum counts as a detour.
Summary summarize_fwq(std::span<const uint64_t> cycles, double tsc_hz, double detour_us);

// FTQ: work units completed in each window of window_us. The best window is
// the undisturbed one; a window's lost time is (max - count) / max of the
// window; noise % = sum(max - count) / (n * max); a window that lost more
// than detour_us counts as a detour.
Summary summarize_ftq(std::span<const uint64_t> counts, double window_us, double detour_us);

// Selfish detour: the totals of a run of duration_s (see detour.hpp); stats
// describe the recorded detour lengths. noise % is the CPU time lost to
// detours, sum(length) / duration.
struct DetourTotals {
    uint64_t count = 0;
    uint64_t total_ticks = 0;
    uint64_t longest_ticks = 0;
};
Summary summarize_selfish(std::span<const uint64_t> lengths, const DetourTotals& totals,
    double duration_s, double tsc_hz);

} // namespace mk::noise
