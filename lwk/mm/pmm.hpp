// The LWK's physical memory: a locked buddy allocator over its chunks.
#pragma once

#include <lib/result.hpp>

#include <mk/boot.h>

#include <cstdint>

namespace lwk::mm {

// Everything but the boot area and the image.
void pmm_init(const mk_boot_params& bp);
Result<uint64_t> alloc_pages(unsigned order);
Result<uint64_t> alloc_pages_zeroed(unsigned order);
void free_pages(uint64_t phys, unsigned order);
uint64_t pmm_free_bytes();
uint64_t pmm_managed_bytes();

} // namespace lwk::mm
