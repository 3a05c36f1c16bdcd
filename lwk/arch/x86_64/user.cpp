#include <arch/asm_offsets.h>
#include <arch/cpu.hpp>
#include <arch/gdt.hpp>
#include <arch/sigframe.hpp>
#include <arch/user.hpp>

namespace lwk::arch {
namespace {

uint64_t xcr0_enabled = 0;

inline void xsetbv(uint32_t reg, uint64_t v)
{
    asm volatile("xsetbv" : : "c"(reg), "a"(uint32_t(v)), "d"(uint32_t(v >> 32)));
}

constexpr uint64_t CR0_MP = 1 << 1, CR0_EM = 1 << 2, CR0_TS = 1 << 3, CR0_NE = 1 << 5;
constexpr uint64_t CR4_OSFXSR = 1 << 9, CR4_OSXMMEXCPT = 1 << 10, CR4_OSXSAVE = 1 << 18;
constexpr uint64_t RFLAGS_TF = 1 << 8, RFLAGS_DF = 1 << 10, RFLAGS_NT = 1 << 14, RFLAGS_AC = 1 << 18;

} // namespace

extern "C" void syscall_entry();

void user_mode_init_core(uint32_t tsc_aux)
{
    constexpr uint32_t MSR_TSC_AUX = 0xc0000103;
    if (tsc_aux_holds_cpu())
        wrmsr(MSR_TSC_AUX, tsc_aux);

    // SYSCALL enters at syscall_entry with CS = kernel code; SYSRET would
    // return with CS = user code (STAR[63:48] + 16), SS = user data (+ 8).
    wrmsr(MSR_STAR, (uint64_t(SEL_KERNEL_DATA) << 48) | (uint64_t(SEL_KERNEL_CODE) << 32));
    wrmsr(MSR_LSTAR, reinterpret_cast<uint64_t>(&syscall_entry));
    wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_NT | RFLAGS_AC);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);

    // x87 and SSE for user code; the kernel itself never touches them.
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
    uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;
    bool has_xsave = cpuid(1).ecx & (1u << 26);
    if (has_xsave)
        cr4 |= CR4_OSXSAVE;
    write_cr4(cr4);
    if (has_xsave) {
        // Every user state component the CPU offers (x87, SSE, AVX, AVX-512 ...),
        // but not supervisor ones, which XCR0 cannot hold anyway.
        CpuidRegs d = cpuid(0xd, 0);
        uint64_t supported = (uint64_t(d.edx) << 32) | d.eax;
        xcr0_enabled = supported & 0x2ff; // x87 SSE AVX MPX(off below) AVX-512 PKRU
        xcr0_enabled &= ~uint64_t(0x18);  // MPX is gone from current compilers
        xsetbv(0, xcr0_enabled);
    }
}

bool tsc_aux_holds_cpu() { return cpuid(0x80000001).edx & (1u << 27); }

uint64_t xsave_features() { return xcr0_enabled; }

uint64_t fpu_state_bytes()
{
    // After XSETBV, CPUID 0xD.0 EBX is the area size for the enabled features.
    return xcr0_enabled ? cpuid(0xd, 0).ebx : 512;
}

void fpu_save(void* area)
{
    if (xcr0_enabled)
        asm volatile("xsave64 (%0)" : : "r"(area), "a"(uint32_t(xcr0_enabled)),
            "d"(uint32_t(xcr0_enabled >> 32)) : "memory");
    else
        asm volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void fpu_restore(const void* area)
{
    if (xcr0_enabled)
        asm volatile("xrstor64 (%0)" : : "r"(area), "a"(uint32_t(xcr0_enabled)),
            "d"(uint32_t(xcr0_enabled >> 32)) : "memory");
    else
        asm volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

void fpu_reset()
{
    const uint32_t mxcsr = 0x1f80;
    asm volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
    if (xcr0_enabled & 4)
        asm volatile("vzeroall");
}

bool fpu_image_valid(const void* area)
{
    const auto* b = static_cast<const uint8_t*>(area);
    uint32_t mxcsr;
    __builtin_memcpy(&mxcsr, b + MXCSR_OFFSET, 4);
    if (mxcsr & 0xffff0000u) // reserved MXCSR bits: #GP
        return false;
    if (!xcr0_enabled)
        return true;
    uint64_t header[3];
    __builtin_memcpy(header, b + XSAVE_HEADER_OFFSET, sizeof header);
    // XSTATE_BV only of enabled features; the standard form (XCOMP_BV 0)
    // and the reserved word after it zero: else XRSTOR raises #GP.
    return !(header[0] & ~xcr0_enabled) && header[1] == 0 && header[2] == 0;
}

InterruptFrame user_frame(uint64_t rip, uint64_t rsp)
{
    InterruptFrame frame{};
    frame.rip = rip;
    frame.cs = SEL_USER_CODE;
    frame.rflags = RFLAGS_IF | 0x2;
    frame.rsp = rsp;
    frame.ss = SEL_USER_DATA;
    return frame;
}

uint64_t prepare_user_frame(uint64_t kstack_top, const InterruptFrame& f)
{
    auto* frame = reinterpret_cast<InterruptFrame*>(kstack_top - sizeof(InterruptFrame));
    *frame = f;
    frame->cs = SEL_USER_CODE; // whatever the copy said: user mode, interrupts on
    frame->ss = SEL_USER_DATA;
    frame->rflags = (f.rflags | RFLAGS_IF | 0x2) & ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_AC | (3ULL << 12));
    // switch_context pops r15 r14 r13 r12 rbx rbp, then returns.
    auto* sw = reinterpret_cast<uint64_t*>(frame) - 7;
    for (int i = 0; i < 6; ++i)
        sw[i] = 0;
    sw[6] = reinterpret_cast<uint64_t>(&thread_first_entry);
    return reinterpret_cast<uint64_t>(sw);
}

} // namespace lwk::arch
