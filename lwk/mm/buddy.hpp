// Physical memory allocator: a buddy system over the LWK's chunks with
// blocks of 4 KiB (order 0) to 1 GiB (order 18). Blocks are naturally
// aligned by physical address, so order-9 and order-18 blocks can back
// 2 MiB and 1 GiB pages. Portable: the host unit tests run it on ordinary
// memory. Not thread-safe; the LWK wraps it in a lock (mm/pmm).
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

    // Adds [phys, phys + size) (page-aligned, not overlapping another
    // region). Its first pages hold the region's metadata (1 byte a page).
    Result<void> add_region(uint64_t phys, uint64_t size);

    // A block of 2^order pages, naturally aligned; Errno::NOMEM if none.
    Result<uint64_t> alloc(unsigned order);
    // Returns a block; Errno::INVAL for an address not allocated at that order.
    Result<void> free(uint64_t phys, unsigned order);

    uint64_t free_bytes() const { return free_pages_ * PAGE_SIZE; }
    uint64_t managed_bytes() const { return managed_pages_ * PAGE_SIZE; }
    // Free blocks of exactly this order.
    size_t free_blocks(unsigned order) const;
    // The largest order with a free block, or -1.
    int largest_free_order() const;

private:
    struct Node {
        Node* next;
        Node* prev;
    };
    struct Region {
        uint64_t base;
        uint64_t pages;
        uint8_t* meta; // per page: order of the free block starting here, or NOT_FREE
    };
    static constexpr uint8_t NOT_FREE = 0xff;

    Node* node(uint64_t phys) const { return reinterpret_cast<Node*>(phys + offset_); }
    Region* find(uint64_t phys);
    void push(Region& r, uint64_t phys, unsigned order);
    void unlink(Region& r, uint64_t phys, unsigned order);

    uintptr_t offset_;
    Node lists_[MAX_ORDER + 1];
    Region regions_[MAX_REGIONS];
    unsigned nr_regions_ = 0;
    uint64_t free_pages_ = 0;
    uint64_t managed_pages_ = 0;
};

} // namespace lwk::mm
