#include "stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ringbench {

Summary summarize(std::vector<double>& samples)
{
    Summary s;
    s.count = samples.size();
    if (samples.empty())
        return s;
    std::sort(samples.begin(), samples.end());
    auto rank = [&](double p) {
        size_t i = size_t(std::ceil(p * double(samples.size())));
        return samples[std::clamp<size_t>(i, 1, samples.size()) - 1];
    };
    s.min = samples.front();
    s.p50 = rank(0.50);
    s.p90 = rank(0.90);
    s.p99 = rank(0.99);
    s.p999 = rank(0.999);
    s.max = samples.back();
    s.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / double(samples.size());
    return s;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

} // namespace ringbench
