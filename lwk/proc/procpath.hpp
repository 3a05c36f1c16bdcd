// Which /proc and /sys paths describe an LWK program rather than its mkexec
// (whose pid it shares): /proc/self/…, /proc/thread-self/…, /proc/<pid>/…,
// /proc/<pid>/task/<tid>/… and the CPU lists of /sys/devices/system/cpu.
// Portable: host-tested. The path is the program's, untrusted.
#pragma once

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
};

struct ProcTarget {
    ProcFile file;
    int32_t tid; // the thread it is about (0: the process as a whole)
};

// is_thread(ctx, tid): whether tid is one of the process's threads.
using IsThread = bool (*)(void* ctx, int32_t tid);

ProcTarget classify_proc_path(
    const char* path, int32_t pid, int32_t self_tid, IsThread is_thread, void* ctx);

} // namespace lwk::proc
