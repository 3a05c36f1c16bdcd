// Futexes of LWK processes: wait queues keyed by (process, address), in
// buckets shared by every core; a shared futex in Linux's pages (shared
// memory between processes) by the word's physical address instead.
#pragma once

#include <lib/result.hpp>

#include <cstdint>

namespace lwk::proc {
struct Process;
struct Thread;
} // namespace lwk::proc

namespace lwk::sys {

// Wakes up to n threads waiting on uaddr of p (a shared futex: of any
// process, if the word is in shared memory) whose bitset meets bitset.
// Returns how many it woke.
long futex_wake(proc::Process* p, uint64_t uaddr, uint32_t n, uint32_t bitset);

// The calling thread t is ending: every robust futex it holds (its
// set_robust_list list) is marked FUTEX_OWNER_DIED and one waiter woken,
// so that the next pthread_mutex_lock returns EOWNERDEAD.
void futex_exit_robust(proc::Process* p, proc::Thread* t);

} // namespace lwk::sys
