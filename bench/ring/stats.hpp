// Order statistics of latency samples.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ringbench {

struct Summary {
    size_t count = 0;
    double min = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0, mean = 0;
};

// Nearest-rank percentiles of samples (any unit), which it sorts.
Summary summarize(std::vector<double>& samples);

// The median of a few values (throughput runs), which it sorts.
double median(std::vector<double> values);

} // namespace ringbench
