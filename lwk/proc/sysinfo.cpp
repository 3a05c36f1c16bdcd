#include <proc/cputime.hpp>
#include <proc/process.hpp>
#include <proc/procpath.hpp>
#include <proc/sysinfo.hpp>

#include <core/boot.hpp>
#include <core/percpu.hpp>

namespace lwk::proc {
namespace {

bool starts(const char* line, size_t len, const char* key)
{
    size_t k = __builtin_strlen(key);
    return len >= k && !__builtin_memcmp(line, key, k);
}

// Calls f(line, len) for each line of [text, text + n), without its '\n'.
template <class F> void each_line(const char* text, size_t n, F f)
{
    for (size_t at = 0; at < n;) {
        size_t end = at;
        while (end < n && text[end] != '\n')
            ++end;
        f(text + at, end - at);
        at = end + 1;
    }
}

// The program's cores in Linux CPU order: calls f(core index) for each.
template <class F> void each_core(const Process* p, F f)
{
    for (uint32_t cpu = 0; cpu < MK_MAX_CPUS; ++cpu)
        for (uint32_t i = 0; i < boot::params->nr_cpus && i < 64; ++i)
            if ((p->cores & (1ULL << i)) && boot::params->cpus[i].linux_cpu == cpu)
                f(i);
}

uint32_t nr_cores(const Process* p) { return uint32_t(__builtin_popcountll(p->cores)); }

} // namespace

void topology_text(const Process* p, const char* text, size_t n, bool list, Text& out)
{
    uint64_t cores = 0;
    each_core(p, [&](uint32_t i) {
        uint32_t cpu = boot::params->cpus[i].linux_cpu;
        if (list ? cpu_in_list(text, n, cpu) : cpu_in_mask(text, n, cpu))
            cores |= 1ULL << i;
    });
    list ? cores_list(cores, out) : cores_mask(cores, out);
    out.add("\n");
}

void node_cpus_text(const Process* p, int32_t node, bool list, Text& out)
{
    uint64_t cores = 0;
    each_core(p, [&](uint32_t i) {
        if (boot::params->cpus[i].node == node)
            cores |= 1ULL << i;
    });
    list ? cores_list(cores, out) : cores_mask(cores, out);
    out.add("\n");
}

void cpuinfo_text(const Process* p, const char* text, size_t n, Text& out)
{
    // Linux's first block: up to the first empty line.
    size_t block = 0;
    while (block < n && !(text[block] == '\n' && (block + 1 >= n || text[block + 1] == '\n')))
        ++block;
    each_core(p, [&](uint32_t i) {
        const mk_boot_cpu& c = boot::params->cpus[i];
        each_line(text, block, [&](const char* line, size_t len) {
            if (starts(line, len, "processor"))
                out.add("processor\t: %u\n", c.linux_cpu);
            else if (starts(line, len, "apicid"))
                out.add("apicid\t\t: %u\n", c.apic_id);
            else if (starts(line, len, "initial apicid"))
                out.add("initial apicid\t: %u\n", c.apic_id);
            else if (starts(line, len, "core id"))
                out.add("core id\t\t: %u\n", c.linux_cpu);
            else if (starts(line, len, "siblings") || starts(line, len, "cpu cores"))
                out.add("%s: %u\n", starts(line, len, "siblings") ? "siblings\t" : "cpu cores\t", nr_cores(p));
            else {
                out.add_bytes(line, len);
                out.add("\n");
            }
        });
        out.add("\n");
    });
}

void stat_text(const Process* p, const char* text, size_t n, Text& out)
{
    // USER_HZ ticks: busy time as user time, the rest of the core's life idle.
    constexpr uint64_t NS_PER_TICK = 10000000;
    const uint64_t alive = boot::uptime_us() * 1000 / NS_PER_TICK;
    uint64_t busy[64] = {}, sum_busy = 0, sum_idle = 0;
    each_core(p, [&](uint32_t i) {
        uint64_t b = ticks_to_ns(__atomic_load_n(&percpu::of(i)->busy_tsc, __ATOMIC_RELAXED)) / NS_PER_TICK;
        busy[i] = b < alive ? b : alive;
        sum_busy += busy[i];
        sum_idle += alive - busy[i];
    });
    out.add("cpu  %lu 0 0 %lu 0 0 0 0 0 0\n", sum_busy, sum_idle);
    each_core(p, [&](uint32_t i) {
        out.add("cpu%u %lu 0 0 %lu 0 0 0 0 0 0\n", boot::params->cpus[i].linux_cpu, busy[i], alive - busy[i]);
    });
    each_line(text, n, [&](const char* line, size_t len) {
        if (len && !starts(line, len, "cpu")) {
            out.add_bytes(line, len);
            out.add("\n");
        }
    });
}

} // namespace lwk::proc
