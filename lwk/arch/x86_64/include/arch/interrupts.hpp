// Interrupts and exceptions: the saved register frame and the IDT.
#pragma once

#include <arch/asm_offsets.h>

#include <cstdint>

namespace lwk::arch {

// Exception vectors (Intel SDM vol. 3, 6.3.1).
enum Vector : uint8_t {
    VEC_DIVIDE = 0,
    VEC_DEBUG = 1,
    VEC_NMI = 2,
    VEC_BREAKPOINT = 3,
    VEC_OVERFLOW = 4,
    VEC_BOUND = 5,
    VEC_INVALID_OPCODE = 6,
    VEC_DEVICE_NA = 7,
    VEC_DOUBLE_FAULT = 8,
    VEC_INVALID_TSS = 10,
    VEC_SEGMENT_NP = 11,
    VEC_STACK_FAULT = 12,
    VEC_GP = 13,
    VEC_PAGE_FAULT = 14,
    VEC_X87 = 16,
    VEC_ALIGNMENT = 17,
    VEC_MACHINE_CHECK = 18,
    VEC_SIMD = 19,
    VEC_VIRTUALIZATION = 20,
    VEC_CONTROL_PROTECTION = 21,
};

// Registers as the entry stubs (isr.S) save them; the layout is fixed there.
struct InterruptFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;
    // Pushed by the CPU.
    uint64_t rip, cs, rflags, rsp, ss;
};

static_assert(__builtin_offsetof(InterruptFrame, r11) == FRAME_R11);
static_assert(__builtin_offsetof(InterruptFrame, rcx) == FRAME_RCX);
static_assert(__builtin_offsetof(InterruptFrame, rip) == FRAME_RIP);
static_assert(__builtin_offsetof(InterruptFrame, rflags) == FRAME_RFLAGS);
static_assert(__builtin_offsetof(InterruptFrame, rsp) == FRAME_RSP);

// The IDT (one, shared by every core); IST stacks come from each core's TSS.
void idt_init();
void idt_load();

// Called by the stubs; dispatches to the handler for frame->vector.
extern "C" void interrupt_dispatch(InterruptFrame* frame);

const char* exception_name(uint64_t vector);

// IST slots in the TSS (1-based, as in the IDT gate).
constexpr unsigned IST_DOUBLE_FAULT = 1;
constexpr unsigned IST_NMI = 2;
constexpr unsigned IST_MACHINE_CHECK = 3;

} // namespace lwk::arch
