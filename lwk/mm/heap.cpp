#include <mm/buddy.hpp>
#include <mm/heap.hpp>
#include <mm/pmm.hpp>
#include <mm/slab.hpp>

#include <core/boot.hpp>
#include <core/panic.hpp>

#include <arch/cpu.hpp>
#include <lib/spinlock.hpp>

#include <cstdint>
#include <new>

namespace lwk::mm {
namespace {

// Every block starts with a header that says how to free it.
struct Header {
    uint32_t magic;
    uint32_t kind; // size class index, or LARGE + page order
    uint64_t pad;
};
static_assert(sizeof(Header) == 16);

constexpr uint32_t MAGIC = 0x6b6d616c; // "kmal"
constexpr uint32_t LARGE = 0x100;

void* get_page(void*)
{
    auto page = alloc_pages(0);
    return page.is_error() ? nullptr : boot::phys_to_virt(page.value());
}

void put_page(void*, void* page)
{
    free_pages(boot::virt_to_phys(page), 0);
}

constinit Slabs slabs({get_page, put_page, nullptr});
Spinlock lock;

} // namespace

void* kmalloc(size_t size)
{
    size_t total = size + sizeof(Header);
    size_t c = Slabs::class_for(total);
    Header* h = nullptr;
    if (c < Slabs::CLASSES) {
        uint64_t flags = arch::save_flags_cli();
        lock.lock();
        h = static_cast<Header*>(slabs.alloc(c));
        lock.unlock();
        arch::restore_flags(flags);
        if (h)
            h->kind = static_cast<uint32_t>(c);
    } else {
        unsigned order = 0;
        while (order_bytes(order) < total)
            ++order;
        auto pages = alloc_pages(order);
        if (!pages.is_error()) {
            h = static_cast<Header*>(boot::phys_to_virt(pages.value()));
            h->kind = LARGE + order;
        }
    }
    if (!h)
        return nullptr;
    h->magic = MAGIC;
    return h + 1;
}

void* kzalloc(size_t size)
{
    void* p = kmalloc(size);
    if (p)
        __builtin_memset(p, 0, size);
    return p;
}

void kfree(void* p)
{
    if (!p)
        return;
    Header* h = static_cast<Header*>(p) - 1;
    if (h->magic != MAGIC)
        panic("kfree of %p: not a heap block (or freed twice)", p);
    h->magic = 0;
    if (h->kind >= LARGE) {
        free_pages(boot::virt_to_phys(h), h->kind - LARGE);
        return;
    }
    uint64_t flags = arch::save_flags_cli();
    lock.lock();
    bool ok = slabs.free(h);
    lock.unlock();
    arch::restore_flags(flags);
    if (!ok)
        panic("kfree of %p: its page is not a page of heap blocks", p);
}

} // namespace lwk::mm

void* operator new(size_t size)
{
    void* p = lwk::mm::kmalloc(size);
    if (!p)
        lwk::panic("out of kernel memory (new of %zu bytes)", size);
    return p;
}
void* operator new[](size_t size)
{
    return operator new(size);
}
void* operator new(size_t size, const std::nothrow_t&) noexcept
{
    return lwk::mm::kmalloc(size);
}
void operator delete(void* p) noexcept
{
    lwk::mm::kfree(p);
}
void operator delete[](void* p) noexcept
{
    lwk::mm::kfree(p);
}
void operator delete(void* p, size_t) noexcept
{
    lwk::mm::kfree(p);
}
void operator delete[](void* p, size_t) noexcept
{
    lwk::mm::kfree(p);
}
