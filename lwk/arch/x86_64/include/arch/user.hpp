// What the core needs to run user code: SYSCALL set up, the FPU on, and
// switching between kernel contexts.
#pragma once

#include <arch/interrupts.hpp>

#include <cstdint>

namespace lwk::arch {

// Per core: SYSCALL/SYSRET (STAR, LSTAR, SFMASK, EFER.SCE), x87/SSE/AVX
// enabled for user code (CR0, CR4, XCR0).
void user_mode_init_core();

// The XSAVE features enabled in XCR0 (0 without XSAVE).
uint64_t xsave_features();

// A fresh FPU/SSE/AVX state for a new program: x87 and MXCSR defaults.
void fpu_reset();

extern "C" void switch_context(uint64_t* save_rsp, uint64_t next_rsp);
extern "C" void thread_first_entry();

// Prepares a kernel stack so that switching to it enters user mode at rip
// with stack pointer rsp (all other registers zero). Returns the stack
// pointer to switch to.
uint64_t prepare_user_entry(uint64_t kstack_top, uint64_t rip, uint64_t rsp);

} // namespace lwk::arch
