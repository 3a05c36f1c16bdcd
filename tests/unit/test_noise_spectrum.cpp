#include <catch2/catch.hpp>

#include <mknoise/spectrum.hpp>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

using namespace mk::noise;

TEST_CASE("FTQ spectrum: a periodic loss of work peaks at its frequency", "[noise]")
{
    // 1 ms windows; every 16th window loses half its work: 62.5 Hz noise.
    std::vector<uint64_t> counts(1500, 1000);
    for (size_t i = 0; i < counts.size(); i += 16)
        counts[i] = 500;
    auto spectrum = power_spectrum(counts, 1e-3);
    REQUIRE(spectrum.size() == 512); // the first 1024 windows, bins 1 .. 512
    CHECK(spectrum.front().frequency_hz == Approx(1000.0 / 1024));
    CHECK(spectrum.back().frequency_hz == Approx(500));
    auto peak = spectrum_peak(spectrum);
    CHECK(peak.frequency_hz == Approx(62.5));
}

TEST_CASE("FTQ spectrum: a sinusoid puts its power in one bin", "[noise]")
{
    std::vector<uint64_t> counts(256);
    for (size_t i = 0; i < counts.size(); ++i)
        counts[i] = static_cast<uint64_t>(std::lround(
            1000 + 100 * std::sin(2 * std::numbers::pi * 8 * static_cast<double>(i) / 256)));
    auto peak = spectrum_peak(power_spectrum(counts, 1e-4));
    CHECK(peak.frequency_hz == Approx(8 / (256 * 1e-4)));
    CHECK(peak.power_share > 0.99);
}

TEST_CASE("FTQ spectrum of a flat series or too few windows", "[noise]")
{
    std::vector<uint64_t> flat(64, 42);
    auto peak = spectrum_peak(power_spectrum(flat, 1e-4));
    CHECK(peak.power_share == 0);
    CHECK(power_spectrum(std::vector<uint64_t>{1, 2, 3}, 1e-4).empty());
}
