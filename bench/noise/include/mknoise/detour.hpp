// Selfish-detour detection (ZeptoOS / netgauge): a thread reads the TSC in a
// tight loop; a gap between two reads longer than a threshold is a detour,
// time the thread did not get. The recorder sits in that loop, so observe()
// is inline, never allocates and costs one compare when nothing happened.
#pragma once

#include <mknoise/stats.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace mk::noise {

struct Detour {
    uint64_t start; // TSC ticks since the run started
    uint64_t length; // TSC ticks
};

// netgauge's rule: a gap is a detour when it exceeds threshold_pct percent of
// the minimum loop time (900 % by default there).
constexpr uint64_t detour_threshold(uint64_t min_loop_ticks, double threshold_pct)
{
    return static_cast<uint64_t>(static_cast<double>(min_loop_ticks) * threshold_pct / 100.0);
}

// The smallest gap between consecutive timestamps (0 for fewer than two).
uint64_t min_gap(std::span<const uint64_t> timestamps);

class DetourRecorder {
public:
    // Keeps the first `capacity` detours; later ones still count in totals().
    // The log is allocated and written here, so that recording never faults
    // a page in.
    DetourRecorder(uint64_t origin, uint64_t threshold, size_t capacity)
        : origin_(origin), threshold_(threshold), kept_(capacity)
    {
    }

    // Detour starts are kept relative to this TSC value.
    void set_origin(uint64_t origin) { origin_ = origin; }

    // Two consecutive TSC reads of the loop.
    void observe(uint64_t previous, uint64_t now)
    {
        uint64_t gap = now - previous;
        if (gap > threshold_) [[unlikely]]
            record(previous, gap);
    }

    uint64_t threshold() const { return threshold_; }
    std::span<const Detour> detours() const { return {kept_.data(), n_kept_}; }
    const DetourTotals& totals() const { return totals_; }
    std::vector<uint64_t> lengths() const;

private:
    void record(uint64_t start, uint64_t length)
    {
        ++totals_.count;
        totals_.total_ticks += length;
        if (length > totals_.longest_ticks)
            totals_.longest_ticks = length;
        if (n_kept_ < kept_.size())
            kept_[n_kept_++] = {start - origin_, length};
    }

    uint64_t origin_;
    uint64_t threshold_;
    std::vector<Detour> kept_;
    size_t n_kept_ = 0;
    DetourTotals totals_;
};

// Runs a recorded trace of timestamps through a recorder that keeps every
// detour (origin: the first timestamp).
DetourRecorder find_detours(std::span<const uint64_t> timestamps, uint64_t threshold);

} // namespace mk::noise
