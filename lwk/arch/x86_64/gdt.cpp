#include <arch/gdt.hpp>

namespace lwk::arch {
namespace {

struct [[gnu::packed]] Pointer {
    uint16_t limit;
    uint64_t base;
};

} // namespace

void gdt_init(CoreTables& t, const uint64_t ist_tops[3], uint64_t kernel_stack_top)
{
    t.gdt[0] = 0;
    t.gdt[1] = 0x00af9a000000ffff; // kernel code: 64-bit, DPL 0
    t.gdt[2] = 0x00cf92000000ffff; // kernel data
    t.gdt[3] = 0x00cff2000000ffff; // user data, DPL 3
    t.gdt[4] = 0x00affa000000ffff; // user code: 64-bit, DPL 3
    t.tss = {};
    t.tss.rsp[0] = kernel_stack_top;
    for (int i = 0; i < 3; ++i)
        t.tss.ist[i] = ist_tops[i];
    t.tss.iomap_base = sizeof(Tss); // no I/O permission bitmap
    uint64_t base = reinterpret_cast<uint64_t>(&t.tss);
    uint64_t limit = sizeof(Tss) - 1;
    t.gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
        ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56; // available 64-bit TSS
    t.gdt[6] = base >> 32;

    Pointer p{sizeof(t.gdt) - 1, reinterpret_cast<uint64_t>(t.gdt)};
    asm volatile("lgdt %0\n\t"
                 "mov %1, %%ds\n\t"
                 "mov %1, %%es\n\t"
                 "mov %1, %%ss\n\t"
                 "xor %%eax, %%eax\n\t"
                 "mov %%eax, %%fs\n\t"
                 "mov %%eax, %%gs\n\t"
                 "pushq %2\n\t"
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n"
                 "1:\n\t"
                 "ltr %w3"
                 :
                 : "m"(p), "r"(static_cast<uint64_t>(SEL_KERNEL_DATA)),
                 "i"(static_cast<uint64_t>(SEL_KERNEL_CODE)), "r"(static_cast<uint16_t>(SEL_TSS))
                 : "rax", "memory");
}

} // namespace lwk::arch
