#include <proc/procfiles.hpp>

#include <proc/cputime.hpp>
#include <proc/elf.hpp>
#include <proc/layout.hpp>
#include <proc/process.hpp>
#include <proc/signal.hpp>

#include <core/boot.hpp>
#include <core/percpu.hpp>
#include <lib/format.hpp>
#include <mm/heap.hpp>
#include <sched/mutex.hpp>

#include <cstdarg>

namespace lwk::proc {

Text::~Text()
{
    mm::kfree(buf_);
}

bool Text::reserve(size_t n)
{
    if (!ok_)
        return false;
    if (len_ + n + 1 <= cap_)
        return true;
    size_t cap = cap_ ? cap_ : 1024;
    while (cap < len_ + n + 1)
        cap *= 2;
    auto* b = static_cast<char*>(mm::kmalloc(cap));
    if (!b)
        return ok_ = false;
    if (buf_)
        __builtin_memcpy(b, buf_, len_);
    mm::kfree(buf_);
    buf_ = b;
    cap_ = cap;
    return true;
}

void Text::add(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char line[256];
    size_t n = vformat(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n >= sizeof line)
        n = sizeof line - 1; // a line longer than any this file makes
    add_bytes(line, n);
}

void Text::add_bytes(const void* p, size_t n)
{
    if (!reserve(n))
        return;
    __builtin_memcpy(buf_ + len_, p, n);
    len_ += n;
    buf_[len_] = 0;
}

bool is_thread_of(void* ctx, int32_t tid)
{
    auto* p = static_cast<Process*>(ctx);
    LockGuard<Spinlock> g(p->lock);
    for (Thread* t = p->threads; t; t = t->proc_next)
        if (t->tid == tid && t->state != Thread::State::dead)
            return true;
    return false;
}

namespace {

constexpr uint64_t PAGE = 4096;

// Linux's comm: the last part of the program's path, at most 15 bytes.
void comm_of(const Process* p, char out[16])
{
    const char* name = p->path;
    for (const char* s = p->path; *s; ++s)
        if (*s == '/' && s[1])
            name = s + 1;
    size_t n = 0;
    for (; name[n] && n < 15; ++n)
        out[n] = name[n];
    out[n] = 0;
}

} // namespace

void cores_list(uint64_t cores, Text& t)
{
    int32_t run = -1, last = -2;
    bool first = true;
    auto flush = [&] {
        if (run < 0)
            return;
        t.add(first ? "%d" : ",%d", run);
        if (last != run)
            t.add("-%d", last);
        first = false;
    };
    // Linux numbers in increasing order (the cores' own order may differ).
    for (uint32_t cpu = 0; cpu < MK_MAX_CPUS; ++cpu) {
        bool ours = false;
        for (uint32_t i = 0; i < boot::params->nr_cpus && i < 64; ++i)
            ours |= (cores & (1ULL << i)) && boot::params->cpus[i].linux_cpu == cpu;
        if (!ours)
            continue;
        if (int32_t(cpu) == last + 1) {
            last = int32_t(cpu);
            continue;
        }
        flush();
        run = last = int32_t(cpu);
    }
    flush();
}

void cores_mask(uint64_t cores, Text& t)
{
    uint32_t words[MK_MAX_CPUS / 32] = {};
    uint32_t top = 0;
    for (uint32_t i = 0; i < boot::params->nr_cpus && i < 64; ++i)
        if (cores & (1ULL << i)) {
            uint32_t cpu = boot::params->cpus[i].linux_cpu;
            if (cpu >= MK_MAX_CPUS)
                continue;
            words[cpu / 32] |= 1u << (cpu % 32);
            if (cpu / 32 > top)
                top = cpu / 32;
        }
    for (int32_t w = int32_t(top); w >= 0; --w)
        t.add(w == int32_t(top) ? "%x" : ",%08x", words[w]);
}

namespace {

struct Counts {
    uint64_t size, rss, data, stack, exe, heap_end;
    uint64_t code_start, code_end, data_start, data_end;
};

Counts count(const Process* p)
{
    Counts c{};
    c.code_start = ~0ULL;
    for (const Region& r : p->as->regions()) {
        uint64_t n = r.end - r.start;
        if (internal(r.kind))
            continue;
        c.size += n;
        if (r.prot)
            c.rss += n;
        if (r.kind == RegionKind::stack)
            c.stack += n;
        else if ((r.prot & PROT_W) && r.kind != RegionKind::image)
            c.data += n;
        if (r.kind == RegionKind::image && r.start < INTERP_BASE) {
            if (r.prot & PROT_X) {
                c.exe += n;
                if (r.start < c.code_start)
                    c.code_start = r.start;
                if (r.end > c.code_end)
                    c.code_end = r.end;
            } else if (r.prot & PROT_W) {
                if (!c.data_start)
                    c.data_start = r.start;
                c.data_end = r.end;
            }
        }
    }
    if (c.code_start == ~0ULL)
        c.code_start = 0;
    return c;
}

uint64_t signal_mask(const Process* p, uint64_t handler_kind)
{
    uint64_t m = 0;
    for (int s = 1; s < 64; ++s) {
        uint64_t h = p->actions[s].handler;
        bool match = handler_kind == SIG_IGN ? h == SIG_IGN : h > SIG_IGN;
        if (match)
            m |= 1ULL << (s - 1);
    }
    return m;
}

Thread* thread_for(Process* p, Thread* self, int32_t tid)
{
    if (!tid)
        return p->main ? p->main : self;
    for (Thread* t = p->threads; t; t = t->proc_next)
        if (t->tid == tid)
            return t;
    return self;
}

void status(Process* p, Thread* t, const LinuxIds& ids, Text& out)
{
    char comm[16];
    comm_of(p, comm);
    uint32_t threads = 0;
    uint64_t shared = 0, pending = 0, blocked = 0, ign = 0, cgt = 0;
    int32_t tid = 0;
    {
        LockGuard<Spinlock> g(p->lock);
        threads = p->nr_threads;
        shared = p->shared_pending;
        pending = t->sig_pending;
        blocked = t->sigmask;
        tid = t->tid;
        ign = signal_mask(p, SIG_IGN);
        cgt = signal_mask(p, SIG_IGN + 1);
    }
    Counts c = count(p);
    const char* caps = p->uid == 0 ? "000001ffffffffff" : "0000000000000000";
    out.add(
        "Name:\t%s\nUmask:\t0022\nState:\tR (running)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
        "TracerPid:\t0\n",
        comm, p->pid, tid, p->ppid);
    out.add("Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t64\nGroups:\t\n", p->uid, p->uid,
        p->uid, p->uid, p->gid, p->gid, p->gid, p->gid);
    out.add("NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", p->pid, tid, ids.pgrp, ids.session);
    uint64_t peak = p->as->peak_bytes() > c.size ? p->as->peak_bytes() : c.size;
    out.add("VmPeak:\t%8lu kB\nVmSize:\t%8lu kB\nVmLck:\t%8lu kB\nVmPin:\t%8lu kB\n", peak >> 10,
        c.size >> 10, 0UL, 0UL);
    out.add("VmHWM:\t%8lu kB\nVmRSS:\t%8lu kB\nRssAnon:\t%8lu kB\nRssFile:\t%8lu "
            "kB\nRssShmem:\t%8lu kB\n",
        (peak > c.rss ? peak : c.rss) >> 10, c.rss >> 10, c.rss >> 10, 0UL, 0UL);
    out.add("VmData:\t%8lu kB\nVmStk:\t%8lu kB\nVmExe:\t%8lu kB\nVmLib:\t%8lu kB\nVmPTE:\t%8lu kB\n"
            "VmSwap:\t%8lu kB\n",
        c.data >> 10, c.stack >> 10, c.exe >> 10, 0UL, 0UL, 0UL);
    out.add("Threads:\t%u\nSigQ:\t0/%u\n", threads, 63u);
    out.add("SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n",
        pending, shared, blocked, ign, cgt);
    out.add("CapInh:\t0000000000000000\nCapPrm:\t%s\nCapEff:\t%s\nCapBnd:\t000001ffffffffff\n"
            "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n",
        caps, caps);
    out.add("Cpus_allowed:\t");
    cores_mask(p->cores, out);
    out.add("\nCpus_allowed_list:\t");
    cores_list(p->cores, out);
    out.add("\nMems_allowed:\t1\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\n"
            "nonvoluntary_ctxt_switches:\t0\n");
}

void stat(Process* p, Thread* t, bool per_thread, const LinuxIds& ids, Text& out)
{
    char comm[16];
    comm_of(p, comm);
    uint32_t threads;
    uint64_t pending, blocked, ign, cgt;
    {
        LockGuard<Spinlock> g(p->lock);
        threads = p->nr_threads;
        pending = t->sig_pending | p->shared_pending;
        blocked = t->sigmask;
        ign = signal_mask(p, SIG_IGN);
        cgt = signal_mask(p, SIG_IGN + 1);
    }
    Counts c = count(p);
    uint32_t cpu = t->core < boot::params->nr_cpus ? boot::params->cpus[t->core].linux_cpu : 0;
    const StackLayout& s = p->stack;
    // utime and stime in clock ticks (USER_HZ 100): the thread's in
    // task/<tid>/stat, the process's otherwise.
    CpuTimes ct = per_thread ? thread_cputime(t) : process_cputime(p);
    // starttime: mkexec's, as Linux shows it to other processes.
    out.add("%d (%s) R %d %d %d 0 -1 4194304 0 0 0 0 %lu %lu 0 0 20 0 %u 0 %lu %lu %lu 18446744073709551615 ",
        t->tid, comm, p->ppid, ids.pgrp, ids.session, ct.user_ns / 10000000, ct.sys_ns / 10000000, threads, p->start_ticks,
        c.size, c.rss / PAGE);
    out.add("%lu %lu %lu 0 0 %lu %lu %lu %lu 0 0 0 17 %u 0 0 0 0 0 ", c.code_start, c.code_end,
        s.env_end, pending, blocked, ign, cgt, cpu);
    out.add("%lu %lu %lu %lu %lu %lu %lu 0\n", c.data_start, c.data_end, p->as->brk_start,
        s.arg_start, s.arg_end, s.env_start, s.env_end);
}

void perms(const Region& r, char out[5])
{
    out[0] = r.prot & PROT_R ? 'r' : '-';
    out[1] = r.prot & PROT_W ? 'w' : '-';
    out[2] = r.prot & PROT_X ? 'x' : '-';
    out[3] = r.kind == RegionKind::shared && !r.cow ? 's' : 'p';
    out[4] = 0;
}

const char* region_name(const Process* p, const Region& r)
{
    switch (r.kind) {
    case RegionKind::image: return r.start >= INTERP_BASE ? p->interp : p->exe;
    case RegionKind::heap: return "[heap]";
    case RegionKind::stack: return "[stack]";
    case RegionKind::vdso: return r.prot & PROT_X ? "[vdso]" : "[vvar]";
    default: return "";
    }
}

void maps(Process* p, Text& out, bool smaps)
{
    for (const Region& r : p->as->regions()) {
        if (internal(r.kind))
            continue;
        char pr[5];
        perms(r, pr);
        size_t before = out.size();
        out.add("%08lx-%08lx %s %08lx 00:00 %u", r.start, r.end, pr, 0UL, 0u);
        const char* name = region_name(p, r);
        if (*name) {
            // Linux pads the name to column 73 (on 64-bit).
            size_t col = out.size() - before;
            static const char spaces[] =
                "                                                                         ";
            out.add_bytes(spaces, col < 73 ? 73 - col : 1);
            out.add("%s", name);
        }
        out.add("\n");
        if (!smaps)
            continue;
        uint64_t kb = (r.end - r.start) >> 10, rss = r.prot ? kb : 0;
        uint64_t page_kb = p->as->page_size_at(r.start) >> 10;
        if (!page_kb)
            page_kb = 4;
        out.add("Size:           %8lu kB\nKernelPageSize: %8lu kB\nMMUPageSize:    %8lu kB\n", kb,
            page_kb, page_kb);
        out.add("Rss:            %8lu kB\nPss:            %8lu kB\nPss_Dirty:      %8lu kB\n", rss,
            rss, rss);
        out.add("Shared_Clean:   %8u kB\nShared_Dirty:   %8u kB\nPrivate_Clean:  %8u kB\n"
                "Private_Dirty:  %8lu kB\nReferenced:     %8lu kB\nAnonymous:      %8lu kB\n",
            0u, 0u, 0u, rss, rss, rss);
        out.add("LazyFree:       %8u kB\nAnonHugePages:  %8u kB\nShmemPmdMapped: %8u kB\n"
                "FilePmdMapped:  %8u kB\nShared_Hugetlb: %8u kB\nPrivate_Hugetlb:%8u kB\n"
                "Swap:           %8u kB\nSwapPss:        %8u kB\nLocked:         %8lu kB\n",
            0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u, rss);
        out.add("THPeligible:    0\nVmFlags: %s%s%s%s%s%s\n", r.prot & PROT_R ? "rd " : "",
            r.prot & PROT_W ? "wr " : "", r.prot & PROT_X ? "ex " : "", "mr ", "mw ", "me ");
    }
}

void rollup(Process* p, Text& out)
{
    Counts c = count(p);
    uint64_t lo = ~0ULL, hi = 0;
    for (const Region& r : p->as->regions())
        if (!internal(r.kind)) {
            lo = r.start < lo ? r.start : lo;
            hi = r.end > hi ? r.end : hi;
        }
    if (lo == ~0ULL)
        lo = 0;
    uint64_t kb = c.rss >> 10;
    out.add("%08lx-%08lx ---p 00000000 00:00 0                          [rollup]\n", lo, hi);
    out.add("Rss:            %8lu kB\nPss:            %8lu kB\nPss_Dirty:      %8lu kB\nPss_Anon:  "
            "     %8lu kB\n"
            "Pss_File:       %8u kB\nPss_Shmem:      %8u kB\n",
        kb, kb, kb, kb, 0u, 0u);
    out.add("Shared_Clean:   %8u kB\nShared_Dirty:   %8u kB\nPrivate_Clean:  %8u "
            "kB\nPrivate_Dirty:  %8lu kB\n"
            "Referenced:     %8lu kB\nAnonymous:      %8lu kB\nLazyFree:       %8u "
            "kB\nAnonHugePages:  %8u kB\n"
            "Swap:           %8u kB\nSwapPss:        %8u kB\nLocked:         %8lu kB\n",
        0u, 0u, 0u, kb, kb, kb, 0u, 0u, 0u, 0u, kb);
}

// The program's own memory between two of its addresses (cmdline, environ).
Result<void> strings(Process* p, uint64_t from, uint64_t to, Text& out)
{
    char buf[512];
    while (from < to) {
        uint64_t n = to - from < sizeof buf ? to - from : sizeof buf;
        TRY(p->as->copy_in(buf, from, n));
        out.add_bytes(buf, n);
        from += n;
    }
    return {};
}

} // namespace

Result<void> proc_file_text(Process* p, Thread* self, const ProcTarget& target, const LinuxIds& ids, Text& out)
{
    sched::MutexGuard g(p->as->mutex()); // the regions stay as they are
    Thread* t = thread_for(p, self, target.tid);
    switch (target.file) {
    case ProcFile::status: status(p, t, ids, out); break;
    case ProcFile::stat: stat(p, t, target.tid != 0, ids, out); break;
    case ProcFile::statm: {
        Counts c = count(p);
        out.add("%lu %lu 0 %lu 0 %lu 0\n", c.size / PAGE, c.rss / PAGE, c.exe / PAGE,
            (c.data + c.stack) / PAGE);
        break;
    }
    case ProcFile::cmdline: TRY(strings(p, p->stack.arg_start, p->stack.arg_end, out)); break;
    case ProcFile::environ: TRY(strings(p, p->stack.env_start, p->stack.env_end, out)); break;
    case ProcFile::auxv: out.add_bytes(p->auxv, p->auxv_bytes); break;
    case ProcFile::maps: maps(p, out, false); break;
    case ProcFile::smaps: maps(p, out, true); break;
    case ProcFile::smaps_rollup: rollup(p, out); break;
    case ProcFile::comm: {
        char comm[16];
        comm_of(p, comm);
        out.add("%s\n", comm);
        break;
    }
    case ProcFile::cpu_list:
        cores_list(p->cores, out);
        out.add("\n");
        break;
    default: return Errno::INVAL;
    }
    if (!out.ok())
        return Errno::NOMEM;
    return {};
}

} // namespace lwk::proc
