// Futexes of LWK processes: wait queues keyed by (process, address), in
// buckets shared by every core. A process's memory is its own, so shared
// and private futexes are the same thing here.
#pragma once

#include <lib/result.hpp>

#include <cstdint>

namespace lwk::proc {
struct Process;
}

namespace lwk::sys {

// Wakes up to n threads of p waiting on uaddr whose bitset meets bitset.
// Returns how many it woke.
long futex_wake(proc::Process* p, uint64_t uaddr, uint32_t n, uint32_t bitset);

} // namespace lwk::sys
