// The LWK's physical memory: a locked buddy allocator over its chunks.
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

} // namespace lwk::mm
