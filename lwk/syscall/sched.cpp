// Scheduling queries: the program's CPUs are its LWK cores, named by their
// Linux CPU numbers.
#include <syscall/syscall.hpp>

#include <core/boot.hpp>
#include <core/percpu.hpp>
#include <proc/process.hpp>
#include <sched/sched.hpp>

namespace lwk::sys {
namespace {

constexpr uint64_t MASK_BYTES = MK_MAX_CPUS / 8;

} // namespace

Result<long> sys_sched_yield(Context&)
{
    sched::yield();
    return 0;
}

Result<long> sys_sched_getaffinity(Context& c)
{
    uint64_t len = c.a[1];
    if (len < 8 || (len & 7))
        return Errno::INVAL;
    uint64_t mask[MASK_BYTES / 8] = {};
    for (uint32_t i = 0; i < boot::params->nr_cpus && i < 64; ++i)
        if (c.proc->cores & (1ULL << i)) {
            uint32_t cpu = boot::params->cpus[i].linux_cpu;
            if (cpu >= len * 8)
                return Errno::INVAL;
            mask[cpu / 64] |= 1ULL << (cpu % 64);
        }
    uint64_t n = len < MASK_BYTES ? len : MASK_BYTES;
    TRY(c.proc->as->copy_out(c.a[2], mask, n));
    return long(n);
}

Result<long> sys_sched_setaffinity(Context& c)
{
    // A thread of the program stays on its cores; a mask that names none of
    // them is an error. The calling thread moves to the mask's first core
    // if it is not on one of them already.
    int32_t who = int32_t(c.a[0]);
    if (who != 0 && who != c.thread->tid && who != c.proc->pid)
        return Errno::PERM; // other threads: only themselves (as pthread_setaffinity_np does)
    uint64_t len = c.a[1] < MASK_BYTES ? c.a[1] : MASK_BYTES;
    uint64_t mask[MASK_BYTES / 8] = {};
    TRY(c.proc->as->copy_in(mask, c.a[2], len));
    int32_t first = -1;
    for (uint32_t i = 0; i < boot::params->nr_cpus && i < 64; ++i) {
        uint32_t cpu = boot::params->cpus[i].linux_cpu;
        if (!(c.proc->cores & (1ULL << i)) || cpu >= len * 8 || !(mask[cpu / 64] & (1ULL << (cpu % 64))))
            continue;
        if (i == c.thread->core)
            return 0;
        if (first < 0)
            first = int32_t(i);
    }
    if (first < 0)
        return Errno::INVAL;
    if (who == 0 || who == c.thread->tid) {
        c.thread->move_to = uint32_t(first);
        sched::yield(); // the core loop hands it over
    }
    return 0;
}

Result<long> sys_core_irqs(Context& c)
{
    const int32_t want = int32_t(c.a[0]);
    if (want == -1)
        return long(__atomic_load_n(&percpu::current()->irqs, __ATOMIC_RELAXED));
    for (uint32_t i = 0; i < boot::params->nr_cpus; ++i)
        if (want >= 0 && boot::params->cpus[i].linux_cpu == uint32_t(want))
            if (percpu::Cpu* cpu = percpu::of(i))
                return long(__atomic_load_n(&cpu->irqs, __ATOMIC_RELAXED));
    return Errno::INVAL;
}

Result<long> sys_getcpu(Context& c)
{
    const mk_boot_cpu& me = boot::params->cpus[percpu::index()];
    uint32_t cpu = me.linux_cpu, node = uint32_t(me.node < 0 ? 0 : me.node);
    if (c.a[0])
        TRY(c.proc->as->copy_out(c.a[0], &cpu, 4));
    if (c.a[1])
        TRY(c.proc->as->copy_out(c.a[1], &node, 4));
    return 0;
}

} // namespace lwk::sys
