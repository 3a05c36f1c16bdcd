#include <mm/slab.hpp>

namespace lwk::mm {

struct FreeBlock {
    FreeBlock* next;
};

// The first PAGE_HEADER bytes of every page of blocks.
struct SlabPage {
    uint32_t magic;
    uint32_t cls;
    uint32_t used; // blocks handed out
    uint32_t pad;
    FreeBlock* free; // its free blocks
    SlabPage* prev; // on partial_[cls] while it has a free block
    SlabPage* next;
};
static_assert(sizeof(SlabPage) <= Slabs::PAGE_HEADER);

namespace {

constexpr uint32_t PAGE_MAGIC = 0x736c6162; // "slab"
// 126, 63, 31, 15, 8, 4 and 2 blocks after the page's header.
constexpr size_t sizes[Slabs::CLASSES] = {32, 64, 128, 256, 496, 1008, 2016};

constexpr size_t blocks_per_page(size_t c)
{
    return (Slabs::PAGE - Slabs::PAGE_HEADER) / sizes[c];
}

SlabPage* page_of(void* block)
{
    return reinterpret_cast<SlabPage*>(reinterpret_cast<uintptr_t>(block) & ~(Slabs::PAGE - 1));
}

} // namespace

size_t Slabs::block_size(size_t c)
{
    return sizes[c];
}

size_t Slabs::class_for(size_t bytes)
{
    size_t c = 0;
    while (c < CLASSES && sizes[c] < bytes)
        ++c;
    return c;
}

void Slabs::link(SlabPage* p)
{
    p->prev = nullptr;
    p->next = partial_[p->cls];
    if (p->next)
        p->next->prev = p;
    partial_[p->cls] = p;
}

void Slabs::unlink(SlabPage* p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        partial_[p->cls] = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->prev = p->next = nullptr;
}

void* Slabs::alloc(size_t c)
{
    if (c >= CLASSES)
        return nullptr;
    SlabPage* p = partial_[c];
    if (!p) {
        auto* base = static_cast<unsigned char*>(source_.get(source_.ctx));
        if (!base)
            return nullptr;
        p = reinterpret_cast<SlabPage*>(base);
        *p = SlabPage{PAGE_MAGIC, static_cast<uint32_t>(c), 0, 0, nullptr, nullptr, nullptr};
        // Lowest block first out.
        for (size_t i = blocks_per_page(c); i-- > 0;) {
            auto* b = reinterpret_cast<FreeBlock*>(base + PAGE_HEADER + i * sizes[c]);
            b->next = p->free;
            p->free = b;
        }
        link(p);
        ++pages_;
    }
    FreeBlock* b = p->free;
    p->free = b->next;
    ++p->used;
    if (!p->free)
        unlink(p); // full
    return b;
}

bool Slabs::free(void* block)
{
    SlabPage* p = page_of(block);
    uintptr_t off = reinterpret_cast<uintptr_t>(block) - reinterpret_cast<uintptr_t>(p);
    if (p->magic != PAGE_MAGIC || p->cls >= CLASSES || p->used == 0 || off < PAGE_HEADER ||
        (off - PAGE_HEADER) % sizes[p->cls] != 0 ||
        (off - PAGE_HEADER) / sizes[p->cls] >= blocks_per_page(p->cls))
        return false;
    bool was_full = p->free == nullptr;
    auto* b = static_cast<FreeBlock*>(block);
    b->next = p->free;
    p->free = b;
    --p->used;
    if (p->used == 0) {
        // Empty: back to the source.
        if (!was_full)
            unlink(p);
        p->magic = 0;
        --pages_;
        source_.put(source_.ctx, p);
    } else if (was_full) {
        link(p);
    }
    return true;
}

} // namespace lwk::mm
