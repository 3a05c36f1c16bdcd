// The signal frame a handler runs on, as Linux lays it out on x86-64 (what
// the C library's restorer and sigreturn expect, and what programs read
// through ucontext_t): return address, ucontext, siginfo, then the FPU
// state in XSAVE (or FXSAVE) format, 64-byte aligned.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lwk::arch {

struct SigContext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate; // user address of the FPU state
    uint64_t reserved[8];
};
static_assert(sizeof(SigContext) == 256, "struct sigcontext");

struct UContext {
    uint64_t flags;
    uint64_t link;
    uint64_t ss_sp; // uc_stack
    int32_t ss_flags;
    int32_t pad;
    uint64_t ss_size;
    SigContext mcontext;
    uint64_t sigmask;
};
static_assert(sizeof(UContext) == 304, "struct ucontext");
static_assert(offsetof(UContext, mcontext) == 40, "uc_mcontext");

// siginfo_t, the parts the LWK fills.
struct SigInfoUser {
    int32_t signo, errno_, code, pad;
    union {
        struct {
            int32_t pid;
            uint32_t uid;
            uint64_t value; // SI_QUEUE: sigval
        } kill;
        struct {
            uint64_t addr;
            uint16_t addr_lsb;
        } fault;
        uint8_t bytes[112];
    };
};
static_assert(sizeof(SigInfoUser) == 128, "siginfo_t");

struct RtSigFrame {
    uint64_t pretcode; // the handler returns to sa_restorer
    UContext uc;
    SigInfoUser info;
};
static_assert(sizeof(RtSigFrame) == 440, "struct rt_sigframe");

constexpr uint64_t UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;

// The software bytes Linux keeps in the FXSAVE area's unused tail
// (offset 464) when the frame holds XSAVE state, and the word after it.
struct FpxSwBytes {
    uint32_t magic1;
    uint32_t extended_size;
    uint64_t xfeatures;
    uint32_t xstate_size;
    uint32_t padding[7];
};
static_assert(sizeof(FpxSwBytes) == 48, "struct _fpx_sw_bytes");
constexpr uint32_t FP_XSTATE_MAGIC1 = 0x46505853, FP_XSTATE_MAGIC2 = 0x46505845;
constexpr uint64_t FPX_SW_OFFSET = 464, XSAVE_HEADER_OFFSET = 512, MXCSR_OFFSET = 24;

// Whether an FPU image from user memory is safe to load with fpu_restore
// (an image XRSTOR or FXRSTOR would fault on is refused).
bool fpu_image_valid(const void* area);

} // namespace lwk::arch
