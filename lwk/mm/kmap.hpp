// Per-core windows onto pages the direct map does not cover: pages of
// Linux's that the LWK maps into a program (shared memory, arch
// PTE_FOREIGN). Each core has two slots; a slot's mapping is good until
// the next kmap of that slot on that core. The kernel is not preempted, so
// a window stays put while the code that made it runs without blocking.
#pragma once

#include <cstdint>

namespace lwk::mm {

// Makes every core's slots (first core, after kernel_vm_init).
void kmap_init();
// The kernel's address of phys (any offset in its page) through slot 0 or 1.
void* kmap(unsigned slot, uint64_t phys);

} // namespace lwk::mm
