// open, openat, readlink and readlinkat: the program's own /proc files and
// the CPU lists of /sys/devices/system/cpu are the LWK's (procfiles), the
// topology of its cores is mkctl's copy (at_cpu_topology, also for stat
// and access); every
// other path is Linux's, forwarded unchanged. A file of the LWK's reaches
// the program as a memfd Linux made with its contents.
#include <syscall/scratch.hpp>
#include <syscall/syscall.hpp>
#include <syscall/task_dir.hpp>

#include <proc/elf.hpp>
#include <proc/process.hpp>
#include <proc/procfiles.hpp>
#include <proc/procpath.hpp>
#include <proc/sysinfo.hpp>
#include <sched/mutex.hpp>
#include <core/boot.hpp>
#include <lib/format.hpp>

#include <mk/proc.h>

namespace lwk::sys {
namespace {

constexpr uint64_t PAGE = 4096;
constexpr uint64_t O_ACCMODE = 3, O_CLOEXEC = 02000000, MFD_CLOEXEC = 1;
constexpr int64_t AT_FDCWD = -100;
constexpr uint64_t NR_GETPGID = 121, NR_GETSID = 124;
constexpr uint64_t NR_FACCESSAT = 269, NR_OPENAT = 257, NR_MEMFD_CREATE = 319, NR_PWRITE64 = 18, NR_CLOSE = 3, NR_READ = 0;
constexpr size_t PATH_MAX_OURS = 96; // longer paths are none of ours

bool starts_with(const char* s, const char* prefix)
{
    for (; *prefix; ++s, ++prefix)
        if (*s != *prefix)
            return false;
    return true;
}

// The program's path at addr, if it can be one of ours: absolute, shorter
// than PATH_MAX_OURS, under /proc/ or /sys/devices/system/{cpu,node}/. Reads no
// further than it must (a short path may end just before an unmapped page).
bool read_path(Context& c, uint64_t addr, char (&out)[PATH_MAX_OURS])
{
    size_t have = 0;
    while (have < PATH_MAX_OURS) {
        uint64_t at = addr + have;
        size_t n = PAGE - (at & (PAGE - 1));
        if (n > PATH_MAX_OURS - have)
            n = PATH_MAX_OURS - have;
        if (c.proc->as->copy_in(out + have, at, n).is_error())
            return false; // Linux says EFAULT, as it would
        for (size_t i = have; i < have + n; ++i)
            if (!out[i])
                return starts_with(out, "/proc/") || starts_with(out, "/sys/devices/system/cpu/") ||
                    starts_with(out, "/sys/devices/system/node/");
        have += n;
        if (have >= 6 && !starts_with(out, "/proc/") && !starts_with(out, "/sys/"))
            return false;
    }
    return false;
}

proc::ProcTarget target_of(Context& c, uint64_t path_addr, char (&path)[PATH_MAX_OURS])
{
    if (!read_path(c, path_addr, path))
        return {proc::ProcFile::none, 0};
    return proc::classify_proc_path(path, c.proc->pid, c.thread->tid, proc::is_thread_of, c.proc);
}

bool is_topology(proc::ProcFile f)
{
    return f == proc::ProcFile::cpu_topology || f == proc::ProcFile::cpu_topology_mask ||
        f == proc::ProcFile::cpu_topology_list;
}

bool is_lwk_cpu(int32_t cpu)
{
    for (uint32_t i = 0; i < boot::params->nr_cpus && i < MK_MAX_LWK_CPUS; ++i)
        if (int64_t(boot::params->cpus[i].linux_cpu) == cpu)
            return true;
    return false;
}

// /sys/devices/system/cpu/cpuN/{topology,cache}/… of one of the LWK's
// cores: Linux removed them when the core went offline; mkctl's copy of
// them, taken before, is opened instead (read-only).
constexpr char COPY_DIR[] = MK_CPU_SNAPSHOT_DIR "/";
constexpr size_t COPY_PATH_MAX = sizeof COPY_DIR + PATH_MAX_OURS;

// The path of mkctl's copy of /sys/devices/system/cpu/cpuN/… (path).
void copy_path(const char* path, char (&out)[COPY_PATH_MAX])
{
    const char* rest = path + proc::SYS_CPU_PREFIX;
    __builtin_memcpy(out, COPY_DIR, sizeof COPY_DIR - 1);
    __builtin_memcpy(out + sizeof COPY_DIR - 1, rest, __builtin_strlen(rest) + 1);
}

// The call c forwarded with its argument arg (a path) replaced by path.
Result<long> at_path(Context& c, unsigned arg, const char* path)
{
    const size_t n = __builtin_strlen(path) + 1; // no more: the rest is stack
    Scratch s(c, n);
    if (!s.addr())
        return Errno::NOMEM;
    TRY(s.put(0, path, n));
    uint64_t a[6];
    for (unsigned i = 0; i < 6; ++i)
        a[i] = i == arg ? s.addr() : c.a[i];
    return forward_call(c, c.nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

// The call c with its argument arg (a path) replaced by that copy's path.
Result<long> at_cpu_topology(Context& c, unsigned arg, const char* path)
{
    char copy[COPY_PATH_MAX];
    copy_path(path, copy);
    return at_path(c, arg, copy);
}

// The call c with its argument arg (a path) replaced by the main thread's
// directory, /proc/<pid>/task/<pid>: for an LWK thread's own directory,
// which Linux does not have (its files in it are the LWK's, by path).
Result<long> at_main_thread_dir(Context& c, unsigned arg)
{
    char dir[48];
    format(dir, sizeof dir, "/proc/%d/task/%d", c.proc->pid, c.proc->pid);
    return at_path(c, arg, dir);
}

// A call that names a path in argument arg (stat, access and their kin):
// Linux's, but for the topology of an LWK core and an LWK thread's directory.
Result<long> path_call(Context& c, unsigned arg)
{
    char name[PATH_MAX_OURS];
    proc::ProcTarget t = target_of(c, c.a[arg], name);
    if (t.file == proc::ProcFile::thread_dir) {
        sched::MutexGuard lock(c.proc->as->mutex());
        return at_main_thread_dir(c, arg);
    }
    if (!is_topology(t.file) || !is_lwk_cpu(t.cpu))
        return forward(c);
    sched::MutexGuard lock(c.proc->as->mutex());
    return at_cpu_topology(c, arg, name);
}

// A memfd holding text, named after the file.
Result<long> memfd_with(Context& c, const char* name, const proc::Text& text, bool cloexec)
{
    constexpr uint64_t NAME = 64;
    Scratch s(c, NAME + text.size());
    if (!s.addr())
        return Errno::NOMEM;
    TRY(s.put(0, name, __builtin_strlen(name) + 1));
    TRY(s.put(NAME, text.data(), text.size()));
    long fd = TRY(forward_call(c, NR_MEMFD_CREATE, s.addr(), cloexec ? MFD_CLOEXEC : 0));
    uint64_t done = 0;
    while (done < text.size()) {
        auto n = forward_call(
            c, NR_PWRITE64, uint64_t(fd), s.addr() + NAME + done, text.size() - done, done);
        if (n.is_error() || n.value() <= 0) {
            (void)forward_call(c, NR_CLOSE, uint64_t(fd));
            return n.is_error() ? n.error() : Error(Errno::IO);
        }
        done += uint64_t(n.value());
    }
    return fd;
}

const char* memfd_name(proc::ProcFile f)
{
    switch (f) {
    case proc::ProcFile::status: return "status";
    case proc::ProcFile::stat: return "stat";
    case proc::ProcFile::statm: return "statm";
    case proc::ProcFile::cmdline: return "cmdline";
    case proc::ProcFile::environ: return "environ";
    case proc::ProcFile::auxv: return "auxv";
    case proc::ProcFile::maps: return "maps";
    case proc::ProcFile::smaps: return "smaps";
    case proc::ProcFile::smaps_rollup: return "smaps_rollup";
    case proc::ProcFile::comm: return "comm";
    case proc::ProcFile::cpuinfo: return "cpuinfo";
    case proc::ProcFile::sys_stat: return "stat";
    default: return "cpus";
    }
}

// Linux's own text of a file (at most max bytes), read through mkexec. The
// caller holds the address space's mutex.
Result<void> linux_text(Context& c, const char* path, uint64_t max, proc::Text& out)
{
    Scratch s(c, max);
    if (!s.addr())
        return Errno::NOMEM;
    TRY(s.put(0, path, __builtin_strlen(path) + 1));
    long fd = TRY(forward_call(c, NR_OPENAT, uint64_t(AT_FDCWD), s.addr(), O_CLOEXEC, 0));
    uint64_t got = 0;
    while (got < max) {
        auto r = forward_call(c, NR_READ, uint64_t(fd), s.addr() + got, max - got);
        if (r.is_error() || r.value() <= 0)
            break;
        got += uint64_t(r.value());
    }
    (void)forward_call(c, NR_CLOSE, uint64_t(fd));
    char buf[512];
    for (uint64_t at = 0; at < got; at += sizeof buf) {
        uint64_t n = got - at < sizeof buf ? got - at : sizeof buf;
        TRY(s.get(at, buf, n));
        out.add_bytes(buf, n);
    }
    return out.ok() ? Result<void>{} : Result<void>(Errno::NOMEM);
}

Result<long> open_common(Context& c, uint64_t path, uint64_t flags)
{
    char name[PATH_MAX_OURS];
    proc::ProcTarget t = target_of(c, path, name);
    if (t.file == proc::ProcFile::none || (is_topology(t.file) && !is_lwk_cpu(t.cpu)))
        return forward(c);
    if (t.file == proc::ProcFile::task_dir) {
        long fd = TRY(forward(c));
        remember_task_dir(c, fd);
        return fd;
    }
    if (t.file == proc::ProcFile::thread_dir) {
        sched::MutexGuard lock(c.proc->as->mutex());
        return at_main_thread_dir(c, c.nr == NR_OPENAT ? 1 : 0);
    }
    if (t.file == proc::ProcFile::mem)
        return Errno::ACCES; // it would be mkexec's memory
    if ((flags & O_ACCMODE) != 0)
        return Errno::ACCES; // the LWK's files are read-only
    sched::MutexGuard lock(c.proc->as->mutex()); // the scratch mapping stays put
    if (t.file == proc::ProcFile::cpu_topology) {
        constexpr uint64_t O_CREAT = 0100, O_TRUNC = 01000, O_TMPFILE = 020000000;
        if (flags & (O_CREAT | O_TRUNC | O_TMPFILE))
            return Errno::ACCES; // sysfs has no new files either
        return at_cpu_topology(c, c.nr == NR_OPENAT ? 1 : 0, name);
    }
    if (t.file == proc::ProcFile::exe) {
        // The program's file itself.
        Scratch s(c, sizeof c.proc->exe);
        if (!s.addr())
            return Errno::NOMEM;
        TRY(s.put(0, c.proc->exe, __builtin_strlen(c.proc->exe) + 1));
        return forward_call(c, NR_OPENAT, uint64_t(AT_FDCWD), s.addr(), flags, 0);
    }
    proc::Text text;
    if (t.file == proc::ProcFile::cpu_topology_mask || t.file == proc::ProcFile::cpu_topology_list) {
        char copy[COPY_PATH_MAX];
        copy_path(name, copy);
        proc::Text linux;
        TRY(linux_text(c, copy, 64 * 1024, linux));
        proc::topology_text(c.proc, linux.data(), linux.size(),
            t.file == proc::ProcFile::cpu_topology_list, text);
    } else if (t.file == proc::ProcFile::node_cpumap || t.file == proc::ProcFile::node_cpulist) {
        // A node Linux does not have has no such file (ENOENT, as on Linux).
        TRY(forward_call(c, NR_FACCESSAT, uint64_t(AT_FDCWD), path, 0));
        proc::node_cpus_text(c.proc, t.cpu, t.file == proc::ProcFile::node_cpulist, text);
    } else if (t.file == proc::ProcFile::cpuinfo || t.file == proc::ProcFile::sys_stat) {
        const bool info = t.file == proc::ProcFile::cpuinfo;
        proc::Text linux;
        TRY(linux_text(c, info ? "/proc/cpuinfo" : "/proc/stat", 64 * 1024, linux));
        if (info)
            proc::cpuinfo_text(c.proc, linux.data(), linux.size(), text);
        else
            proc::stat_text(c.proc, linux.data(), linux.size(), text);
    } else {
        proc::LinuxIds ids;
        if (t.file == proc::ProcFile::stat || t.file == proc::ProcFile::status) {
            ids.pgrp = int32_t(TRY(forward_call(c, NR_GETPGID, 0)));
            ids.session = int32_t(TRY(forward_call(c, NR_GETSID, 0)));
        }
        TRY(proc::proc_file_text(c.proc, c.thread, t, ids, text));
    }
    if (!text.ok())
        return Errno::NOMEM;
    return memfd_with(c, memfd_name(t.file), text, flags & O_CLOEXEC);
}

Result<long> readlink_common(Context& c, uint64_t path, uint64_t buf, uint64_t size)
{
    char name[PATH_MAX_OURS];
    proc::ProcTarget t = target_of(c, path, name);
    if (t.file != proc::ProcFile::exe)
        return forward(c);
    if (int64_t(size) <= 0)
        return Errno::INVAL;
    uint64_t n = __builtin_strlen(c.proc->exe);
    if (n > size)
        n = size;
    TRY(c.proc->as->copy_out(buf, c.proc->exe, n));
    return long(n);
}

} // namespace

bool names_own_exe(Context& c, uint64_t path)
{
    char name[PATH_MAX_OURS];
    return target_of(c, path, name).file == proc::ProcFile::exe;
}

Result<long> sys_stat(Context& c)
{
    return path_call(c, 0);
}
Result<long> sys_lstat(Context& c)
{
    return path_call(c, 0);
}
Result<long> sys_access(Context& c)
{
    return path_call(c, 0);
}
Result<long> sys_newfstatat(Context& c)
{
    return path_call(c, 1);
}
Result<long> sys_faccessat(Context& c)
{
    return path_call(c, 1);
}
Result<long> sys_faccessat2(Context& c)
{
    return path_call(c, 1);
}
Result<long> sys_statx(Context& c)
{
    return path_call(c, 1);
}
Result<long> sys_open(Context& c)
{
    return open_common(c, c.a[0], c.a[1]);
}
Result<long> sys_openat(Context& c)
{
    return open_common(c, c.a[1], c.a[2]);
}
Result<long> sys_readlink(Context& c)
{
    return readlink_common(c, c.a[0], c.a[1], c.a[2]);
}
Result<long> sys_readlinkat(Context& c)
{
    return readlink_common(c, c.a[1], c.a[2], c.a[3]);
}

} // namespace lwk::sys
