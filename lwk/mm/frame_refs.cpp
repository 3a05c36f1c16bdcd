#include <mm/frame_refs.hpp>

#include <core/boot.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>
#include <mm/buddy.hpp>
#include <mm/pmm.hpp>

namespace lwk::mm {
namespace {

// One array of counters per chunk of LWK memory (chunks may lie far apart).
struct Counters {
    uint64_t base = 0, frames = 0;
    uint16_t* count = nullptr;
};
Counters chunks[MK_MAX_BOOT_CHUNKS];
uint32_t nr_chunks;

uint16_t* counter(uint64_t phys)
{
    for (uint32_t i = 0; i < nr_chunks; ++i) {
        const Counters& c = chunks[i];
        if (phys >= c.base && (phys - c.base) / PAGE_SIZE < c.frames)
            return &c.count[(phys - c.base) / PAGE_SIZE];
    }
    return nullptr;
}

} // namespace

void frame_refs_init(const mk_boot_params& bp)
{
    for (uint32_t i = 0; i < bp.nr_chunks && i < MK_MAX_BOOT_CHUNKS; ++i) {
        Counters& c = chunks[nr_chunks];
        c.base = bp.chunks[i].phys;
        c.frames = bp.chunks[i].bytes / PAGE_SIZE;
        unsigned order = 0;
        while (order_bytes(order) < c.frames * sizeof(uint16_t))
            ++order;
        if (!c.frames)
            continue;
        auto mem = order <= MAX_ORDER ? alloc_pages_zeroed(order) : Result<uint64_t>(Errno::NOMEM);
        if (mem.is_error())
            panic("no memory to count the shared frames of %lu MiB", bp.chunks[i].bytes >> 20);
        c.count = static_cast<uint16_t*>(boot::phys_to_virt(mem.value()));
        ++nr_chunks;
    }
}

bool frame_get(uint64_t phys)
{
    uint16_t* c = counter(phys);
    if (!c)
        return false;
    uint16_t now = __atomic_load_n(c, __ATOMIC_RELAXED);
    do {
        if (now == UINT16_MAX)
            return false;
    } while (!__atomic_compare_exchange_n(
        c, &now, uint16_t(now + 1), false, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
    return true;
}

bool frame_put(uint64_t phys)
{
    uint16_t* c = counter(phys);
    if (!c)
        return true;
    uint16_t now = __atomic_load_n(c, __ATOMIC_ACQUIRE);
    do {
        if (now == 0)
            return true;
    } while (!__atomic_compare_exchange_n(
        c, &now, uint16_t(now - 1), false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    return false;
}

bool frame_shared(uint64_t phys)
{
    uint16_t* c = counter(phys);
    return c && __atomic_load_n(c, __ATOMIC_ACQUIRE) != 0;
}

} // namespace lwk::mm
