// The program's clocks (time.cpp), for the calls that take timeouts.
#pragma once

#include <syscall/syscall.hpp>

namespace lwk::sys {

enum Clock : uint64_t {
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

struct Timespec {
    int64_t sec, nsec;
};

// Now on one of the process's clocks, in nanoseconds.
Result<uint64_t> now_ns(const proc::Process* p, uint64_t clock);
// The TSC value when a clock that reads now_ns reaches deadline_ns.
uint64_t tsc_deadline(uint64_t now_ns, uint64_t deadline_ns);
// A struct timespec from the program, in nanoseconds (EINVAL if malformed).
Result<uint64_t> read_timespec(Context& c, uint64_t addr);

} // namespace lwk::sys
