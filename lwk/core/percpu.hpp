// Per-core data, reached through the GS base.
#pragma once

#include <arch/asm_offsets.h>
#include <arch/gdt.hpp>

#include <mk/boot.h>
#include <mk/ring.h>

#include <cstddef>
#include <cstdint>

namespace lwk::proc {
struct Thread;
}

namespace lwk::percpu {

struct Cpu {
    Cpu* self;                // %gs:CPU_SELF
    uint64_t user_rsp;        // %gs:CPU_USER_RSP (SYSCALL scratch)
    uint64_t kernel_rsp;      // %gs:CPU_KERNEL_RSP (top of the thread's kernel stack)
    uint32_t index;
    uint32_t apic_id;
    mk_boot_cpu* boot;        // this core's slot in the boot params
    arch::CoreTables tables;
    uint64_t irqs;
    // Scheduling: the core loop runs on the boot stack; threads on their own.
    uint64_t loop_rsp;        // the core loop's saved stack pointer
    proc::Thread* current;    // the thread on this core, or nullptr in the core loop
    proc::Thread* runnable;   // the thread to run next (one per core for now)
    bool message_waiting;     // the doorbell rang while a thread ran
    // Channels with Linux (<mk/proc.h>).
    mk_ring_tx to_linux;
    mk_ring_rx from_linux;
};

static_assert(offsetof(Cpu, self) == CPU_SELF);
static_assert(offsetof(Cpu, user_rsp) == CPU_USER_RSP);
static_assert(offsetof(Cpu, kernel_rsp) == CPU_KERNEL_RSP);

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
