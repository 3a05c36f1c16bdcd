// An LWK process's memory: its page tables (sharing the kernel half) and
// its regions. Memory is allocated when mapped (no demand paging: no page
// faults while the program runs), zeroed, in 2 MiB pages wherever the
// range's alignment allows. Linux must have dropped its view of a range
// (MK_MSG_UNMAP) before unmap() frees its pages: callers see to that.
//
// A fork shares the process's pages with its child, copy-on-write
// (cow.cpp): both leaves read-only with PTE_COW, the frame counted
// (mm/frame_refs); the first write on either side copies it, or makes it
// writable again once nobody else maps it.
//
// Pages nobody wrote are known to be zero: the leaf's dirty bit says
// whether the program wrote; the kernel's writes (copy_out ...) and
// Linux's (mk.ko, through mkexec's window) set it too. Such pages go back
// to the allocator as zero memory, and MADV_DONTNEED leaves them alone.
#pragma once

#include <arch/pagetable.hpp>
#include <lib/atomic.hpp>
#include <sched/mutex.hpp>
#include <lib/result.hpp>
#include <lib/vector.hpp>

#include <cstdint>

namespace lwk::proc {

// What a region is, for /proc-like reports and for brk and the stack.
// shared: pages of Linux's (a file's, pinned by mk.ko) mapped MAP_SHARED.
// sink: kernel-only pages mk.ko writes a pin's frame numbers into.
enum class RegionKind : uint32_t { image, heap, stack, anon, staging, shared, sink, vdso };

// Regions of the kernel's own in the window, not the program's.
inline bool internal(RegionKind k) { return k == RegionKind::staging || k == RegionKind::sink; }

// Physical memory taken out of the page tables but not yet freed; zero if
// nothing wrote it since it was zeroed (its leaf was never dirty). Or, with
// pin set, a pin of Linux pages nothing maps any more: mk.ko is told to
// release it (MK_MSG_UNPIN for process pid) when the piece is freed.
// cow: a frame others may map too (mm/frame_refs): freed only by the last.
struct Piece {
    uint64_t phys;
    unsigned order;
    bool zero;
    uint32_t pin;
    int32_t pid;
    bool cow = false;
};
using Pieces = Vector<Piece>;
void free_pieces(Pieces& pieces);

struct Region {
    uint64_t start, end;
    uint32_t prot; // PROT_R | PROT_W | PROT_X (proc/elf.hpp)
    RegionKind kind;
    // shared: the pin its pages belong to, what the pin allows, and
    // whether it is a SysV segment (shmdt takes it away).
    uint32_t pin = 0;
    uint32_t max_prot = 0;
    bool shm = false;
    // shared: a private file mapping (MAP_PRIVATE, not writable) whose pages
    // are the file's in Linux's page cache until the program makes it
    // writable: then they become copies of its own (an anon region).
    bool cow = false;
    // shared: where the pin's first page is mapped (its page n is at
    // pin_base + n pages).
    uint64_t pin_base = 0;
    // shared: the pages are tracked, not pinned (<mk/proc.h>,
    // MK_PIN_SINK_TRACKED): absent ones hold markers, mk.ko puts pages in
    // and takes them out (tracked.cpp).
    bool tracked = false;
};

class AddressSpace {
public:
    static Result<AddressSpace*> create();
    ~AddressSpace(); // frees every page and table
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;

    uint64_t page_table() const { return pt_.root(); }
    void activate() const;

    // A fork's child (cow.cpp): the same regions (the kernel's own left
    // out), every page of the process's shared copy-on-write (read-only in
    // both until written; the caller has Linux drop its view of this
    // process's), each page of Linux's the same page under the same pin.
    // Errno::NOMEM also for a tracked mapping, which a child cannot share.
    Result<AddressSpace*> share_for_fork();
    // Under the lock: whether a tracked mapping is there (its children
    // run on Linux).
    bool has_tracked() const;
    // Under the lock: the page at va, if a fork shares it, becomes this
    // process's own (copied, or kept if nobody else maps it any more),
    // writable if its region is; for_write: only if its region is
    // (Unshare::refused otherwise). Unshare::drop: Linux may map the old
    // page ([*drop_start, +*drop_len)), and its views must go first: with
    // drop_now the caller drops them before asking again, holding the
    // lock; with ask, mk.ko does (MK_COW_DROP) and asks again as dropped;
    // with keep nobody can, and nothing is changed.
    enum class Unshare { none, done, drop, nomem, refused };
    enum class LinuxView { drop_now, ask, dropped, keep };
    Unshare unshare_locked(uint64_t va, bool for_write, LinuxView view, uint64_t& drop_start, uint64_t& drop_len);

