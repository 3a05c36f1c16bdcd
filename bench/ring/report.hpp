// Results of a run: the tables on stdout and the CSV files.
#pragma once

#include "stats.hpp"
#include "bench_clock.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ringbench {

// The TSC's rate (bench_clock.h) and how it was found.
struct TscCalibration {
    double cycles_per_ns; // TSC ticks per nanosecond of CLOCK_MONOTONIC
    double window_ms;     // length of each calibration window
    bool invariant;       // one rate on every core, always
};

struct LatencyResult {
    std::string name; // short, for CSV
    std::string label; // for people
    uint32_t payload; // bytes carried each way
    size_t block = 1; // round trips per timed block
    std::vector<std::vector<uint64_t>> rounds; // TSC cycles of each block, per round

    // One-way latency in cycles: each block's time over twice its round
    // trips, all rounds pooled.
    Summary one_way() const;
    // The p50 one-way latency of each round, in cycles.
    std::vector<double> round_p50s() const;
};

struct StreamResult {
    std::string name;
    std::string label;
    uint32_t payload; // bytes per message
    uint32_t batch; // messages per flush (1: none)
    uint64_t messages; // per run
    std::vector<uint64_t> cycles; // per run (round)

    // Messages per second of each run.
    std::vector<double> rates(const TscCalibration& tsc) const;
};

void print_latency(const std::vector<LatencyResult>& results, const TscCalibration& tsc);
void print_throughput(const std::vector<StreamResult>& results, const TscCalibration& tsc);

// latency_samples.csv (raw block times), latency.csv and throughput.csv
// (summaries and runs) in dir, which is created. Throws mk::Error.
void write_csv(const std::string& dir, const std::vector<LatencyResult>& latency,
    const std::vector<StreamResult>& throughput, const TscCalibration& tsc);

} // namespace ringbench
