// The LWK's physical memory: locked buddy allocators over its chunks, one
// per NUMA node (mm/node_pools); a core allocates from its own node first.
#pragma once

#include <lib/result.hpp>

#include <mk/boot.h>

#include <cstdint>

namespace lwk::mm {

// Everything but the boot area and the image (known to be zero if Linux
// says so: MK_BOOT_MEM_ZERO).
void pmm_init(const mk_boot_params& bp);
Result<uint64_t> alloc_pages(unsigned order);
// Zeroed memory; only what is not known to be zero is cleared.
Result<uint64_t> alloc_pages_zeroed(unsigned order);
// zero: the block holds only zeros (a page nobody wrote), and may be
// handed out as zeroed memory without clearing it.
void free_pages(uint64_t phys, unsigned order, bool zero = false);
uint64_t pmm_free_bytes();
uint64_t pmm_managed_bytes();
// The NUMA node of a page of LWK memory (-1: not the LWK's).
int32_t pmm_node_of(uint64_t phys);
// The nodes that hold LWK memory (bit n: node n).
uint64_t pmm_nodes_mask();

} // namespace lwk::mm
