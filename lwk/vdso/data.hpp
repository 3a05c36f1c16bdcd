// What the vDSO reads: a page of the process's own, read-only to it, just
// below the vDSO's ELF header. The LWK fills it when it loads the program
// (proc/vdso.cpp) and never changes it after: the clocks are anchored once
// per process, so no sequence count is needed.
#pragma once

#include <cstdint>

namespace lwk::vdso {

constexpr uint64_t DATA_BYTES = 4096; // the data page, then the image

struct Data {
    uint64_t tsc_anchor; // the TSC when the clocks below were read from Linux
    uint64_t mono_ns;    // CLOCK_MONOTONIC then
    uint64_t real_ns;    // CLOCK_REALTIME then
    uint64_t mult;       // ns = (tsc - tsc_anchor) * mult >> shift
    uint32_t shift;
    uint32_t flags;      // CPU_IN_TSC_AUX
};

// RDTSCP's TSC_AUX holds (node << 12) | cpu on every LWK core, as on Linux.
constexpr uint32_t CPU_IN_TSC_AUX = 1;

// Linux's clock ids: the vDSO answers all but the CPU-time ones itself,
// which enter the LWK (syscall/time.cpp uses the same names).
enum Clock : int32_t {
    REALTIME = 0,
    MONOTONIC = 1,
    PROCESS_CPUTIME = 2,
    THREAD_CPUTIME = 3,
    MONOTONIC_RAW = 4,
    REALTIME_COARSE = 5,
    MONOTONIC_COARSE = 6,
    BOOTTIME = 7,
    TAI = 11,
};

// Nanoseconds in ticks TSC ticks; the LWK's own clocks use the same sum,
// so a time read through the vDSO and one read by a system call agree.
inline uint64_t ticks_to_ns(uint64_t ticks, uint64_t mult, uint32_t shift)
{
    return static_cast<uint64_t>((static_cast<unsigned __int128>(ticks) * mult) >> shift);
}

} // namespace lwk::vdso
