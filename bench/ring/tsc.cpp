#include "tsc.hpp"

#include <ctime>
#include <fstream>
#include <string>

namespace ringbench {
namespace {

struct Stamp {
    uint64_t tsc;
    uint64_t ns;
};

uint64_t monotonic_ns()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000 + uint64_t(ts.tv_nsec);
}

// The clock read whose rdtsc bracket is the narrowest of a few tries, with
// the TSC taken at the middle of that bracket.
Stamp stamp()
{
    Stamp best{0, 0};
    uint64_t best_width = ~0ULL;
    for (int i = 0; i < 16; ++i) {
        uint64_t t0 = tsc_now();
        uint64_t ns = monotonic_ns();
        uint64_t t1 = tsc_now();
        if (t1 - t0 < best_width) {
            best_width = t1 - t0;
            best = {t0 + (t1 - t0) / 2, ns};
        }
    }
    return best;
}

bool cpu_has(const std::string& flag)
{
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("flags", 0) == 0)
            return (line + " ").find(" " + flag + " ") != std::string::npos;
    return false;
}

} // namespace

TscCalibration calibrate_tsc(double window_ms)
{
    Stamp a = stamp();
    timespec pause{0, long(window_ms * 1e6)};
    while (nanosleep(&pause, &pause) != 0) { }
    Stamp b = stamp();
    return {double(b.tsc - a.tsc) / double(b.ns - a.ns), double(b.ns - a.ns) / 1e6,
        cpu_has("constant_tsc") && cpu_has("nonstop_tsc")};
}

} // namespace ringbench
