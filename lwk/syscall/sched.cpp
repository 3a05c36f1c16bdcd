// Scheduling queries: the program's CPUs are its LWK cores, named by their
// Linux CPU numbers; futexes within the process.
#include <syscall/syscall.hpp>

#include <core/boot.hpp>
#include <core/percpu.hpp>
#include <proc/process.hpp>

namespace lwk::sys {
namespace {

constexpr uint64_t MASK_BYTES = MK_MAX_CPUS / 8;

} // namespace

Result<long> sys_sched_yield(Context&) { return 0; }

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
    // The program stays on its cores; a mask that names none of them is an error.
    uint64_t len = c.a[1] < MASK_BYTES ? c.a[1] : MASK_BYTES;
    uint64_t mask[MASK_BYTES / 8] = {};
    TRY(c.proc->as->copy_in(mask, c.a[2], len));
    for (uint32_t i = 0; i < boot::params->nr_cpus && i < 64; ++i) {
        uint32_t cpu = boot::params->cpus[i].linux_cpu;
        if ((c.proc->cores & (1ULL << i)) && cpu < len * 8 && (mask[cpu / 64] & (1ULL << (cpu % 64))))
            return 0;
    }
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

Result<long> sys_futex(Context& c)
{
    constexpr uint64_t WAIT = 0, WAKE = 1, WAIT_BITSET = 9, WAKE_BITSET = 10, PRIVATE = 128,
                       REALTIME = 256;
    uint64_t op = c.a[1] & ~(PRIVATE | REALTIME);
    switch (op) {
    case WAIT:
    case WAIT_BITSET: {
        uint32_t v;
        TRY(c.proc->as->copy_in(&v, c.a[0], 4));
        if (v != uint32_t(c.a[2]))
            return Errno::AGAIN;
        // One thread: nobody could ever wake it.
        return Errno::NOSYS;
    }
    case WAKE:
    case WAKE_BITSET: return 0; // nobody waits
    default: return Errno::NOSYS;
    }
}

Result<long> sys_futex_waitv(Context&) { return Errno::NOSYS; }

} // namespace lwk::sys
