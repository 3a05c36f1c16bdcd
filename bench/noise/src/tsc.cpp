#include "tsc.hpp"

#include <algorithm>
#include <cpuid.h>
#include <ctime>
#include <vector>

namespace mk::noise {
namespace {

int64_t monotonic_ns()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A CLOCK_MONOTONIC reading and the TSC at that moment: the midpoint of the
// TSC reads around it, from the tightest of a few tries.
struct Pair {
    int64_t ns;
    uint64_t tsc;
};

Pair paired_read()
{
    Pair best{};
    uint64_t best_width = UINT64_MAX;
    for (int i = 0; i < 5; ++i) {
        uint64_t a = tsc_begin();
        int64_t ns = monotonic_ns();
        uint64_t b = tsc_end();
        if (b - a < best_width) {
            best_width = b - a;
            best = {ns, a + (b - a) / 2};
        }
    }
    return best;
}

} // namespace

TscFeatures tsc_features()
{
    TscFeatures f;
    unsigned a, b, c, d;
    if (__get_cpuid(0x80000000, &a, &b, &c, &d)) {
        unsigned max_ext = a;
        if (max_ext >= 0x80000001 && __get_cpuid(0x80000001, &a, &b, &c, &d))
            f.rdtscp = d & (1u << 27);
        if (max_ext >= 0x80000007 && __get_cpuid(0x80000007, &a, &b, &c, &d))
            f.invariant = d & (1u << 8);
    }
    return f;
}

double calibrate_tsc_khz(unsigned rounds, unsigned ms)
{
    std::vector<double> khz;
    for (unsigned r = 0; r < rounds; ++r) {
        Pair start = paired_read();
        // Busy-wait rather than sleep: no timer, no scheduler in the way.
        while (monotonic_ns() - start.ns < static_cast<int64_t>(ms) * 1'000'000) { }
        Pair end = paired_read();
        khz.push_back(static_cast<double>(end.tsc - start.tsc) * 1e6 /
            static_cast<double>(end.ns - start.ns));
    }
    std::sort(khz.begin(), khz.end());
    return khz[khz.size() / 2];
}

} // namespace mk::noise
