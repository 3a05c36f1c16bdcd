#include <proc/cputime.hpp>
#include <proc/process.hpp>

#include <core/boot.hpp>
#include <arch/cpu.hpp>

namespace lwk::proc {
namespace {

// Another core may read a running thread's fields: each is one aligned word.
uint64_t load(const uint64_t& v) { return __atomic_load_n(&v, __ATOMIC_RELAXED); }
void store(uint64_t& v, uint64_t x) { __atomic_store_n(&v, x, __ATOMIC_RELAXED); }

CpuTimes split(uint64_t run, uint64_t sys)
{
    if (sys > run)
        sys = run;
    return {ticks_to_ns(run - sys), ticks_to_ns(sys)};
}

} // namespace

uint64_t ticks_to_ns(uint64_t ticks)
{
    return static_cast<uint64_t>(static_cast<unsigned __int128>(ticks) * 1000000 / boot::params->tsc_khz);
}

void cputime_on(Thread* t) { store(t->on_since, arch::rdtsc()); }

void cputime_off(Thread* t)
{
    uint64_t since = load(t->on_since);
    if (!since)
        return;
    store(t->run_tsc, load(t->run_tsc) + (arch::rdtsc() - since));
    store(t->on_since, 0);
}

uint64_t cputime_run_ticks(const Thread* t)
{
    // on_since and run_tsc change together when the thread leaves its core:
    // read until both are from the same side of that.
    for (;;) {
        uint64_t since = load(t->on_since), run = load(t->run_tsc);
        if (since == load(t->on_since))
            return run + (since ? arch::rdtsc() - since : 0);
    }
}

void cputime_add_sys(Thread* t, uint64_t ticks) { store(t->sys_tsc, load(t->sys_tsc) + ticks); }

void cputime_retire(Thread* t)
{
    Process* p = t->proc;
    p->gone_run_tsc += cputime_run_ticks(t);
    p->gone_sys_tsc += load(t->sys_tsc);
}

CpuTimes thread_cputime(const Thread* t) { return split(cputime_run_ticks(t), load(t->sys_tsc)); }

CpuTimes process_cputime(Process* p)
{
    LockGuard<Spinlock> g(p->lock);
    uint64_t run = p->gone_run_tsc, sys = p->gone_sys_tsc;
    for (const Thread* t = p->threads; t; t = t->proc_next) {
        run += cputime_run_ticks(t);
        sys += load(t->sys_tsc);
    }
    return split(run, sys);
}

} // namespace lwk::proc
