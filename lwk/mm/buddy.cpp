#include <mm/buddy.hpp>

namespace lwk::mm {

Buddy::Buddy(uintptr_t direct_offset) : offset_(direct_offset)
{
    for (auto& kind : lists_)
        for (auto& head : kind)
            head.next = head.prev = &head;
}

Buddy::Region* Buddy::find(uint64_t phys)
{
    unsigned lo = 0, hi = nr_regions_;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        Region& r = regions_[mid];
        if (phys < r.base)
            hi = mid;
        else if (phys >= r.base + r.pages * PAGE_SIZE)
            lo = mid + 1;
        else
            return &r;
    }
    return nullptr;
}

void Buddy::push(Region& r, uint64_t phys, unsigned order, bool zero)
{
    Node* n = node(phys);
    Node& head = lists_[zero][order];
    n->next = head.next;
    n->prev = &head;
    head.next->prev = n;
    head.next = n;
    r.meta[(phys - r.base) >> PAGE_SHIFT] = static_cast<uint8_t>(order | (zero ? ZERO : 0));
    free_pages_ += 1ULL << order;
    if (zero)
        zero_pages_ += 1ULL << order;
}

bool Buddy::unlink(Region& r, uint64_t phys, unsigned order)
{
    Node* n = node(phys);
    n->prev->next = n->next;
    n->next->prev = n->prev;
    uint8_t& m = r.meta[(phys - r.base) >> PAGE_SHIFT];
    bool zero = m & ZERO;
    m = NOT_FREE;
    free_pages_ -= 1ULL << order;
    if (zero)
        zero_pages_ -= 1ULL << order;
    return zero;
}

