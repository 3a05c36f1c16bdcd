#include <mknoise/stats.hpp>

#include <algorithm>
#include <cmath>

namespace mk::noise {
namespace {

Stats scaled(Stats s, double factor)
{
    s.min *= factor;
    s.median *= factor;
    s.mean *= factor;
    s.max *= factor;
    s.stddev *= factor;
    return s;
}

} // namespace

Stats describe(std::span<const uint64_t> samples)
{
    Stats s;
    s.count = samples.size();
    if (samples.empty())
        return s;
    std::vector<uint64_t> sorted(samples.begin(), samples.end());
    std::sort(sorted.begin(), sorted.end());
    size_t n = sorted.size();
    s.min = static_cast<double>(sorted.front());
    s.max = static_cast<double>(sorted.back());
    s.median = n % 2
        ? static_cast<double>(sorted[n / 2])
        : (static_cast<double>(sorted[n / 2 - 1]) + static_cast<double>(sorted[n / 2])) / 2;
    // Moments about the minimum: the values are large and close together
    // (cycle counts), so this keeps the sums exact far longer.
    long double sum = 0, sum_sq = 0;
    for (uint64_t v : sorted) {
        long double d = static_cast<long double>(v - sorted.front());
        sum += d;
        sum_sq += d * d;
    }
    long double mean_d = sum / n;
    long double var = sum_sq / n - mean_d * mean_d;
    s.mean = s.min + static_cast<double>(mean_d);
    s.stddev = var > 0 ? static_cast<double>(std::sqrt(var)) : 0.0;
    return s;
}

Summary summarize_fwq(std::span<const uint64_t> cycles, double tsc_hz, double detour_us)
{
    Summary r;
    r.benchmark = "fwq";
    r.unit = "us";
    Stats raw = describe(cycles);
    r.stats = scaled(raw, 1e6 / tsc_hz);
    if (cycles.empty())
        return r;
    uint64_t min = static_cast<uint64_t>(raw.min);
    uint64_t limit = static_cast<uint64_t>(detour_us * tsc_hz / 1e6);
    long double excess = 0, total = 0;
    for (uint64_t c : cycles) {
        excess += c - min;
        total += c;
        if (c - min > limit)
            ++r.detours;
    }
    r.max_detour_us = r.stats.max - r.stats.min;
    r.noise_pct = total > 0 ? static_cast<double>(100 * excess / total) : 0;
    r.duration_s = static_cast<double>(total) / tsc_hz;
    r.detours_per_s = r.duration_s > 0 ? r.detours / r.duration_s : 0;
    return r;
}

Summary summarize_ftq(std::span<const uint64_t> counts, double window_us, double detour_us)
{
    Summary r;
    r.benchmark = "ftq";
    r.unit = "units";
    r.stats = describe(counts);
    r.duration_s = static_cast<double>(counts.size()) * window_us / 1e6;
    if (counts.empty() || r.stats.max == 0)
        return r;
    double best = r.stats.max;
    long double missing = 0;
    for (uint64_t c : counts) {
        double lost = best - static_cast<double>(c);
        missing += lost;
        if (lost / best * window_us > detour_us)
            ++r.detours;
    }
    r.max_detour_us = (best - r.stats.min) / best * window_us;
    r.noise_pct = static_cast<double>(100 * missing / (best * counts.size()));
    r.detours_per_s = r.detours / r.duration_s;
    r.extra.emplace_back("variance", r.stats.stddev * r.stats.stddev);
    return r;
}

Summary summarize_selfish(
    std::span<const uint64_t> lengths, const DetourTotals& totals, double duration_s, double tsc_hz)
{
    Summary r;
    r.benchmark = "selfish";
    r.unit = "us";
    r.stats = scaled(describe(lengths), 1e6 / tsc_hz);
    r.duration_s = duration_s;
    r.detours = totals.count;
    r.max_detour_us = static_cast<double>(totals.longest_ticks) * 1e6 / tsc_hz;
    if (duration_s > 0) {
        r.noise_pct = 100 * static_cast<double>(totals.total_ticks) / tsc_hz / duration_s;
        r.detours_per_s = totals.count / duration_s;
    }
    return r;
}

} // namespace mk::noise
