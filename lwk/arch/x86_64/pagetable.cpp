#include <arch/pagetable.hpp>

namespace lwk::arch {
namespace {

constexpr uint64_t TABLE_BITS = PTE_PRESENT | PTE_WRITE | PTE_USER;

// Size mapped by one entry at each level (level 4 = top).
constexpr uint64_t level_size(int level) { return 1ULL << (12 + 9 * (level - 1)); }
constexpr unsigned index_of(uint64_t va, int level) { return (va >> (12 + 9 * (level - 1))) & 511; }

} // namespace

Result<PageTable> PageTable::create(TableAllocator& alloc, uintptr_t direct_offset)
{
    uint64_t root = TRY(alloc.alloc_table());
    return PageTable(root, alloc, direct_offset);
}

// The table an entry points to, created if absent. A large-page entry is
// split first (level_page is the size the entry maps).
Result<uint64_t*> PageTable::next_table(uint64_t* entry, uint64_t level_page)
{
    if (!(*entry & PTE_PRESENT)) {
        uint64_t t = TRY(alloc_->alloc_table());
        *entry = t | TABLE_BITS;
    } else if (*entry & PTE_HUGE) {
        TRY(split(entry, level_page));
    }
    return table(*entry & PTE_ADDR);
}

// Replaces a large-page entry by a table of entries mapping the same memory
// with pages one level smaller.
Result<void> PageTable::split(uint64_t* entry, uint64_t level_page)
{
    uint64_t old = *entry;
    uint64_t base = old & PTE_ADDR & ~(level_page - 1);
    uint64_t bits = old & ~PTE_ADDR;
    uint64_t child_page = level_page >> 9;
    uint64_t t = TRY(alloc_->alloc_table());
    uint64_t* child = table(t);
    for (unsigned i = 0; i < 512; ++i) {
        uint64_t e = (base + i * child_page) | bits;
        if (child_page == PAGE_4K)
            e &= ~PTE_HUGE; // bit 7 is PAT at the 4 KiB level
        child[i] = e;
    }
    // A CPU may set the dirty bit meanwhile: the children inherit it.
    uint64_t now = __atomic_exchange_n(entry, t | TABLE_BITS, __ATOMIC_SEQ_CST);
    if ((now & PTE_DIRTY) && !(old & PTE_DIRTY))
        for (unsigned i = 0; i < 512; ++i)
            child[i] |= PTE_DIRTY;
    return {};
}

Result<void> PageTable::map(uint64_t va, uint64_t pa, uint64_t size, uint64_t prot, uint64_t max_page)
{
    if ((va | pa | size) & (PAGE_4K - 1) || size == 0 || !canonical(va) ||
        !canonical(va + size - 1) || va + size < va)
        return Errno::INVAL;
    // Refuse before changing anything if any page is already mapped.
    if (any_mapped(va, size))
        return Errno::EXIST;
    uint64_t bits = PTE_PRESENT | (prot & (PROT_MASK | PTE_FOREIGN | PTE_LINUX_HELD | PTE_PIN_SINK | PTE_DIRTY | PTE_COW));
    if (bits & PTE_COW)
        bits &= ~PTE_WRITE;
    for (uint64_t off = 0; off < size;) {
        uint64_t v = va + off, p = pa + off, left = size - off;
        uint64_t page = PAGE_4K;
        const uint64_t candidates[] = {PAGE_1G, PAGE_2M};
        for (uint64_t candidate : candidates) {
            if (candidate <= max_page && !(v & (candidate - 1)) && !(p & (candidate - 1)) &&
                left >= candidate) {
                page = candidate;
                break;
            }
        }
        uint64_t* t = table(root_);
        for (int level = 4;; --level) {
            uint64_t* e = &t[index_of(v, level)];
            if (level_size(level) == page) {
                // An empty table left by earlier unmaps gives way to the leaf.
                if ((*e & PTE_PRESENT) && !(*e & PTE_HUGE) && level > 1)
                    free_subtree(*e & PTE_ADDR, level - 1);
                *e = p | bits | (page != PAGE_4K ? PTE_HUGE : 0);
                break;
            }
            t = TRY(next_table(e, level_size(level)));
        }
        off += page;
    }
    return {};
}

// Calls leaf(entry, level_page) for each leaf entry covering [va, va+size),
// splitting large leaves that extend beyond the range.
template <typename Leaf> Result<void> PageTable::walk_leaves(uint64_t va, uint64_t size, Leaf leaf)
{
    if ((va | size) & (PAGE_4K - 1) || va + size < va)
        return Errno::INVAL;
    uint64_t end = va + size;
    for (uint64_t v = va; v < end;) {
        uint64_t* t = table(root_);
        for (int level = 4;; --level) {
            uint64_t* e = &t[index_of(v, level)];
            uint64_t span = level_size(level);
            uint64_t next = (v & ~(span - 1)) + span;
            if (!(*e & PTE_PRESENT)) {
                v = next; // nothing mapped in this whole span
                break;
            }
            if (level == 1 || (*e & PTE_HUGE)) {
                if (level > 1 && (v & (span - 1) || next > end)) {
                    TRY(split(e, span));
                    t = table(*e & PTE_ADDR);
                    continue; // the same address one level down
                }
                leaf(e, span);
                v = next;
                break;
            }
            t = table(*e & PTE_ADDR);
        }
        if (v == 0)
            break; // wrapped past the top of the address space
    }
    return {};
}

Result<void> PageTable::unmap(uint64_t va, uint64_t size, LeafSink* sink)
{
    return walk_leaves(va, size, [sink](uint64_t* e, uint64_t span) {
        uint64_t old = __atomic_exchange_n(e, 0, __ATOMIC_SEQ_CST);
        if (sink)
            sink->leaf(old, span);
    });
}

Result<void> PageTable::protect(uint64_t va, uint64_t size, uint64_t prot, uint64_t* seen)
{
    return walk_leaves(va, size, [prot, seen](uint64_t* e, uint64_t) {
        uint64_t old = __atomic_load_n(e, __ATOMIC_RELAXED), now;
        do // a shared page stays read-only: its first write copies it
            now = ((old & ~PROT_MASK) | (prot & PROT_MASK)) & ~((old & PTE_COW) ? PTE_WRITE : 0);
        while (!__atomic_compare_exchange_n(e, &old, now, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
        if (seen)
            *seen |= old;
    });
}

uint64_t* PageTable::leaf_at(uint64_t va, uint64_t& span) const
{
    if (!canonical(va))
        return nullptr;
    uint64_t* t = table(root_);
    for (int level = 4;; --level) {
        uint64_t* e = &t[index_of(va, level)];
        if (!(*e & PTE_PRESENT))
            return nullptr;
        if (level == 1 || (*e & PTE_HUGE)) {
            span = level_size(level);
            return e;
        }
        t = table(*e & PTE_ADDR);
    }
}

Result<bool> PageTable::replace_2m(uint64_t* entry, uint64_t expect, const uint64_t* frames, uint64_t bits)
{
    uint64_t t = TRY(alloc_->alloc_table());
    uint64_t* child = table(t);
    for (unsigned i = 0; i < 512; ++i)
        child[i] = frames[i] | PTE_PRESENT | (bits & ~PTE_HUGE & ~PTE_ADDR);
    if (!__atomic_compare_exchange_n(entry, &expect, t | TABLE_BITS, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
        alloc_->free_table(t);
        return false;
    }
    return true;
}

uint64_t* PageTable::leaf_entry(uint64_t va) const
{
    uint64_t span = 0;
    uint64_t* e = leaf_at(va, span);
    return span == PAGE_4K ? e : nullptr;
}

uint64_t* PageTable::slot(uint64_t va, bool create)
{
    if (!canonical(va))
        return nullptr;
    uint64_t* t = table(root_);
    for (int level = 4; level > 1; --level) {
        uint64_t* e = &t[index_of(va, level)];
        if (*e & PTE_PRESENT) {
            if (*e & PTE_HUGE)
                return nullptr;
            t = table(*e & PTE_ADDR);
        } else if (!create) {
            return nullptr;
        } else {
            auto next = next_table(e, level_size(level));
            if (next.is_error())
                return nullptr;
            t = next.value();
        }
    }
    return &t[index_of(va, 1)];
}

void PageTable::set_dirty(uint64_t va) const
{
    if (!canonical(va))
        return;
    uint64_t* t = table(root_);
    for (int level = 4;; --level) {
        uint64_t* e = &t[index_of(va, level)];
        uint64_t v = __atomic_load_n(e, __ATOMIC_RELAXED);
        if (!(v & PTE_PRESENT))
            return;
        if (level == 1 || (v & PTE_HUGE)) {
            if (!(v & PTE_DIRTY))
                __atomic_fetch_or(e, PTE_DIRTY, __ATOMIC_SEQ_CST);
            return;
        }
        t = table(v & PTE_ADDR);
    }
}

bool PageTable::any_mapped(uint64_t va, uint64_t size) const
{
    uint64_t end = va + size;
    for (uint64_t v = va; v < end;) {
        const uint64_t* t = table(root_);
        for (int level = 4;; --level) {
            uint64_t e = t[index_of(v, level)];
            uint64_t span = level_size(level);
            if (!(e & PTE_PRESENT)) {
                v = (v & ~(span - 1)) + span;
                break;
            }
            if (level == 1 || (e & PTE_HUGE))
                return true;
            t = table(e & PTE_ADDR);
        }
        if (v == 0)
            break;
    }
    return false;
}

bool PageTable::translate(uint64_t va, Translation& out) const
{
    if (!canonical(va))
        return false;
    const uint64_t* t = table(root_);
    for (int level = 4; level >= 1; --level) {
        uint64_t e = t[index_of(va, level)];
        if (!(e & PTE_PRESENT))
            return false;
        if (level == 1 || (e & PTE_HUGE)) {
            uint64_t span = level_size(level);
            out.phys = (e & PTE_ADDR & ~(span - 1)) + (va & (span - 1));
            out.page_size = span;
            out.flags = e & ~PTE_ADDR;
            return true;
        }
        t = table(e & PTE_ADDR);
    }
    return false;
}

void PageTable::share_top(const PageTable& other, unsigned first, unsigned last)
{
    const uint64_t* src = table(other.root_);
    uint64_t* dst = table(root_);
    for (unsigned i = first; i <= last && i < 512; ++i)
        dst[i] = src[i];
}

void PageTable::free_subtree(uint64_t phys, int level)
{
    uint64_t* t = table(phys);
    if (level > 1) {
        for (unsigned i = 0; i < 512; ++i)
            if ((t[i] & PTE_PRESENT) && !(t[i] & PTE_HUGE))
                free_subtree(t[i] & PTE_ADDR, level - 1);
    }
    alloc_->free_table(phys);
}

void PageTable::destroy_range(unsigned first, unsigned last)
{
    uint64_t* top = table(root_);
    for (unsigned i = first; i <= last && i < 512; ++i) {
        if ((top[i] & PTE_PRESENT) && !(top[i] & PTE_HUGE))
            free_subtree(top[i] & PTE_ADDR, 3);
        top[i] = 0;
    }
}

void PageTable::destroy()
{
    alloc_->free_table(root_);
    root_ = 0;
}

} // namespace lwk::arch
