// Power spectrum of an FTQ series: periodic noise (a timer tick, a daemon
// waking every second) shows as a peak at its frequency.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mk::noise {

struct SpectrumBin {
    double frequency_hz;
    double power;
};

// The one-sided power spectrum |X_k|^2 / n, k = 1 .. n/2, of the first n
// values of counts (n the largest power of two that fits; at least 4 values
// needed, else empty), with the mean removed. window_s is the sampling
// interval.
std::vector<SpectrumBin> power_spectrum(std::span<const uint64_t> counts, double window_s);

// The strongest bin (zero power and frequency for an empty spectrum), and
// its share of the total power.
struct SpectrumPeak {
    double frequency_hz = 0;
    double power_share = 0;
};
SpectrumPeak spectrum_peak(std::span<const SpectrumBin> spectrum);

} // namespace mk::noise
