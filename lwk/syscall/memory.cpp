// Memory system calls, handled in the LWK: its memory is allocated when
// mapped, in 2 MiB pages where alignment allows, and never paged.
#include <syscall/syscall.hpp>

#include <core/boot.hpp>
#include <proc/elf.hpp>
#include <proc/layout.hpp>
#include <proc/process.hpp>
#include <sched/mutex.hpp>
#include <syscall/scratch.hpp>
#include <core/channel.hpp>

#include <mk/proc.h>


namespace lwk::sys {
namespace {

constexpr uint64_t PAGE = 4096, HUGE = 2ULL << 20;
constexpr uint64_t MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
                   MAP_HUGETLB = 0x40000, MAP_FIXED_NOREPLACE = 0x100000;
constexpr uint64_t PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
constexpr uint64_t MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;

uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

uint32_t prot_of(uint64_t p)
{
    return uint32_t((p & PROT_READ ? proc::PROT_R : 0) | (p & PROT_WRITE ? proc::PROT_W : 0) |
        (p & PROT_EXEC ? proc::PROT_X : 0));
}

bool in_window(uint64_t addr, uint64_t len)
{
    return addr >= proc::USER_START && addr <= proc::USER_END && len <= proc::USER_END - addr;
}

// MAP_HUGETLB of a file: Linux maps it only from hugetlbfs and refuses it
// (EINVAL) elsewhere, a refusal programs rely on to fall back to ordinary
// pages (UCX's shared-memory transport sizes its segment by the mapping).
Result<void> require_hugetlbfs(Context& c, uint64_t fd)
{
    constexpr uint64_t NR_FSTATFS = 138, HUGETLBFS_MAGIC = 0x958458f6;
    Scratch st(c, 120); // struct statfs; f_type first
    if (!st.addr())
        return Errno::NOMEM;
    TRY(forward_call(c, NR_FSTATFS, fd, st.addr()));
    uint64_t type = 0;
    TRY(st.get(0, &type, sizeof type));
    if (type != HUGETLBFS_MAGIC)
        return Errno::INVAL;
    return {};
}

void unpin(Context& c, uint32_t pin)
{
    mk_msg_unpin m{};
    m.hdr = {MK_MSG_UNPIN, 0, c.proc->pid, 0, 0};
    m.id = pin;
    channel::send(&m, sizeof m);
}

// Maps Linux's pages of a file (MK_SYS_MAP_SHARED: fd, offset) or a SysV
// segment (MK_SYS_SHMAT: shmid, flags) at `fixed` (replacing what is
// there), or at a free place at or above hint: mkexec pins them and mk.ko
// writes the pin into a sink, made before the old mapping at `fixed` goes
// so that it cannot take its place. What the sink names is mapped, with
// the rights it names: mkexec's answer only says whether it worked. The
// caller holds the address space's mutex.
Result<long> map_linux_pages(Context& c, uint64_t fixed, uint64_t hint, uint64_t len, uint64_t prot,
    uint64_t call, uint64_t a0, uint64_t a1, bool shm, bool cow = false, uint64_t flags = 0)
{
    proc::AddressSpace* as = c.proc->as;
    const uint64_t npages = len / PAGE;
    // Unmapped when done: Linux answers that unmap only once mk.ko is done writing it.
    Scratch sink(c, sizeof(mk_pin_sink) + npages * 8, Scratch::for_pins);
    if (!sink.addr())
        return Errno::NOMEM;
    if (fixed && as->any_mapped(fixed, len))
        TRY(unmap_range(c, fixed, len));
    uint64_t at = fixed ? fixed : as->find_free(hint && in_window(hint, len) ? hint : proc::MMAP_BASE, len);
    if (!at)
        return Errno::NOMEM;
    TRY(forward_call(c, call, a0, a1, len, prot, sink.addr(), flags | (cow ? MK_MAP_PRIVATE_RO : 0)));
    mk_pin_sink head{};
    TRY(sink.get(0, &head, sizeof head));
    if (!head.id)
        return Errno::IO; // mkexec answered without a pin: not itself
    const uint32_t pin = head.id;
    const uint64_t got = head.nr;
    const uint32_t max = proc::PROT_R | proc::PROT_X | (head.flags & MK_PIN_SINK_WRITABLE ? proc::PROT_W : 0);
    if (got > npages || (cow && (max & proc::PROT_W))) {
        unpin(c, pin);
        return Errno::IO;
    }
    const bool tracked = head.flags & MK_PIN_SINK_TRACKED;
    if (tracked && (cow || shm)) {
        unpin(c, pin);
        return Errno::IO;
    }
    auto reserved = as->map_shared(at, len, prot_of(prot), max, pin, shm, cow, tracked);
    if (reserved.is_error()) {
        unpin(c, pin);
        return reserved.error().code == int(Errno::INVAL) ? Error(Errno::ACCES) : reserved.error();
    }
    if (tracked) {
        // No frames: each page is faulted in on first use (proc/tracked.cpp).
        auto marked = as->insert_markers(at, got);
        if (marked.is_error()) {
            (void)unmap_range(c, at, len); // the pin goes with it
            return marked.error();
        }
        return static_cast<long>(at);
    }
    uint64_t chunk[512];
    for (uint64_t i = 0; i < got; i += 512) {
        uint64_t n = got - i < 512 ? got - i : 512;
        auto in = sink.get(sizeof head + i * 8, chunk, n * 8);
        auto mapped = in.is_error() ? in : as->insert_foreign(at + i * PAGE, chunk, n);
        if (mapped.is_error()) {
            (void)unmap_range(c, at, len); // the pin goes with it
            return mapped.error();
        }
    }
    return static_cast<long>(at);
}

// A private mapping Linux's pages cannot back is copied instead, unless
// Linux refuses the mapping itself (the descriptor's rights, a noexec mount).
bool copy_instead(const Error& e)
{
    return e.code != int(Errno::ACCES) && e.code != int(Errno::PERM) && e.code != int(Errno::BADF);
}

} // namespace

Result<void> unmap_range(Context& c, uint64_t addr, uint64_t len)
{
    proc::Pieces later;
    bool linux_mapped = false;
    TRY(c.proc->as->unmap(addr, len, &later, &linux_mapped));
    if (linux_mapped)
        drop_linux_view(c, addr, len);
    proc::free_pieces(later);
    return {};
}

Result<long> sys_mmap(Context& c)
{
    sched::MutexGuard lock(c.proc->as->mutex()); // the sequence is one change
    uint64_t addr = c.a[0], len = c.a[1], prot = c.a[2], flags = c.a[3], fd = c.a[4], off = c.a[5];
    proc::AddressSpace* as = c.proc->as;
    if (!len || (addr & (PAGE - 1)) || (off & (PAGE - 1)) || !(flags & (MAP_SHARED | MAP_PRIVATE)))
        return Errno::INVAL;
    if (len > proc::USER_END)
        return Errno::NOMEM;
    len = round_up(len, PAGE);
    bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
    bool file = !(flags & MAP_ANONYMOUS);
    if (file && (flags & MAP_HUGETLB))
        TRY(require_hugetlbfs(c, fd));
    if (fixed) {
        if (!in_window(addr, len))
            return (flags & MAP_FIXED_NOREPLACE) ? Errno::EXIST : Errno::NOMEM;
        if (as->any_mapped(addr, len)) {
            if (flags & MAP_FIXED_NOREPLACE)
                return Errno::EXIST;
            if (!(file && (flags & MAP_SHARED))) // that one replaces it itself
                TRY(unmap_range(c, addr, len));
        }
    } else if (addr && (!in_window(addr, len) || as->any_mapped(addr, len))) {
        addr = 0; // the hint does not fit: choose
    } else if (!addr) {
        addr = proc::MMAP_BASE;
    }
    // A shared file mapping maps Linux's own pages of the file.
    if (file && (flags & MAP_SHARED))
        return map_linux_pages(c, fixed ? addr : 0, addr, len, prot, MK_SYS_MAP_SHARED, fd, off, false);
    // So does a shared anonymous one: new shared memory of Linux's, which
    // mkexec maps and pins (MK_MAP_ANONYMOUS), so that the program's
    // children, which run on Linux, share it as on Linux. Where Linux
    // cannot give it (mk.ko's pin limit), it is the LWK's memory, shared
    // with no child.
    if (!file && (flags & MAP_SHARED) && !(flags & MAP_HUGETLB) && (prot & (PROT_READ | PROT_WRITE | PROT_EXEC))) {
        auto shared = map_linux_pages(c, fixed ? addr : 0, addr, len, prot, MK_SYS_MAP_SHARED, 0, 0, false, false,
            MK_MAP_ANONYMOUS);
        if (!shared.is_error())
            return shared;
    }
    // So does a private one the program may not write (a library's code
    // and read-only data): every process that maps the file shares Linux's
    // page cache, and a copy is made only if the program makes it
    // writable. Where Linux cannot pin its pages (a file without pages of
    // its own, an offset past the end), a copy as below.
    if (file && !(prot & PROT_WRITE) && (prot & (PROT_READ | PROT_EXEC))) {
        auto shared = map_linux_pages(c, fixed ? addr : 0, addr, len, prot, MK_SYS_MAP_SHARED, fd, off, false, true);
        if (!shared.is_error() || !copy_instead(shared.error()))
            return shared;
    }
    // A private one is a copy: its contents are read in through Linux, then
    // prot is set.
    uint32_t initial = file ? proc::PROT_R | proc::PROT_W : prot_of(prot);
    uint64_t at = TRY(as->map(addr, len, initial, proc::RegionKind::anon, fixed));
    if (file) {
        auto got = forward_call(c, 17 /* pread64 */, fd, at, len, off);
        if (got.is_error() || (prot_of(prot) != initial && as->protect(at, len, prot_of(prot)).is_error())) {
            (void)unmap_range(c, at, len);
            return got.is_error() ? got.error() : Error(Errno::NOMEM);
        }
    }
    return static_cast<long>(at);
}

Result<long> sys_shmat(Context& c)
{
    sched::MutexGuard lock(c.proc->as->mutex()); // the sequence is one change
    constexpr uint64_t SHM_RDONLY = 010000, SHM_RND = 020000, SHM_REMAP = 040000, SHM_EXEC = 0100000;
    constexpr uint64_t NR_SHMCTL = 31, IPC_STAT = 2, SEGSZ_OFFSET = 48; // struct shmid_ds after its ipc64_perm
    uint64_t shmid = c.a[0], addr = c.a[1], flags = c.a[2];
    // The segment's size, as Linux has it (and Linux's checks of shmid).
    uint64_t size = 0;
    {
        Scratch ds(c, 4096);
        if (!ds.addr())
            return Errno::NOMEM;
        TRY(forward_call(c, NR_SHMCTL, shmid, IPC_STAT, ds.addr()));
        TRY(ds.get(SEGSZ_OFFSET, &size, sizeof size));
    }
    uint64_t len = round_up(size, PAGE);
    if (!len)
        return Errno::INVAL;
    if (addr) {
        if (flags & SHM_RND)
            addr &= ~(PAGE - 1);
        if ((addr & (PAGE - 1)) || !in_window(addr, len))
            return Errno::INVAL;
        if (c.proc->as->any_mapped(addr, len) && !(flags & SHM_REMAP))
            return Errno::INVAL; // with SHM_REMAP, map_linux_pages replaces it
    }
    uint64_t prot = PROT_READ | (flags & SHM_RDONLY ? 0 : PROT_WRITE) | (flags & SHM_EXEC ? PROT_EXEC : 0);
    return map_linux_pages(c, addr, 0, len, prot, MK_SYS_SHMAT, shmid, flags & SHM_RDONLY, true);
}

Result<long> sys_shmdt(Context& c)
{
    sched::MutexGuard lock(c.proc->as->mutex()); // the sequence is one change
    uint64_t addr = c.a[0];
    const proc::Region* r = c.proc->as->region_at(addr);
    if (!r || r->kind != proc::RegionKind::shared || !r->shm || r->start != addr)
        return Errno::INVAL;
    // The whole attachment: every region of its pin from there on.
    uint32_t pin = r->pin;
    uint64_t end = r->end;
    for (const proc::Region& x : c.proc->as->regions())
        if (x.start == end && x.kind == proc::RegionKind::shared && x.pin == pin)
            end = x.end;
    TRY(unmap_range(c, addr, end - addr));
    return 0;
}

Result<long> sys_munmap(Context& c)
{
    sched::MutexGuard lock(c.proc->as->mutex()); // the sequence is one change
    uint64_t addr = c.a[0], len = c.a[1];
    if ((addr & (PAGE - 1)) || !len || !in_window(addr, round_up(len, PAGE)))
        return Errno::INVAL;
    if (c.proc->as->any_mapped(addr, round_up(len, PAGE)))
        TRY(unmap_range(c, addr, round_up(len, PAGE)));
    return 0;
}

Result<long> sys_mprotect(Context& c)
{
    sched::MutexGuard lock(c.proc->as->mutex()); // the sequence is one change
    uint64_t addr = c.a[0], len = round_up(c.a[1], PAGE);
    if ((addr & (PAGE - 1)) || !in_window(addr, len))
        return Errno::INVAL;
    if (!len)
        return 0;
    proc::Pieces later;
    bool linux_mapped = false;
    TRY(c.proc->as->protect(addr, len, prot_of(c.a[2]), &later, &linux_mapped));
    // Linux may hold the old rights: it faults them in again with the new.
    // Pages mk.ko never mapped into mkexec (no MK_PTE_LINUX_MAPPED when
    // their rights changed) it cannot hold: no round trip for those.
    if (linux_mapped)
        drop_linux_view(c, addr, len);
    proc::free_pieces(later);
    return 0;
}

Result<long> sys_brk(Context& c)
{
    sched::MutexGuard lock(c.proc->as->mutex()); // the sequence is one change
    proc::AddressSpace* as = c.proc->as;
    uint64_t want = c.a[0];
    if (want < as->brk_start || want > proc::MMAP_BASE)
        return static_cast<long>(as->brk);
    // The heap is mapped up to a 2 MiB boundary; grow it in 2 MiB steps.
    uint64_t mapped = as->brk_start;
    for (const proc::Region& r : as->regions())
        if (r.kind == proc::RegionKind::heap)
            mapped = r.end;
    if (want > mapped) {
        uint64_t end = round_up(want, HUGE);
        if (as->map(mapped, end - mapped, proc::PROT_R | proc::PROT_W, proc::RegionKind::heap, true).is_error()) {
            end = round_up(want, PAGE);
            if (as->map(mapped, end - mapped, proc::PROT_R | proc::PROT_W, proc::RegionKind::heap, true).is_error())
                return static_cast<long>(as->brk);
        }
    } else if (want < as->brk) {
        // Memory given back by brk must read as zero when it is taken again
        // (C libraries rely on fresh break memory being zeroed).
        uint64_t from = want;
        static const uint8_t zeros[PAGE] = {};
        while (from < as->brk) {
            uint64_t n = PAGE - (from & (PAGE - 1));
            if (n > as->brk - from)
                n = as->brk - from;
            (void)as->copy_out(from, zeros, n);
            from += n;
        }
    }
    as->brk = want;
    return static_cast<long>(want);
}

Result<long> sys_mremap(Context& c)
{
    sched::MutexGuard lock(c.proc->as->mutex()); // the sequence is one change
    uint64_t old = c.a[0], old_len = round_up(c.a[1], PAGE), new_len = round_up(c.a[2], PAGE);
    uint64_t flags = c.a[3], new_addr = c.a[4];
    proc::AddressSpace* as = c.proc->as;
    if ((old & (PAGE - 1)) || !new_len || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) ||
        ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)))
        return Errno::INVAL;
    if (!as->accessible(old, old_len, 0) || !in_window(old, old_len))
        return Errno::FAULT;
    const proc::Region* region = nullptr;
    for (const proc::Region& r : as->regions())
        if (r.start <= old && old < r.end)
            region = &r;
    if (region && region->kind == proc::RegionKind::shared && !region->cow)
        return Errno::INVAL; // Linux's pages: moving them is not offered (a private mapping moves as a copy)
    uint32_t prot = region ? region->prot : proc::PROT_R | proc::PROT_W;
    if (!(flags & MREMAP_FIXED)) {
        if (new_len <= old_len) {
            if (new_len < old_len)
                TRY(unmap_range(c, old + new_len, old_len - new_len));
            return static_cast<long>(old);
        }
        // Grow in place when the pages after it are free.
        if (in_window(old + old_len, new_len - old_len) && !as->any_mapped(old + old_len, new_len - old_len) &&
            !as->map(old + old_len, new_len - old_len, prot, proc::RegionKind::anon, true).is_error())
            return static_cast<long>(old);
        if (!(flags & MREMAP_MAYMOVE))
            return Errno::NOMEM;
        new_addr = 0;
    } else if ((new_addr & (PAGE - 1)) || !in_window(new_addr, new_len)) {
        return Errno::INVAL;
    } else if (as->any_mapped(new_addr, new_len)) {
        TRY(unmap_range(c, new_addr, new_len));
    }
    // Move: new memory, the contents copied, the old range unmapped.
    uint64_t to = TRY(as->map(new_addr ? new_addr : proc::MMAP_BASE, new_len, prot | proc::PROT_W,
        proc::RegionKind::anon, new_addr != 0));
    uint64_t n = old_len < new_len ? old_len : new_len;
    TRY(as->copy_between(to, old, n));
    if (!(prot & proc::PROT_W))
        TRY(as->protect(to, new_len, prot));
    TRY(unmap_range(c, old, old_len));
    return static_cast<long>(to);
}

