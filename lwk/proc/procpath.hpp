// Which /proc and /sys paths describe an LWK program rather than its mkexec
// (whose pid it shares): /proc/self/…, /proc/thread-self/…, /proc/<pid>/…,
// /proc/<pid>/task/<tid>/…, the CPU lists of /sys/devices/system/cpu and
// the topology and cache directories of a CPU there.
// Portable: host-tested. The path is the program's, untrusted.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lwk::proc {

enum class ProcFile {
    none, // not one of ours: Linux's file (forwarded)
    exe, // the link to the program
    status,
    stat,
    statm,
    cmdline,
    environ,
    auxv,
    maps,
    smaps,
    smaps_rollup,
    comm,
    mem, // mkexec's memory: refused
    cpu_list, // /sys/devices/system/cpu/{online,possible,present}
    cpuinfo, // /proc/cpuinfo: Linux's, one block per LWK core of the program
    sys_stat, // /proc/stat: Linux's, with the cpu lines of the program's cores
    cpu_topology, // /sys/devices/system/cpu/cpuN/{topology,cache}[/...]: mkctl's copy
    cpu_topology_mask, // the same, a CPU mask in it (package_cpus, shared_cpu_map...),
    cpu_topology_list, // or a CPU list (..._list): only the program's cores
    node_cpumap, // /sys/devices/system/node/nodeN/cpumap: the program's cores there
    node_cpulist, // and .../cpulist
    task_dir, // /proc/self/task: Linux's directory, its listing the LWK's threads
    thread_dir, // /proc/self/task/<tid> of a thread of the LWK's (not the main one)
};

struct ProcTarget {
    ProcFile file;
    int32_t tid; // the thread it is about (0: the process as a whole)
    int32_t cpu = -1; // cpu_topology*: the CPU N; node_*: the node N
};

// The part of a cpu_topology path after "/sys/devices/system/cpu/": "cpuN/…".
constexpr unsigned SYS_CPU_PREFIX = 24;

// is_thread(ctx, tid): whether tid is one of the process's threads.
using IsThread = bool (*)(void* ctx, int32_t tid);

// Whether Linux CPU cpu is in a CPU mask as sysfs writes one (hex digits,
// the last one CPUs 0-3, commas between groups of 32 bits, a newline) or
// in a CPU list ("0-3,8\n"). Text that is neither names no CPU.
bool cpu_in_mask(const char* text, size_t n, uint32_t cpu);
bool cpu_in_list(const char* text, size_t n, uint32_t cpu);

ProcTarget classify_proc_path(
    const char* path, int32_t pid, int32_t self_tid, IsThread is_thread, void* ctx);

} // namespace lwk::proc