    // Maps [addr, addr + len) (page-aligned) with fresh zeroed memory. fixed:
    // exactly there (EEXIST if taken, unless replace); else at a free place
    // at or above hint. Returns the address.
    Result<uint64_t> map(uint64_t addr, uint64_t len, uint32_t prot, RegionKind kind, bool fixed);
    // Reserves [addr, addr + len) (page-aligned, free) for pages of Linux's
    // pinned as pin, which allows max_prot; insert_foreign puts them in.
    // The addresses it gets no page for raise SIGBUS (past a file's end).
    Result<void> map_shared(uint64_t addr, uint64_t len, uint32_t prot, uint32_t max_prot, uint32_t pin, bool shm,
        bool cow = false, bool tracked = false);
    // A tracked shared region (tracked.cpp): its first n pages get markers
    // (pin, index, rights); and the entry at addr as it is now (0: none).
    Result<void> insert_markers(uint64_t addr, uint64_t n);
    uint64_t tracked_entry(uint64_t addr);
    // Maps Linux's page frames pfns[0..n) at addr, addr + 4 KiB, ... inside
    // a shared region, with 2 MiB leaves where 512 aligned frames in a row
    // allow.
    Result<void> insert_foreign(uint64_t addr, const uint64_t* pfns, uint64_t n);
    // The size of the page that maps addr (0: none).
    uint64_t page_size_at(uint64_t addr) const;
    // Whether addr lies in a page of Linux's, and its physical address.
    bool foreign_phys(uint64_t addr, uint64_t& phys) const;
    // Whether addr is mapped for the program, and where: its physical
    // address, and whether the page is Linux's rather than the LWK's.
    bool phys_at(uint64_t addr, uint64_t& phys, bool& foreign) const;
    // The region that holds addr, or nullptr.
    const Region* region_at(uint64_t addr) const;
    // The process its pins belong to (MK_MSG_UNPIN).
    void set_owner(int32_t pid) { owner_ = pid; }

    // Unmaps [addr, addr + len); its memory is freed now, or handed to
    // `later` to be freed once Linux has dropped its view. *linux_mapped:
    // whether Linux had mapped any of it (else it has nothing to drop).
    Result<void> unmap(uint64_t addr, uint64_t len, Pieces* later = nullptr, bool* linux_mapped = nullptr);
    // *linux_mapped: whether a leaf changed had been mapped into mkexec by
    // mk.ko (MK_PTE_LINUX_MAPPED), so that Linux may hold its old rights.
    Result<void> protect(uint64_t addr, uint64_t len, uint32_t prot, Pieces* later = nullptr,
        bool* linux_mapped = nullptr);
    // From addr (below end): where the run of pages that are all written
    // (dirty leaves, or Linux's pages) or all not (never written since
    // zeroed, or unmapped) ends, and which it is.
    uint64_t written_run(uint64_t addr, uint64_t end, bool& written) const;
    // Whether any page of the range is mapped.
    bool any_mapped(uint64_t addr, uint64_t len) const;
    // Whether [addr, addr + len) is all mapped, and with at least prot.
    bool accessible(uint64_t addr, uint64_t len, uint32_t prot) const;
    // A free range of len bytes at or above hint (2 MiB aligned when len allows).
    uint64_t find_free(uint64_t hint, uint64_t len) const;

    // Copies between the kernel and the process through its page tables;
    // EFAULT if any byte is not mapped for the program (kernel-only pages
    // included; other permissions are the caller's job).
    Result<void> copy_in(void* dst, uint64_t src, uint64_t len) const;
    Result<void> copy_out(uint64_t dst, const void* src, uint64_t len) const;
    // A pin sink (<mk/proc.h>): zeroed kernel-only pages in the window that
    // only mk.ko writes (Linux's view of them is dropped when they go, so
    // mk.ko's last write is done before they are freed); and reading it.
    Result<uint64_t> map_sink(uint64_t len);
    Result<void> read_sink(void* dst, uint64_t src, uint64_t len) const;
    // Copies n bytes from one address of the process to another.
    Result<void> copy_between(uint64_t dst, uint64_t src, uint64_t n) const;
    // Zeroes mapped memory (only_written: only the pages that were
    // written, the others being zero already: MADV_DONTNEED).
    Result<void> zero(uint64_t addr, uint64_t len, bool only_written = false) const;
    // A string of at most max bytes (NUL included); ENAMETOOLONG-like E2BIG if longer.
    Result<uint64_t> strlen_user(uint64_t src, uint64_t max) const;

