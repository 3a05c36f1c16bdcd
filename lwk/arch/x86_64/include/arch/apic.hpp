// The local APIC of the current core, in xAPIC (MMIO) or x2APIC (MSR) mode.
#pragma once

#include <cstdint>

namespace lwk::arch::apic {

// Sets this core's APIC up: x2APIC if want_x2apic (Linux's mode), software
// enabled with the spurious vector, every local interrupt masked (no timer:
// the LWK is tickless). mmio_base is the virtual address of the xAPIC page
// (unused in x2APIC mode).
void init(bool want_x2apic, uint64_t mmio_base);
bool x2apic();
uint32_t id();
void eoi();
// A fixed interrupt with this vector to one APIC id (physical destination).
void send_ipi(uint32_t apic_id, uint8_t vector);
// The xAPIC MMIO page's physical address (from IA32_APIC_BASE).
uint64_t mmio_phys();

// Registers (offsets in the xAPIC page; the x2APIC MSR is 0x800 + offset / 16).
enum Reg : uint32_t {
    REG_ID = 0x20,
    REG_TPR = 0x80,
    REG_EOI = 0xb0,
    REG_SVR = 0xf0,
    REG_ESR = 0x280,
    REG_ICR_LOW = 0x300,
    REG_ICR_HIGH = 0x310,
    REG_LVT_TIMER = 0x320,
    REG_LVT_THERMAL = 0x330,
    REG_LVT_PERF = 0x340,
    REG_LVT_LINT0 = 0x350,
    REG_LVT_LINT1 = 0x360,
    REG_LVT_ERROR = 0x370,
    REG_TIMER_INITIAL = 0x380,
    REG_TIMER_CURRENT = 0x390,
    REG_TIMER_DIVIDE = 0x3e0,
};
uint32_t read_reg(Reg r);
void write_reg(Reg r, uint32_t v);

} // namespace lwk::arch::apic
