#include <mm/node_pools.hpp>
#include <mm/pmm.hpp>

#include <core/boot.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>
#include <core/percpu.hpp>

#include <arch/cpu.hpp>
#include <lib/spinlock.hpp>

namespace lwk::mm {
namespace {

NodePools pools(MK_LWK_DIRECT_BASE);
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

void add(uint64_t start, uint64_t end, int32_t node, bool zero)
{
    if (end <= start)
        return;
    if (pools.add(start, end - start, node, zero).is_error())
        klog("cannot manage memory %016lx-%016lx", start, end);
}

// The node of the core that allocates: its memory first.
int32_t home_node()
{
    uint32_t i = percpu::index();
    return boot::params && i < boot::params->nr_cpus ? boot::params->cpus[i].node : -1;
}

} // namespace

void pmm_init(const mk_boot_params& bp)
{
    // The boot area and the image lie together at the start of the first chunk.
    uint64_t used_start = bp.boot_area_phys, used_end = bp.image_phys + bp.image_size;
    bool zero = bp.flags & MK_BOOT_MEM_ZERO;
    static_assert(NodePools::MAX_NODES == MK_MAX_NODES);
    pools.set_distances(bp.distance, bp.nr_nodes);
    for (uint32_t i = 0; i < bp.nr_chunks; ++i) {
        uint64_t start = bp.chunks[i].phys, end = start + bp.chunks[i].bytes;
        if (used_end <= start || used_start >= end) {
            add(start, end, bp.chunks[i].node, zero);
            continue;
        }
        add(start, used_start > start ? used_start : start, bp.chunks[i].node, zero);
        add(used_end < end ? used_end : end, end, bp.chunks[i].node, zero);
    }
}

namespace {
// Linux reads the LWK's free memory from the boot parameters (mkctl status).
void publish_free()
{
    if (boot::params)
        boot::shared_store(boot::params->free_bytes, pools.free_bytes());
}
} // namespace

Result<uint64_t> alloc_pages(unsigned order)
{
    IrqGuard g;
    auto r = pools.alloc(home_node(), order, false);
    publish_free();
    return r;
}

Result<uint64_t> alloc_pages_zeroed(unsigned order)
{
    bool zero = false;
    Result<uint64_t> r = Errno::NOMEM;
    {
        IrqGuard g;
        r = pools.alloc(home_node(), order, true, &zero);
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
    if (pools.free(phys, order, zero).is_error())
        panic("freeing pages at %016lx (order %u) that are not allocated", phys, order);
    publish_free();
}

uint64_t pmm_free_bytes() { return pools.free_bytes(); }
uint64_t pmm_managed_bytes() { return pools.managed_bytes(); }
int32_t pmm_node_of(uint64_t phys) { return pools.node_of(phys); }
uint64_t pmm_nodes_mask() { return pools.nodes_mask(); }

} // namespace lwk::mm
