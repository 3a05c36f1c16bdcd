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

} // namespace lwk::arch::apic
