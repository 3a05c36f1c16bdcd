// x86-64 4-level page tables: build, change and walk them. Pure data
// manipulation (no CR3 or TLB access), so the host unit tests run it on
// ordinary memory; callers flush TLBs themselves.
#pragma once

#include <lib/result.hpp>

#include <cstdint>

namespace lwk::arch {

// Hardware bits of a page-table entry.
constexpr uint64_t PTE_PRESENT = 1ULL << 0;
constexpr uint64_t PTE_WRITE = 1ULL << 1;
constexpr uint64_t PTE_USER = 1ULL << 2;
constexpr uint64_t PTE_PWT = 1ULL << 3;
constexpr uint64_t PTE_PCD = 1ULL << 4;
constexpr uint64_t PTE_ACCESSED = 1ULL << 5;
constexpr uint64_t PTE_DIRTY = 1ULL << 6;
constexpr uint64_t PTE_HUGE = 1ULL << 7; // 2 MiB / 1 GiB leaf at levels 2 / 3
constexpr uint64_t PTE_GLOBAL = 1ULL << 8;
constexpr uint64_t PTE_NX = 1ULL << 63;
// A bit the CPU ignores: the leaf maps a page of Linux's (pinned by mk.ko),
// not LWK memory. Its memory is never freed to the LWK's allocator, and the
// kernel reaches it through a per-core window (mm/kmap.hpp), not the
// direct map. (Bit 9 is <mk/proc.h>'s MK_PTE_LINUX_MAPPED.)
constexpr uint64_t PTE_FOREIGN = 1ULL << 10;
// Bits the CPU ignores that mk.ko reads (<mk/proc.h>): Linux may hold the
// page (MK_PTE_LINUX_MAPPED), and a kernel-only page of a process's tables
// mk.ko writes a pin's frame numbers into (MK_PTE_PIN_SINK).
constexpr uint64_t PTE_LINUX_HELD = 1ULL << 9;
constexpr uint64_t PTE_PIN_SINK = 1ULL << 11;
// A page a fork shares (<mk/proc.h>'s MK_PTE_COW): never writable while
// the bit is set; a write copies it first (proc/cow.cpp).
constexpr uint64_t PTE_COW = 1ULL << 54;
// mk.ko was asked to drop its views of a shared page before it is copied
// (<mk/proc.h>'s MK_PTE_COW_ASKED); it clears the bit when it maps it.
constexpr uint64_t PTE_COW_ASKED = 1ULL << 55;
constexpr uint64_t PTE_ADDR = 0x000ffffffffff000ULL;

// What a mapping allows: the leaf bits callers choose.
constexpr uint64_t PROT_KERNEL_RW = PTE_WRITE | PTE_NX;
constexpr uint64_t PROT_KERNEL_RO = PTE_NX;
constexpr uint64_t PROT_KERNEL_RX = 0;
constexpr uint64_t PROT_UNCACHED = PTE_PCD | PTE_PWT;
constexpr uint64_t PROT_MASK = PTE_WRITE | PTE_USER | PTE_PWT | PTE_PCD | PTE_GLOBAL | PTE_NX;

constexpr uint64_t PAGE_4K = 1ULL << 12;
constexpr uint64_t PAGE_2M = 1ULL << 21;
constexpr uint64_t PAGE_1G = 1ULL << 30;

// Where page-table pages come from: zeroed 4 KiB pages by physical address.
class TableAllocator {
public:
    virtual Result<uint64_t> alloc_table() = 0;
    virtual void free_table(uint64_t phys) = 0;

protected:
    ~TableAllocator() = default;
};

// What unmap takes out, leaf by leaf: the entry as it was at that moment
// (with the accessed and dirty bits the CPU set) and the leaf's size.
class LeafSink {
public:
    virtual void leaf(uint64_t entry, uint64_t page_size) = 0;

protected:
    ~LeafSink() = default;
};

struct Translation {
    uint64_t phys;      // of the address itself
    uint64_t page_size; // of the leaf that maps it
    uint64_t flags;     // the leaf's bits (PTE_*), address bits cleared
};

class PageTable {
public:
    // A new, empty top-level table.
    static Result<PageTable> create(TableAllocator& alloc, uintptr_t direct_offset);
    // An existing one (e.g. to copy the kernel half into a new table).
    PageTable(uint64_t root, TableAllocator& alloc, uintptr_t direct_offset)
        : root_(root), alloc_(&alloc), offset_(direct_offset) {}

