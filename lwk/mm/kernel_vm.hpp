// The kernel's address space: the image with per-section permissions, a
// direct map of all LWK memory (1 GiB / 2 MiB pages), the xAPIC page.
#pragma once

#include <arch/pagetable.hpp>
#include <mk/boot.h>

namespace lwk::mm {

// Builds the kernel page tables (first core). Returns the xAPIC page's
// virtual address (0 in x2APIC mode).
uint64_t kernel_vm_init(const mk_boot_params& bp, bool x2apic);
// Switches this core to them (every core, after kernel_vm_init).
void kernel_vm_load();
arch::PageTable& kernel_page_table();
// The page-table page allocator (PMM-backed) used for every table.
arch::TableAllocator& table_allocator();

} // namespace lwk::mm