Result<long> sys_madvise(Context& c)
{
    sched::MutexGuard lock(c.proc->as->mutex()); // the sequence is one change
    constexpr uint64_t MADV_DONTNEED = 4;
    uint64_t addr = c.a[0], len = round_up(c.a[1], PAGE);
    if (addr & (PAGE - 1))
        return Errno::INVAL;
    if (!c.proc->as->accessible(addr, len, 0))
        return Errno::NOMEM;
    // Private anonymous memory reads back as zeros: the pages written are
    // cleared (those nobody wrote still are zero).
    if (c.a[2] == MADV_DONTNEED)
        TRY(c.proc->as->zero(addr, len, true));
    return 0; // the rest is advice; LWK memory is never paged out
}

Result<long> sys_msync(Context&) { return 0; }
Result<long> sys_mlock(Context&) { return 0; }
Result<long> sys_munlock(Context&) { return 0; }
Result<long> sys_mlockall(Context&) { return 0; }
Result<long> sys_munlockall(Context&) { return 0; }
Result<long> sys_mlock2(Context&) { return 0; }

Result<long> sys_mincore(Context& c)
{
    uint64_t addr = c.a[0], len = round_up(c.a[1], PAGE), vec = c.a[2];
    if (addr & (PAGE - 1))
        return Errno::INVAL;
    if (!c.proc->as->accessible(addr, len, 0))
        return Errno::NOMEM;
    // Everything is resident.
    static const uint8_t ones[256] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    for (uint64_t pages = len / PAGE, done = 0; done < pages;) {
        uint64_t n = pages - done < sizeof ones ? pages - done : sizeof ones;
        TRY(c.proc->as->copy_out(vec + done, ones, n));
        done += n;
    }
    return 0;
}

Result<long> sys_pkey_mprotect(Context&) { return Errno::NOSYS; }
Result<long> sys_pkey_alloc(Context&) { return Errno::NOSYS; }
Result<long> sys_pkey_free(Context&) { return Errno::NOSYS; }
Result<long> sys_remap_file_pages(Context&) { return Errno::NOSYS; }
Result<long> sys_process_madvise(Context&) { return Errno::NOSYS; }
Result<long> sys_memfd_secret(Context&) { return Errno::NOSYS; }

} // namespace lwk::sys