    uint64_t root() const { return root_; }

    // Maps [va, va + size) to [pa, pa + size) with prot bits (and
    // PTE_FOREIGN if given), using the
    // largest pages (up to max_page) that alignment allows. Errno::EXIST if any
    // part is already mapped (nothing is changed then); Errno::INVAL for
    // unaligned or non-canonical ranges.
    Result<void> map(uint64_t va, uint64_t pa, uint64_t size, uint64_t prot,
        uint64_t max_page = PAGE_1G);
    // Unmaps [va, va + size), splitting large pages it cuts through.
    // Unmapped parts are skipped. Each leaf is taken out atomically (the
    // dirty bit a CPU sets cannot be lost) and reported to sink.
    Result<void> unmap(uint64_t va, uint64_t size, LeafSink* sink = nullptr);
    // Changes the prot bits of the mapped parts of [va, va + size) (the
    // accessed and dirty bits are kept), each leaf atomically. *seen, if
    // given, gets the OR of the leaves' values just before their change.
    Result<void> protect(uint64_t va, uint64_t size, uint64_t prot, uint64_t* seen = nullptr);
    // Marks the leaf that maps va dirty: its memory was written other
    // than through this table (by the kernel, or by Linux).
    void set_dirty(uint64_t va) const;
    bool translate(uint64_t va, Translation& out) const;
    // The leaf entry that maps va, of any size (in span), or nullptr.
    uint64_t* leaf_at(uint64_t va, uint64_t& span) const;
    // Replaces the 2 MiB leaf *entry (if it still holds expect) with a
    // table of 4 KiB leaves mapping frames[0..512) with bits; false if the
    // entry changed meanwhile (nothing is changed then).
    Result<bool> replace_2m(uint64_t* entry, uint64_t expect, const uint64_t* frames, uint64_t bits);
    // The 4 KiB leaf entry that maps va, or nullptr (not mapped, or by a
    // larger page).
    uint64_t* leaf_entry(uint64_t va) const;
    // The 4 KiB entry for va whatever it holds (an absent page may hold a
    // marker of the caller's, <mk/proc.h>'s tracked mappings), its tables
    // made if create; nullptr where a larger page maps va, or (without
    // create) a table is absent. Callers change it atomically.
    uint64_t* slot(uint64_t va, bool create);
    // Whether any page of [va, va + size) is mapped.
    bool any_mapped(uint64_t va, uint64_t size) const;
    // Shares the top-level entries [first, last] of other (the kernel half).
    void share_top(const PageTable& other, unsigned first, unsigned last);
    // Frees every table below the top-level entries [first, last] (not the
    // mapped pages themselves) and clears those entries.
    void destroy_range(unsigned first, unsigned last);
    // Frees the top-level table too; the object is unusable afterwards.
    void destroy();

    static bool canonical(uint64_t va) { return (static_cast<int64_t>(va << 16) >> 16) == static_cast<int64_t>(va); }

private:
    uint64_t* table(uint64_t phys) const { return reinterpret_cast<uint64_t*>(phys + offset_); }
    Result<uint64_t*> next_table(uint64_t* entry, uint64_t level_page);
    Result<void> split(uint64_t* entry, uint64_t level_page);
    void free_subtree(uint64_t phys, int level);
    template <typename Leaf> Result<void> walk_leaves(uint64_t va, uint64_t size, Leaf leaf);

    uint64_t root_;
    TableAllocator* alloc_;
    uintptr_t offset_;
};

} // namespace lwk::arch
