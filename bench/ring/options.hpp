// Command line of mk-ring-bench.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringbench {

struct Options {
    std::vector<unsigned> cpus; // empty: chosen with hwloc
    unsigned rounds = 40; // every method runs once per round, rounds interleaved
    size_t samples = 1'000; // timed blocks per latency method per round
    size_t block = 16; // round trips per timed block
    size_t warmup = 2'000; // round trips before the timed ones
    size_t eventfd_samples = 60; // timed blocks for eventfd, which is ~100x slower
    uint64_t messages = 500'000; // per streaming run
    uint32_t batch = 16; // messages per flush in the batched runs
    std::string csv_dir; // empty: no CSV
};

// nullopt when --help was asked for (and printed). Throws mk::Error on a
// bad command line.
std::optional<Options> parse_options(int argc, char** argv);

} // namespace ringbench
