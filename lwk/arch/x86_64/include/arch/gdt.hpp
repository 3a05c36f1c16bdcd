// Each core's GDT and TSS.
#pragma once

#include <cstdint>

namespace lwk::arch {

enum Selector : uint16_t {
    SEL_KERNEL_CODE = 0x08,
    SEL_KERNEL_DATA = 0x10,
    SEL_USER_DATA = 0x18 | 3, // SYSRET: STAR[63:48] + 8
    SEL_USER_CODE = 0x20 | 3, // SYSRET: STAR[63:48] + 16
    SEL_TSS = 0x28,
};

struct [[gnu::packed]] Tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

struct CoreTables {
    uint64_t gdt[7]; // null, kcode, kdata, udata, ucode, tss (2 slots)
    Tss tss;
};

// Fills and loads this core's GDT and TSS; ist_tops[i] is the top of IST
// stack i + 1.
void gdt_init(CoreTables& t, const uint64_t ist_tops[3], uint64_t kernel_stack_top);

} // namespace lwk::arch
