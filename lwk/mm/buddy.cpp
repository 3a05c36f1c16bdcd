#include <mm/buddy.hpp>

namespace lwk::mm {

Buddy::Buddy(uintptr_t direct_offset) : offset_(direct_offset)
{
    for (auto& head : lists_)
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

void Buddy::push(Region& r, uint64_t phys, unsigned order)
{
    Node* n = node(phys);
    Node& head = lists_[order];
    n->next = head.next;
    n->prev = &head;
    head.next->prev = n;
    head.next = n;
    r.meta[(phys - r.base) >> PAGE_SHIFT] = static_cast<uint8_t>(order);
    free_pages_ += 1ULL << order;
}

void Buddy::unlink(Region& r, uint64_t phys, unsigned order)
{
    Node* n = node(phys);
    n->prev->next = n->next;
    n->next->prev = n->prev;
    r.meta[(phys - r.base) >> PAGE_SHIFT] = NOT_FREE;
    free_pages_ -= 1ULL << order;
}

Result<void> Buddy::add_region(uint64_t phys, uint64_t size)
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
        push(r, p, order);
        p += order_bytes(order);
    }
    return {};
}

Result<uint64_t> Buddy::alloc(unsigned order)
{
    if (order > MAX_ORDER)
        return Errno::INVAL;
    unsigned k = order;
    while (k <= MAX_ORDER && lists_[k].next == &lists_[k])
        ++k;
    if (k > MAX_ORDER)
        return Errno::NOMEM;
    uint64_t phys = reinterpret_cast<uintptr_t>(lists_[k].next) - offset_;
    Region* r = find(phys);
    unlink(*r, phys, k);
    while (k > order) {
        --k;
        push(*r, phys + order_bytes(k), k);
    }
    return phys;
}

Result<void> Buddy::free(uint64_t phys, unsigned order)
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
        if (r->meta[(buddy - r->base) >> PAGE_SHIFT] != order)
            break;
        unlink(*r, buddy, order);
        phys &= ~order_bytes(order);
        ++order;
    }
    push(*r, phys, order);
    return {};
}

size_t Buddy::free_blocks(unsigned order) const
{
    size_t n = 0;
    for (const Node* p = lists_[order].next; p != &lists_[order]; p = p->next)
        ++n;
    return n;
}

int Buddy::largest_free_order() const
{
    for (int k = MAX_ORDER; k >= 0; --k)
        if (lists_[k].next != &lists_[k])
            return k;
    return -1;
}

} // namespace lwk::mm
