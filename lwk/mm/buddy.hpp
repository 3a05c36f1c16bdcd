// Physical memory allocator: a buddy system over the LWK's chunks with
// blocks of 4 KiB (order 0) to 1 GiB (order 18). Blocks are naturally
// aligned by physical address, so order-9 and order-18 blocks can back
// 2 MiB and 1 GiB pages. Portable: the host unit tests run it on ordinary
// memory. Not thread-safe; the LWK wraps it in a lock (mm/pmm).
//
// It knows which free blocks hold only zeros (memory Linux zeroed before
// the LWK booted, pages a program never wrote): such a block is zero but
// for its first NODE_BYTES (the free list's links), which whoever wants
// zeroed memory clears. Freed blocks merge only with buddies of their own
// kind; a written and a zero buddy are joined (as written memory) only
// when an allocation finds no block large enough otherwise.
#pragma once

#include <lib/result.hpp>

#include <cstddef>
#include <cstdint>

namespace lwk::mm {

constexpr unsigned PAGE_SHIFT = 12;
constexpr uint64_t PAGE_SIZE = 1ULL << PAGE_SHIFT;
constexpr unsigned MAX_ORDER = 18;

constexpr uint64_t order_bytes(unsigned order) { return PAGE_SIZE << order; }

class Buddy {
public:
    static constexpr unsigned MAX_REGIONS = 1024;

    // Every managed physical address p is accessible at p + direct_offset.
    explicit Buddy(uintptr_t direct_offset = 0);
    Buddy(const Buddy&) = delete;
    Buddy& operator=(const Buddy&) = delete;

    // The bytes of a zero free block that are not zero (its list links).
    static constexpr uint64_t NODE_BYTES = 16;

    // Adds [phys, phys + size) (page-aligned, not overlapping another
    // region); zero: its memory holds only zeros. Its first pages hold the
    // region's metadata (1 byte a page).
    Result<void> add_region(uint64_t phys, uint64_t size, bool zero = false);

    // A block of 2^order pages, naturally aligned; Errno::NOMEM if none.
    // want_zero: a zero block if there is one (*zero says whether it is:
    // then only its first NODE_BYTES need clearing); else preferably not.
    Result<uint64_t> alloc(unsigned order, bool want_zero = false, bool* zero = nullptr);
    // Returns a block (zero: it holds only zeros); Errno::INVAL for an
    // address not allocated at that order.
    Result<void> free(uint64_t phys, unsigned order, bool zero = false);

    uint64_t free_bytes() const { return free_pages_ * PAGE_SIZE; }
    uint64_t managed_bytes() const { return managed_pages_ * PAGE_SIZE; }
    // Free blocks of exactly this order.
    size_t free_blocks(unsigned order) const;
    // Free bytes in zero blocks.
    uint64_t zero_bytes() const { return zero_pages_ * PAGE_SIZE; }
    // The largest order with a free block, or -1.
    int largest_free_order() const;
    // Whether phys lies in one of its regions.
    bool contains(uint64_t phys) const { return const_cast<Buddy*>(this)->find(phys) != nullptr; }

private:
    struct Node {
        Node* next;
        Node* prev;
    };
    struct Region {
        uint64_t base;
        uint64_t pages;
        // Per page: the order of the free block starting here (| ZERO if
        // it is a zero block), or NOT_FREE.
        uint8_t* meta;
    };
    static constexpr uint8_t NOT_FREE = 0xff, ZERO = 0x80, ORDER = 0x7f;

    Node* node(uint64_t phys) const { return reinterpret_cast<Node*>(phys + offset_); }
    Region* find(uint64_t phys);
    void push(Region& r, uint64_t phys, unsigned order, bool zero);
    // Takes a free block off its list; whether it was a zero block.
    bool unlink(Region& r, uint64_t phys, unsigned order);
    // Merges every pair of free buddies, whatever their kinds; false if
    // there was none.
    bool coalesce();

    uintptr_t offset_;
    Node lists_[2][MAX_ORDER + 1]; // [zero][order]
    Region regions_[MAX_REGIONS];
    unsigned nr_regions_ = 0;
    uint64_t free_pages_ = 0;
    uint64_t zero_pages_ = 0;
    uint64_t managed_pages_ = 0;
};

} // namespace lwk::mm
