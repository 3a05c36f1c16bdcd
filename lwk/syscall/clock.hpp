// The program's clocks (time.cpp), for the calls that take timeouts.
#pragma once

#include <syscall/syscall.hpp>
#include <vdso/data.hpp>

namespace lwk::sys {

using enum vdso::Clock; // Linux's clock ids

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
