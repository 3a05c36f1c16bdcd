// Per-core data, reached through the GS base.
#pragma once

#include <arch/asm_offsets.h>
#include <arch/gdt.hpp>

#include <mk/boot.h>
#include <mk/ring.h>

#include <lib/atomic.hpp>
#include <lib/spinlock.hpp>

#include <cstddef>
#include <cstdint>

namespace lwk::proc {
struct Thread;
class AddressSpace;
} // namespace lwk::proc

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
    // The core's threads (runnable or blocked), a ring through Thread::rq_next;
    // other cores add threads and wake them under rq_lock.
    Spinlock rq_lock;
    proc::Thread* threads;
    proc::Thread* last_run;   // round robin starts after it
    proc::Thread* resume;     // interrupted in user mode: runs again first
    bool need_resched;        // the running thread woke one of this core's
    uint32_t nr_threads;
    uint64_t busy_tsc;        // TSC ticks spent running threads (/proc/stat)
    // Threads here waiting for Linux's answer (forwarded calls, unmaps):
    // while there are, the idle core watches its ring before it halts.
    Atomic<uint32_t> linux_waits;
    Atomic<uint32_t> kicks;   // other cores' wake-ups sent here (sched::kick)
    proc::Thread* fpu_owner;  // whose FPU/SSE/AVX state the registers hold
    // The address space whose page table is loaded, and the TLB generation
    // it was last flushed at (see AddressSpace::flush_tlb).
    Atomic<proc::AddressSpace*> as_loaded;
    Atomic<uint64_t> flushed_gen;
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

// Every core's data, by index (nullptr for a core not up yet).
constexpr uint32_t MAX_CORES = 64;
Cpu* of(uint32_t index);

} // namespace lwk::percpu