    // The kernel's address of [addr, addr + len) within one page (futex
    // words): EFAULT if not mapped (or not writable, for write).
    Result<void*> kernel_address(uint64_t addr, uint64_t len, bool write) const;

    // Every method takes this lock; a system call holds it across a
    // sequence of them (and across Linux dropping its view of a range).
    sched::Mutex& mutex() const { return mutex_; }
    // Flushes [addr, addr + len) on every core that has this table loaded:
    // page by page on this core when the range is small, all of it
    // otherwise (and always on the others).
    void flush_tlb(uint64_t addr = 0, uint64_t len = ~uint64_t{0}) const;
    // How many TLB flushes it has had (cores record the one they did).
    uint64_t tlb_generation() const { return tlb_gen_.load(); }

    const Vector<Region>& regions() const { return regions_; }
    uint64_t mapped_bytes() const;
    // The most it has had mapped at once (VmHWM, VmPeak).
    uint64_t peak_bytes() const { return peak_; }

    // The program break.
    uint64_t brk_start = 0;
    uint64_t brk = 0;

private:
    explicit AddressSpace(arch::PageTable pt) : pt_(pt) {}
    Result<void> populate(uint64_t addr, uint64_t len, uint32_t prot);
    class Reclaim;
    // Takes [addr, addr + len) out of the page tables; its memory is freed
    // after a TLB flush, or handed to later.
    // Returns whether a leaf dropped had MK_PTE_LINUX_MAPPED.
    bool drop_pages(uint64_t addr, uint64_t len, Pieces* later);
    Result<void> split_regions_at(uint64_t addr);
    // Before [addr, end) is cut out of larger pages: a shared 2 MiB page
    // across either end becomes the process's own (a shared one is never
    // split: its count is its first frame's).
    Result<void> unshare_edges(uint64_t addr, uint64_t end) const;
    const Region* region_locked(uint64_t addr) const;
    // Before the kernel writes addr: a page a fork shares there becomes
    // this process's own; false if it cannot (unshare_here).
    bool own_page(uint64_t addr) const;
    Result<bool> copy_2m_in_pages(uint64_t* e, uint64_t old, uint64_t base, uint64_t bits);
    // A cow region's pages of Linux's become copies of the process's own
    // (written memory); the region becomes anon, its pin handed to later
    // once nothing maps it. Its prot is the caller's to set.
    Result<void> privatize(Region& r, Pieces* later, bool& linux_mapped);
    // A tracked region's entries: every one a marker with rights prot
    // (mprotect), or cleared (unmap); the caller flushes the TLBs.
    void retrack(const Region& r, uint64_t from, uint64_t to, uint32_t prot);
    void untrack(uint64_t from, uint64_t to);
    // A pin no region maps any more goes to later (MK_MSG_UNPIN once
    // Linux's view of it is dropped).
    void release_pin_if_unused(uint32_t pin, Pieces* later);

    arch::PageTable pt_;
    Vector<Region> regions_; // sorted, not overlapping
    mutable sched::Mutex mutex_;
    mutable Atomic<uint64_t> tlb_gen_{0};
    uint64_t peak_ = 0;
    int32_t owner_ = 0;
    // The kernel's view of a translated page (foreign pages through a kmap slot).
    static void* view(const arch::Translation& t, unsigned slot);
};

// Page-table bits for a protection.
uint64_t pte_bits(uint32_t prot);
// For the kernel's own reads and writes of a program's memory (copy_in,
// copy_out, kernel_address, under the address space's lock): a page of a
// tracked mapping there that is absent (or read-only, for a write) is put
// in through the current thread's mkexec (syscall/refault.cpp), if as is
// its process's. true if it may be there now.
bool fault_in_tracked(const AddressSpace& as, uint64_t addr, bool write);
// For the kernel's writes (under the lock): a shared page at addr becomes
// the process's own (cow.cpp's unshare, Linux's view dropped through the
// current thread where it must be). false if it cannot (no memory, or
// Linux's view of another process's page).
bool unshare_here(const AddressSpace& as, uint64_t addr, bool for_write);

} // namespace lwk::proc