Result<void> Buddy::add_region(uint64_t phys, uint64_t size, bool zero)
{
    uint64_t start = (phys + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    uint64_t end = (phys + size) & ~(PAGE_SIZE - 1);
    if (end <= start || nr_regions_ == MAX_REGIONS)
        return Errno::INVAL;
    uint64_t pages = (end - start) >> PAGE_SHIFT;
    uint64_t meta_pages = (pages + PAGE_SIZE - 1) / PAGE_SIZE;
    if (pages <= meta_pages)
        return Errno::INVAL;
    for (unsigned i = 0; i < nr_regions_; ++i) {
        const Region& o = regions_[i];
        if (start < o.base + o.pages * PAGE_SIZE && o.base < end)
            return Errno::EXIST;
    }

    // Keep regions sorted by address for find().
    unsigned at = nr_regions_;
    while (at > 0 && regions_[at - 1].base > start) {
        regions_[at] = regions_[at - 1];
        --at;
    }
    Region& r = regions_[at];
    r.base = start;
    r.pages = pages;
    r.meta = reinterpret_cast<uint8_t*>(start + offset_);
    __builtin_memset(r.meta, NOT_FREE, pages);
    ++nr_regions_;
    managed_pages_ += pages - meta_pages;

    // Free the rest in the largest naturally aligned blocks that fit.
    for (uint64_t p = start + meta_pages * PAGE_SIZE; p < end;) {
        unsigned order = MAX_ORDER;
        while (order > 0 && ((p & (order_bytes(order) - 1)) || p + order_bytes(order) > end))
            --order;
        push(r, p, order, zero);
        p += order_bytes(order);
    }
    return {};
}

Result<uint64_t> Buddy::alloc(unsigned order, bool want_zero, bool* zero)
{
    if (order > MAX_ORDER)
        return Errno::INVAL;
    // The smallest block that fits, of the kind wanted if one fits.
    auto smallest = [this, order](unsigned kind) {
        unsigned k = order;
        while (k <= MAX_ORDER && lists_[kind][k].next == &lists_[kind][k])
            ++k;
        return k;
    };
    unsigned kind = want_zero ? 1 : 0;
    unsigned k = smallest(kind);
    if (k > MAX_ORDER) {
        kind = !kind;
        k = smallest(kind);
    }
    if (k > MAX_ORDER && coalesce())
        return alloc(order, want_zero, zero); // written and zero buddies joined
    if (k > MAX_ORDER)
        return Errno::NOMEM;
    uint64_t phys = reinterpret_cast<uintptr_t>(lists_[kind][k].next) - offset_;
    Region* r = find(phys);
    bool z = unlink(*r, phys, k);
    while (k > order) {
        --k;
        push(*r, phys + order_bytes(k), k, z);
    }
    if (zero)
        *zero = z;
    return phys;
}

Result<void> Buddy::free(uint64_t phys, unsigned order, bool zero)
{
    if (order > MAX_ORDER || (phys & (order_bytes(order) - 1)))
        return Errno::INVAL;
    Region* r = find(phys);
    if (!r || phys + order_bytes(order) > r->base + r->pages * PAGE_SIZE)
        return Errno::INVAL;
    if (r->meta[(phys - r->base) >> PAGE_SHIFT] != NOT_FREE)
        return Errno::INVAL; // already free: a double free
    uint64_t end = r->base + r->pages * PAGE_SIZE;
    while (order < MAX_ORDER) {
        uint64_t buddy = phys ^ order_bytes(order);
        if (buddy < r->base || buddy + order_bytes(order) > end)
            break;
        uint8_t m = r->meta[(buddy - r->base) >> PAGE_SHIFT];
        // Only blocks of one kind merge: a written page would make its zero
        // buddies, up to a whole gigabyte, memory to clear again.
        if (m == NOT_FREE || (m & ORDER) != order || bool(m & ZERO) != zero)
            break;
        bool buddy_zero = unlink(*r, buddy, order);
        // Merged, the buddy's links are no longer a node: a zero block must
        // have zeros there (the block's own node is written when it is
        // pushed, but only at its start, and this may be a middle soon).
        if (zero && buddy_zero)
            __builtin_memset(node(buddy), 0, NODE_BYTES);
        zero = zero && buddy_zero;
        phys &= ~order_bytes(order);
        ++order;
    }
    push(*r, phys, order, zero);
    return {};
}

bool Buddy::coalesce()
{
    bool any = false;
    for (unsigned order = 0; order < MAX_ORDER; ++order)
        for (auto& kind : lists_) {
            Node* head = &kind[order];
            for (Node* n = head->next; n != head;) {
                Node* next = n->next;
                uint64_t phys = reinterpret_cast<uintptr_t>(n) - offset_;
                Region* r = find(phys);
                uint64_t buddy = phys ^ order_bytes(order);
                uint64_t end = r->base + r->pages * PAGE_SIZE;
                uint8_t m = buddy >= r->base && buddy + order_bytes(order) <= end
                    ? r->meta[(buddy - r->base) >> PAGE_SHIFT]
                    : NOT_FREE;
                if (m != NOT_FREE && (m & ORDER) == order) {
                    if (next == node(buddy))
                        next = next->next;
                    bool z = unlink(*r, phys, order) & unlink(*r, buddy, order);
                    if (z) {
                        __builtin_memset(node(phys), 0, NODE_BYTES);
                        __builtin_memset(node(buddy), 0, NODE_BYTES);
                    }
                    // At a higher order: this pass looks at it when it gets there.
                    push(*r, phys < buddy ? phys : buddy, order + 1, z);
                    any = true;
                }
                n = next;
            }
        }
    return any;
}

size_t Buddy::free_blocks(unsigned order) const
{
    size_t n = 0;
    for (const auto& kind : lists_)
        for (const Node* p = kind[order].next; p != &kind[order]; p = p->next)
            ++n;
    return n;
}

int Buddy::largest_free_order() const
{
    for (int k = MAX_ORDER; k >= 0; --k)
        if (lists_[0][k].next != &lists_[0][k] || lists_[1][k].next != &lists_[1][k])
            return k;
    return -1;
}

} // namespace lwk::mm
