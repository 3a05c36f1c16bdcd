#include <mknoise/spectrum.hpp>

#include <bit>
#include <complex>
#include <numbers>

namespace mk::noise {
namespace {

// In-place iterative radix-2 Cooley-Tukey FFT; x.size() is a power of two.
void fft(std::vector<std::complex<double>>& x)
{
    size_t n = x.size();
    for (size_t i = 1, j = 0; i < n; ++i) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j)
            std::swap(x[i], x[j]);
    }
    for (size_t len = 2; len <= n; len <<= 1) {
        std::complex<double> step =
            std::polar(1.0, -2 * std::numbers::pi / static_cast<double>(len));
        for (size_t i = 0; i < n; i += len) {
            std::complex<double> w = 1;
            for (size_t k = 0; k < len / 2; ++k) {
                std::complex<double> u = x[i + k], v = x[i + k + len / 2] * w;
                x[i + k] = u + v;
                x[i + k + len / 2] = u - v;
                w *= step;
            }
        }
    }
}

} // namespace

std::vector<SpectrumBin> power_spectrum(std::span<const uint64_t> counts, double window_s)
{
    if (counts.size() < 4 || window_s <= 0)
        return {};
    size_t n = std::bit_floor(counts.size());
    double mean = 0;
    for (size_t i = 0; i < n; ++i)
        mean += static_cast<double>(counts[i]);
    mean /= static_cast<double>(n);
    std::vector<std::complex<double>> x(n);
    for (size_t i = 0; i < n; ++i)
        x[i] = static_cast<double>(counts[i]) - mean;
    fft(x);
    std::vector<SpectrumBin> bins;
    bins.reserve(n / 2);
    double span_s = static_cast<double>(n) * window_s;
    for (size_t k = 1; k <= n / 2; ++k)
        bins.push_back({static_cast<double>(k) / span_s, std::norm(x[k]) / static_cast<double>(n)});
    return bins;
}

SpectrumPeak spectrum_peak(std::span<const SpectrumBin> spectrum)
{
    SpectrumPeak p;
    double total = 0, best = 0;
    for (const SpectrumBin& b : spectrum) {
        total += b.power;
        if (b.power > best) {
            best = b.power;
            p.frequency_hz = b.frequency_hz;
        }
    }
    p.power_share = total > 0 ? best / total : 0;
    return p;
}

} // namespace mk::noise
