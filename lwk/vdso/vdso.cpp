// The LWK's vDSO: clock_gettime, gettimeofday, time, clock_getres and
// getcpu for LWK programs without entering the kernel. A position-
// independent shared object of its own (vdso.lds), copied into every
// process after a page of data (data.hpp) the LWK fills; glibc finds it
// through AT_SYSINFO_EHDR and looks the functions up as LINUX_2.6.
// Anything it cannot answer is the system call, which the LWK answers.
#include "data.hpp"

namespace {

using lwk::vdso::Data;

// Where the ELF header of this image is, from the linker: the data page
// lies right below it.
extern "C" const char __ehdr_start[] __attribute__((visibility("hidden")));

const Data* data()
{
    uintptr_t at = reinterpret_cast<uintptr_t>(__ehdr_start) - lwk::vdso::DATA_BYTES;
    return reinterpret_cast<const Data*>(at);
}

long syscall2(long nr, long a, long b)
{
    long ret;
    asm volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return ret;
}

constexpr long SYS_GETTIMEOFDAY = 96, SYS_TIME = 201, SYS_CLOCK_GETTIME = 228, SYS_CLOCK_GETRES = 229,
    SYS_GETCPU = 309;

uint64_t tsc()
{
    uint32_t lo, hi;
    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t(hi) << 32) | lo;
}

// Nanoseconds on a clock the vDSO keeps; false for the others.
bool now(long clock, uint64_t& ns)
{
    const Data* d = data();
    uint64_t base;
    switch (clock) {
    case lwk::vdso::REALTIME:
    case lwk::vdso::REALTIME_COARSE:
    case lwk::vdso::TAI: base = d->real_ns; break;
    case lwk::vdso::MONOTONIC:
    case lwk::vdso::MONOTONIC_RAW:
    case lwk::vdso::MONOTONIC_COARSE:
    case lwk::vdso::BOOTTIME: base = d->mono_ns; break;
    default: return false;
    }
    ns = base + lwk::vdso::ticks_to_ns(tsc() - d->tsc_anchor, d->mult, d->shift);
    return true;
}

struct Timespec {
    long sec, nsec;
};
struct Timeval {
    long sec, usec;
};

} // namespace

extern "C" {

int __vdso_clock_gettime(long clock, Timespec* ts)
{
    uint64_t ns;
    if (!now(clock, ns))
        return int(syscall2(SYS_CLOCK_GETTIME, clock, long(ts)));
    ts->sec = long(ns / 1000000000);
    ts->nsec = long(ns % 1000000000);
    return 0;
}

int __vdso_gettimeofday(Timeval* tv, int* tz)
{
    uint64_t ns;
    if (!now(lwk::vdso::REALTIME, ns))
        return int(syscall2(SYS_GETTIMEOFDAY, long(tv), long(tz)));
    if (tv) {
        tv->sec = long(ns / 1000000000);
        tv->usec = long(ns % 1000000000 / 1000);
    }
    if (tz) {
        tz[0] = 0; // minutes west of Greenwich, and no DST: as Linux keeps it
        tz[1] = 0;
    }
    return 0;
}

long __vdso_time(long* t)
{
    uint64_t ns;
    if (!now(lwk::vdso::REALTIME, ns))
        return syscall2(SYS_TIME, long(t), 0);
    long sec = long(ns / 1000000000);
    if (t)
        *t = sec;
    return sec;
}

int __vdso_clock_getres(long clock, Timespec* res)
{
    uint64_t ns;
    if (!now(clock, ns))
        return int(syscall2(SYS_CLOCK_GETRES, clock, long(res)));
    if (res) {
        res->sec = 0;
        res->nsec = 1; // the TSC counts in less than a nanosecond
    }
    return 0;
}

int __vdso_getcpu(unsigned* cpu, unsigned* node, void*)
{
    if (!(data()->flags & lwk::vdso::CPU_IN_TSC_AUX))
        return int(syscall2(SYS_GETCPU, long(cpu), long(node)));
    uint32_t lo, hi, aux;
    asm volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
    if (cpu)
        *cpu = aux & 0xfff;
    if (node)
        *node = aux >> 12;
    return 0;
}

} // extern "C"
