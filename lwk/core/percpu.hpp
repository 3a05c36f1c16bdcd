// Per-core data, reached through the GS base.
#pragma once

#include <arch/gdt.hpp>

#include <mk/boot.h>

#include <cstdint>

namespace lwk::percpu {

struct Cpu {
    Cpu* self; // at %gs:0
    uint32_t index;
    uint32_t apic_id;
    mk_boot_cpu* boot; // this core's slot in the boot params
    arch::CoreTables tables;
    uint64_t irqs;
};

// Sets GS for this core (after the GDT is loaded).
void install(Cpu* cpu);

inline Cpu* current()
{
    Cpu* c;
    asm volatile("mov %%gs:0, %0" : "=r"(c));
    return c;
}

// This core's index; 0 before per-core data is installed on it.
uint32_t index();

} // namespace lwk::percpu
