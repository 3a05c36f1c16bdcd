// CPU time of LWK threads and processes, from the TSC: a thread's time is
// what it spent on a core (the scheduler's run() adds each stretch), its
// system time the part of that inside its system calls (the dispatcher adds
// it), its user time the rest. A process's time is its threads', those that
// ended included. Blocked and halted time is nobody's.
#pragma once

#include <cstdint>

namespace lwk::proc {

struct Thread;
struct Process;

struct CpuTimes {
    uint64_t user_ns, sys_ns;
    uint64_t total_ns() const { return user_ns + sys_ns; }
};

// The scheduler: t goes on its core now / comes off it now.
void cputime_on(Thread* t);
void cputime_off(Thread* t);
// t's running time so far in TSC ticks (the current stretch included); the
// dispatcher takes it at a call's start and end to count system time.
uint64_t cputime_run_ticks(const Thread* t);
void cputime_add_sys(Thread* t, uint64_t ticks);
// An ending thread's time goes to its process (under Process::lock).
void cputime_retire(Thread* t);

CpuTimes thread_cputime(const Thread* t);
CpuTimes process_cputime(Process* p);
uint64_t ticks_to_ns(uint64_t ticks);

} // namespace lwk::proc
