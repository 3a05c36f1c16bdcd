// What the core needs to run user code: SYSCALL set up, the FPU on, and
// switching between kernel contexts.
#pragma once

#include <arch/interrupts.hpp>

#include <cstdint>

namespace lwk::arch {

// Per core: SYSCALL/SYSRET (STAR, LSTAR, SFMASK, EFER.SCE), x87/SSE/AVX
// enabled for user code (CR0, CR4, XCR0).
// tsc_aux: what RDTSCP reads on this core ((node << 12) | cpu, as on Linux).
void user_mode_init_core(uint32_t tsc_aux);
// Whether RDTSCP gives user code its core (the CPU has RDTSCP).
bool tsc_aux_holds_cpu();

// The XSAVE features enabled in XCR0 (0 without XSAVE).
uint64_t xsave_features();

// A fresh FPU/SSE/AVX state for a new program: x87 and MXCSR defaults.
void fpu_reset();
// A thread's FPU/SSE/AVX registers, saved while another thread runs:
// XSAVE of every enabled feature (FXSAVE without XSAVE) to a 64-byte
// aligned area of fpu_state_bytes().
uint64_t fpu_state_bytes();
void fpu_save(void* area);
void fpu_restore(const void* area);

extern "C" void switch_context(uint64_t* save_rsp, uint64_t next_rsp);
extern "C" void thread_first_entry();

// The frame that enters user mode at rip with stack pointer rsp (all other
// registers zero).
InterruptFrame user_frame(uint64_t rip, uint64_t rsp);
// Prepares a kernel stack so that switching to it enters user mode with
// frame's registers. Returns the stack pointer to switch to.
uint64_t prepare_user_frame(uint64_t kstack_top, const InterruptFrame& frame);

} // namespace lwk::arch
