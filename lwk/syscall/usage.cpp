// getrusage and times: the LWK's own account of the CPU time the program's
// threads spent on their cores (proc/cputime) and of its memory, not
// mkexec's (which does nearly nothing while the program computes).
#include <syscall/clock.hpp>
#include <syscall/syscall.hpp>

#include <core/percpu.hpp>
#include <proc/cputime.hpp>
#include <proc/process.hpp>

namespace lwk::sys {
namespace {

constexpr int64_t RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
constexpr uint64_t USER_HZ = 100; // clock_t ticks, as Linux reports them

struct Timeval {
    int64_t sec, usec;
};

struct Rusage {
    Timeval utime, stime;
    int64_t maxrss; // KiB
    int64_t ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw,
        nivcsw;
};
static_assert(sizeof(Rusage) == 144, "struct rusage");

Timeval timeval_of(uint64_t ns) { return {int64_t(ns / 1000000000), int64_t(ns % 1000000000 / 1000)}; }

} // namespace

Result<long> sys_getrusage(Context& c)
{
    const int64_t who = static_cast<int32_t>(c.a[0]);
    Rusage u{};
    if (who == RUSAGE_SELF || who == RUSAGE_THREAD) {
        proc::CpuTimes t = who == RUSAGE_SELF ? proc::process_cputime(c.proc) : proc::thread_cputime(c.thread);
        u.utime = timeval_of(t.user_ns);
        u.stime = timeval_of(t.sys_ns);
        // Memory is resident from the moment it is mapped: the peak mapped.
        u.maxrss = int64_t(c.proc->as->peak_bytes() >> 10);
    } else if (who != RUSAGE_CHILDREN) { // an LWK process has no children
        return Errno::INVAL;
    }
    TRY(c.proc->as->copy_out(c.a[1], &u, sizeof u));
    return 0;
}

Result<long> sys_times(Context& c)
{
    constexpr uint64_t NS_PER_TICK = 1000000000 / USER_HZ;
    if (c.a[0]) {
        proc::CpuTimes t = proc::process_cputime(c.proc);
        int64_t tms[4] = {int64_t(t.user_ns / NS_PER_TICK), int64_t(t.sys_ns / NS_PER_TICK), 0, 0};
        TRY(c.proc->as->copy_out(c.a[0], tms, sizeof tms));
    }
    return static_cast<long>(TRY(now_ns(c.proc, MONOTONIC)) / NS_PER_TICK);
}

} // namespace lwk::sys
