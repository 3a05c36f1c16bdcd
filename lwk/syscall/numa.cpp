// NUMA system calls. The LWK's memory lies on the nodes mkctl reserved it
// on; each core allocates from its own node first (mm/node_pools), so a
// program's memory is on its cores' nodes. get_mempolicy and move_pages
// (without nodes) tell where a page lies, as libnuma and hwloc ask;
// policies (mbind, set_mempolicy) are accepted and the placement stays
// local; moving pages between nodes is not offered.
#include <syscall/syscall.hpp>

#include <core/boot.hpp>
#include <mm/pmm.hpp>
#include <proc/process.hpp>
#include <sched/mutex.hpp>

#include <mk/proc.h>

namespace lwk::sys {
namespace {

constexpr uint64_t MPOL_F_NODE = 1, MPOL_F_ADDR = 2, MPOL_F_MEMS_ALLOWED = 4;
constexpr uint64_t MPOL_MF_MOVE = 2, MPOL_MF_MOVE_ALL = 4;
constexpr long MAX_NODE_BITS = 4096 * 8; // Linux's limit on maxnode

// The node of the page at addr: the LWK's allocators know their pages'; a
// page of Linux's (shared memory, a library's code) mkexec asks Linux
// about, through its own mapping of the pin.
Result<int32_t> node_at(Context& c, uint64_t addr)
{
    sched::MutexGuard lock(c.proc->as->mutex()); // the region stays
    uint64_t phys;
    bool linux_page = false;
    if (!c.proc->as->phys_at(addr, phys, linux_page))
        return Errno::FAULT;
    if (!linux_page)
        return mm::pmm_node_of(phys);
    const proc::Region* r = c.proc->as->region_at(addr);
    if (!r || r->kind != proc::RegionKind::shared)
        return Errno::FAULT;
    long node = TRY(forward_call(c, MK_SYS_PAGE_NODE, r->pin, (addr - r->pin_base) / 4096));
    return int32_t(node);
}

// A node mask of maxnode bits at addr (Linux's copy_nodes_to_user).
Result<void> put_nodes(Context& c, uint64_t addr, uint64_t maxnode, uint64_t mask)
{
    uint64_t words = (maxnode - 1 + 63) / 64;
    for (uint64_t i = 0; i < words; ++i) {
        uint64_t w = i == 0 ? mask : 0;
        TRY(c.proc->as->copy_out(addr + i * 8, &w, sizeof w));
    }
    return {};
}

} // namespace

// get_mempolicy(int *mode, unsigned long *nodes, unsigned long maxnode,
//               void *addr, unsigned long flags)
Result<long> sys_get_mempolicy(Context& c)
{
    uint64_t mode_at = c.a[0], nodes_at = c.a[1], maxnode = c.a[2], addr = c.a[3], flags = c.a[4];
    if (flags & ~(MPOL_F_NODE | MPOL_F_ADDR | MPOL_F_MEMS_ALLOWED))
        return Errno::INVAL;
    if (nodes_at && (maxnode == 0 || maxnode > uint64_t(MAX_NODE_BITS) ||
                        maxnode < boot::params->nr_nodes))
        return Errno::INVAL;
    int mode = 0; // MPOL_DEFAULT
    uint64_t nodes = 0;
    if (flags & MPOL_F_MEMS_ALLOWED) {
        if (flags & (MPOL_F_NODE | MPOL_F_ADDR))
            return Errno::INVAL;
        nodes = mm::pmm_nodes_mask();
    } else if (flags & MPOL_F_ADDR) {
        int32_t node = TRY(node_at(c, addr));
        if (flags & MPOL_F_NODE)
            mode = node;
    } else if (flags & MPOL_F_NODE) {
        return Errno::INVAL; // the default policy has no "next node"
    }
    if (mode_at)
        TRY(c.proc->as->copy_out(mode_at, &mode, sizeof mode));
    if (nodes_at)
        TRY(put_nodes(c, nodes_at, maxnode, nodes));
    return 0;
}

// move_pages(pid, count, pages, nodes, status, flags): with nodes NULL,
// where each page lies.
Result<long> sys_move_pages(Context& c)
{
    uint64_t pid = c.a[0], count = c.a[1], pages = c.a[2], nodes = c.a[3], status = c.a[4],
             flags = c.a[5];
    if (flags & ~(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL))
        return Errno::INVAL;
    if (pid != 0 && int32_t(pid) != c.proc->pid)
        return Errno::PERM; // another process's memory is not this call's
    if (nodes)
        return Errno::NOSYS;
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t addr;
        TRY(c.proc->as->copy_in(&addr, pages + i * 8, sizeof addr));
        auto node = node_at(c, addr & ~uint64_t(4095));
        int32_t st = node.is_error() ? -node.error().code : node.value();
        TRY(c.proc->as->copy_out(status + i * 4, &st, sizeof st));
    }
    return 0;
}

Result<long> sys_mbind(Context&) { return 0; }
Result<long> sys_set_mempolicy(Context&) { return 0; }
Result<long> sys_set_mempolicy_home_node(Context&) { return 0; }
Result<long> sys_migrate_pages(Context&) { return Errno::NOSYS; }

} // namespace lwk::sys
