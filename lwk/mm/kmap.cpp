#include <mm/kmap.hpp>
#include <mm/kernel_vm.hpp>
#include <mm/pmm.hpp>

#include <core/panic.hpp>
#include <core/percpu.hpp>

#include <arch/cpu.hpp>

namespace lwk::mm {
namespace {

// Below the kernel image, in the top-level entry every address space
// shares: the tables made here are seen by all.
constexpr uint64_t KMAP_BASE = 0xffffffff40000000ULL;
constexpr unsigned SLOTS = 2;
constexpr uint64_t PAGE = arch::PAGE_4K;

uint64_t* slot_entry[percpu::MAX_CORES * SLOTS];

uint64_t slot_va(uint32_t core, unsigned slot) { return KMAP_BASE + (core * SLOTS + slot) * PAGE; }

} // namespace

void kmap_init()
{
    // Each slot starts on a page of its own (never read through it).
    auto page = alloc_pages_zeroed(0);
    if (page.is_error())
        panic("no memory for the kmap slots");
    arch::PageTable& kpt = kernel_page_table();
    for (uint32_t c = 0; c < percpu::MAX_CORES; ++c)
        for (unsigned s = 0; s < SLOTS; ++s) {
            uint64_t va = slot_va(c, s);
            if (kpt.map(va, page.value(), PAGE, arch::PROT_KERNEL_RW, PAGE).is_error())
                panic("cannot make the kmap slots");
            slot_entry[c * SLOTS + s] = kpt.leaf_entry(va);
        }
}

void* kmap(unsigned slot, uint64_t phys)
{
    uint32_t core = percpu::index();
    uint64_t va = slot_va(core, slot);
    uint64_t* e = slot_entry[core * SLOTS + slot];
    uint64_t want = (phys & arch::PTE_ADDR) | arch::PTE_PRESENT | arch::PROT_KERNEL_RW;
    if (__atomic_load_n(e, __ATOMIC_RELAXED) != want) {
        __atomic_store_n(e, want, __ATOMIC_RELAXED);
        arch::invlpg(va);
    }
    return reinterpret_cast<void*>(va + (phys & (PAGE - 1)));
}

} // namespace lwk::mm
