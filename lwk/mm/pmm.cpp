#include <mm/buddy.hpp>
#include <mm/pmm.hpp>

#include <core/boot.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>

#include <arch/cpu.hpp>
#include <lib/spinlock.hpp>

namespace lwk::mm {
namespace {

Buddy buddy(MK_LWK_DIRECT_BASE);
Spinlock lock;

class IrqGuard {
public:
    IrqGuard() : flags_(arch::save_flags_cli()) { lock.lock(); }
    ~IrqGuard()
    {
        lock.unlock();
        arch::restore_flags(flags_);
    }

private:
    uint64_t flags_;
};

void add(uint64_t start, uint64_t end, bool zero)
{
    if (end <= start)
        return;
    if (buddy.add_region(start, end - start, zero).is_error())
        klog("cannot manage memory %016lx-%016lx", start, end);
}

} // namespace

void pmm_init(const mk_boot_params& bp)
{
    // The boot area and the image lie together at the start of the first chunk.
    uint64_t used_start = bp.boot_area_phys, used_end = bp.image_phys + bp.image_size;
    bool zero = bp.flags & MK_BOOT_MEM_ZERO;
    for (uint32_t i = 0; i < bp.nr_chunks; ++i) {
        uint64_t start = bp.chunks[i].phys, end = start + bp.chunks[i].bytes;
        if (used_end <= start || used_start >= end) {
            add(start, end, zero);
            continue;
        }
        add(start, used_start > start ? used_start : start, zero);
        add(used_end < end ? used_end : end, end, zero);
    }
}

namespace {
// Linux reads the LWK's free memory from the boot parameters (mkctl status).
void publish_free()
{
    if (boot::params)
        boot::shared_store(boot::params->free_bytes, buddy.free_bytes());
}
} // namespace

Result<uint64_t> alloc_pages(unsigned order)
{
    IrqGuard g;
    auto r = buddy.alloc(order, false);
    publish_free();
    return r;
}

Result<uint64_t> alloc_pages_zeroed(unsigned order)
{
    bool zero = false;
    Result<uint64_t> r = Errno::NOMEM;
    {
        IrqGuard g;
        r = buddy.alloc(order, true, &zero);
        publish_free();
    }
    uint64_t phys = TRY(r);
    // A zero block has only its free-list links to clear.
    __builtin_memset(boot::phys_to_virt(phys), 0, zero ? Buddy::NODE_BYTES : order_bytes(order));
    return phys;
}

void free_pages(uint64_t phys, unsigned order, bool zero)
{
    IrqGuard g;
    if (buddy.free(phys, order, zero).is_error())
        panic("freeing pages at %016lx (order %u) that are not allocated", phys, order);
    publish_free();
}

uint64_t pmm_free_bytes() { return buddy.free_bytes(); }
uint64_t pmm_managed_bytes() { return buddy.managed_bytes(); }

} // namespace lwk::mm
