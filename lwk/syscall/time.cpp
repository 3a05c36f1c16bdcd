// Time from the TSC, calibrated by Linux (tsc_khz) and anchored to Linux's
// clocks when the process was created: no trip to Linux, no interrupt.
#include <syscall/clock.hpp>
#include <syscall/syscall.hpp>

#include <core/boot.hpp>
#include <core/percpu.hpp>
#include <proc/cputime.hpp>
#include <proc/process.hpp>
#include <proc/vdso.hpp>
#include <vdso/data.hpp>
#include <sched/sched.hpp>

#include <arch/cpu.hpp>

namespace lwk::sys {
namespace {

uint64_t ns_since_anchor(const proc::Process* p)
{
    // The vDSO's sum (vdso/data.hpp), so both give the same time.
    return vdso::ticks_to_ns(arch::rdtsc() - p->clock_tsc, proc::tsc_mult(), proc::TSC_SHIFT);
}

} // namespace

Result<uint64_t> now_ns(const proc::Process* p, uint64_t clock)
{
    uint64_t since = ns_since_anchor(p);
    switch (clock) {
    case REALTIME:
    case REALTIME_COARSE:
    case TAI: return p->clock_real_ns + since;
    case MONOTONIC:
    case MONOTONIC_RAW:
    case MONOTONIC_COARSE:
    case BOOTTIME: return p->clock_mono_ns + since;
    // The time its threads spent on their cores (proc/cputime).
    case PROCESS_CPUTIME: return proc::process_cputime(const_cast<proc::Process*>(p)).total_ns();
    case THREAD_CPUTIME: return proc::thread_cputime(percpu::current()->current).total_ns();
    default: return Errno::INVAL;
    }
}

uint64_t tsc_deadline(uint64_t now_ns, uint64_t deadline_ns)
{
    if (deadline_ns <= now_ns)
        return arch::rdtsc();
    uint64_t ticks = static_cast<uint64_t>(
        static_cast<unsigned __int128>(deadline_ns - now_ns) * boot::params->tsc_khz / 1000000);
    return arch::rdtsc() + ticks + 1;
}

Result<uint64_t> read_timespec(Context& c, uint64_t addr)
{
    Timespec ts;
    TRY(c.proc->as->copy_in(&ts, addr, sizeof ts));
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
        return Errno::INVAL;
    return uint64_t(ts.sec) * 1000000000 + uint64_t(ts.nsec);
}

Result<long> sys_clock_gettime(Context& c)
{
    uint64_t ns = TRY(now_ns(c.proc, c.a[0]));
    Timespec ts{int64_t(ns / 1000000000), int64_t(ns % 1000000000)};
    TRY(c.proc->as->copy_out(c.a[1], &ts, sizeof ts));
    return 0;
}

Result<long> sys_clock_getres(Context& c)
{
    TRY(now_ns(c.proc, c.a[0]));
    if (c.a[1]) {
        Timespec res{0, 1};
        TRY(c.proc->as->copy_out(c.a[1], &res, sizeof res));
    }
    return 0;
}

Result<long> sys_gettimeofday(Context& c)
{
    uint64_t ns = TRY(now_ns(c.proc, REALTIME));
    if (c.a[0]) {
        int64_t tv[2] = {int64_t(ns / 1000000000), int64_t(ns % 1000000000 / 1000)};
        TRY(c.proc->as->copy_out(c.a[0], tv, sizeof tv));
    }
    if (c.a[1]) {
        int32_t tz[2] = {0, 0};
        TRY(c.proc->as->copy_out(c.a[1], tz, sizeof tz));
    }
    return 0;
}

Result<long> sys_time(Context& c)
{
    int64_t sec = int64_t(TRY(now_ns(c.proc, REALTIME)) / 1000000000);
    if (c.a[0])
        TRY(c.proc->as->copy_out(c.a[0], &sec, sizeof sec));
    return sec;
}

namespace {

// Blocks until the deadline (in the clock's nanoseconds): the core halts,
// with the local APIC timer armed for the deadline alone. A signal ends it
// early: EINTR, and the time left at rem (if not 0).
Result<long> sleep_until(Context& c, uint64_t clock, uint64_t deadline_ns, uint64_t rem)
{
    // The process's CPU time advances only while its other threads run: wait
    // on the TSC for what is left of it, and look again.
    for (;;) {
        uint64_t now = TRY(now_ns(c.proc, clock));
        if (deadline_ns <= now)
            return 0;
        sched::sleep_until_tsc(tsc_deadline(now, deadline_ns));
        if (c.thread->wait_result == -int64_t(Errno::INTR))
            break;
        if (clock != PROCESS_CPUTIME)
            return 0;
    }
    if (rem) {
        uint64_t after = TRY(now_ns(c.proc, clock));
        uint64_t left = deadline_ns > after ? deadline_ns - after : 0;
        int64_t ts[2] = {int64_t(left / 1000000000), int64_t(left % 1000000000)};
        TRY(c.proc->as->copy_out(rem, ts, sizeof ts));
    }
    return Errno::INTR;
}

} // namespace

Result<long> sys_nanosleep(Context& c)
{
    uint64_t d = TRY(read_timespec(c, c.a[0]));
    return sleep_until(c, MONOTONIC, TRY(now_ns(c.proc, MONOTONIC)) + d, c.a[1]);
}

Result<long> sys_clock_nanosleep(Context& c)
{
    constexpr uint64_t TIMER_ABSTIME = 1;
    uint64_t clock = c.a[0];
    if (clock == THREAD_CPUTIME)
        return Errno::INVAL;
    uint64_t t = TRY(read_timespec(c, c.a[2]));
    bool absolute = c.a[1] & TIMER_ABSTIME;
    uint64_t deadline = absolute ? t : TRY(now_ns(c.proc, clock)) + t;
    return sleep_until(c, clock, deadline, absolute ? 0 : c.a[3]);
}

} // namespace lwk::sys
