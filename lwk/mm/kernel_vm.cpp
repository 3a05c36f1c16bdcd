#include <mm/kernel_vm.hpp>
#include <mm/pmm.hpp>

#include <core/boot.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>

#include <arch/apic.hpp>
#include <arch/cpu.hpp>

extern "C" char __image_start[], __text_end[], __rodata_start[], __data_start[], __image_end[];

namespace lwk::mm {
namespace {

class PmmTables final : public arch::TableAllocator {
public:
    Result<uint64_t> alloc_table() override { return alloc_pages_zeroed(0); }
    void free_table(uint64_t phys) override { free_pages(phys, 0); }
};

PmmTables tables;
alignas(arch::PageTable) unsigned char kpt_storage[sizeof(arch::PageTable)];
arch::PageTable* kpt = nullptr;

uint64_t va(const char* sym) { return reinterpret_cast<uint64_t>(sym); }

void map_or_panic(uint64_t v, uint64_t p, uint64_t size, uint64_t prot, uint64_t max_page, const char* what)
{
    auto r = kpt->map(v, p, size, prot, max_page);
    if (r.is_error())
        panic("cannot map %s (%016lx, %lu bytes): error %d", what, v, size, r.error().code);
}

} // namespace

arch::TableAllocator& table_allocator() { return tables; }
arch::PageTable& kernel_page_table() { return *kpt; }

uint64_t kernel_vm_init(const mk_boot_params& bp, bool x2apic)
{
    auto created = arch::PageTable::create(tables, MK_LWK_DIRECT_BASE);
    if (created.is_error())
        panic("no memory for the kernel page tables");
    kpt = new (kpt_storage) arch::PageTable(created.release_value());

    auto phys_of = [&](uint64_t v) { return bp.image_phys + (v - bp.image_virt); };
    auto round_up = [](uint64_t v) { return (v + 4095) & ~4095ULL; };
    uint64_t text = va(__image_start), rodata = va(__rodata_start), data = va(__data_start);
    uint64_t end = round_up(va(__image_end));
    map_or_panic(text, phys_of(text), round_up(va(__text_end)) - text, arch::PROT_KERNEL_RX | arch::PTE_GLOBAL,
        arch::PAGE_4K, "kernel text");
    map_or_panic(rodata, phys_of(rodata), data - rodata, arch::PROT_KERNEL_RO | arch::PTE_GLOBAL,
        arch::PAGE_4K, "kernel rodata");
    map_or_panic(data, phys_of(data), end - data, arch::PROT_KERNEL_RW | arch::PTE_GLOBAL,
        arch::PAGE_4K, "kernel data");

    bool gib_pages = arch::cpuid(0x80000001).edx & (1u << 26);
    for (uint32_t i = 0; i < bp.nr_chunks; ++i)
        map_or_panic(MK_LWK_DIRECT_BASE + bp.chunks[i].phys, bp.chunks[i].phys, bp.chunks[i].bytes,
            arch::PROT_KERNEL_RW | arch::PTE_GLOBAL, gib_pages ? arch::PAGE_1G : arch::PAGE_2M,
            "LWK memory");

    uint64_t apic_va = 0;
    if (!x2apic) {
        uint64_t apic_pa = arch::apic::mmio_phys();
        apic_va = MK_LWK_DIRECT_BASE + apic_pa;
        map_or_panic(apic_va, apic_pa, arch::PAGE_4K, arch::PROT_KERNEL_RW | arch::PROT_UNCACHED,
            arch::PAGE_4K, "the local APIC");
    }
    return apic_va;
}

void kernel_vm_load()
{
    // NX bits need EFER.NXE; write protection applies to the kernel too.
    arch::wrmsr(arch::MSR_EFER, arch::rdmsr(arch::MSR_EFER) | arch::EFER_NXE);
    arch::write_cr0(arch::read_cr0() | arch::CR0_WP);
    arch::write_cr4(arch::read_cr4() | arch::CR4_PGE);
    arch::write_cr3(kpt->root());
}

} // namespace lwk::mm
