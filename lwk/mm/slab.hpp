// The kernel heap's size classes: 4 KiB pages cut into equal blocks, each
// page given back to its source as soon as its last block is freed, so the
// heap holds no more pages than its live objects need. A page keeps its own
// bookkeeping in its first 64 bytes; blocks are 16-byte aligned. Portable
// (the host unit tests run it on ordinary memory) and not thread-safe: the
// heap (mm/heap) locks around it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lwk::mm {

struct SlabPage;

class Slabs {
public:
    static constexpr size_t CLASSES = 7;
    static constexpr size_t PAGE = 4096;
    static constexpr size_t PAGE_HEADER = 64;

    // Where pages come from and go back to: get returns a page-aligned page
    // or nullptr.
    struct PageSource {
        void* (*get)(void* ctx);
        void (*put)(void* ctx, void* page);
        void* ctx;
    };

    constexpr explicit Slabs(PageSource source) : source_(source) { }
    Slabs(const Slabs&) = delete;
    Slabs& operator=(const Slabs&) = delete;

    // Block bytes of class c: 32 to 2016, each the most that keeps the
    // page's blocks as many as a power-of-two size would have given.
    static size_t block_size(size_t c);
    // The smallest class whose blocks hold bytes, or CLASSES if none does.
    static size_t class_for(size_t bytes);

    // A block of class c, or nullptr when the page source has none.
    void* alloc(size_t c);
    // Gives back a block alloc returned. False (and nothing changed) when
    // block is not a block of a page of these classes in use.
    bool free(void* block);

    size_t pages() const { return pages_; }

private:
    void link(SlabPage* p);
    void unlink(SlabPage* p);

    PageSource source_;
    SlabPage* partial_[CLASSES] = {}; // pages with a free block, per class
    size_t pages_ = 0;
};

} // namespace lwk::mm
