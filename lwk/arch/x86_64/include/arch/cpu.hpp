// Privileged x86-64 instructions and registers, as inline functions.
#pragma once

#include <cstdint>

namespace lwk::arch {

enum Msr : uint32_t {
    MSR_APIC_BASE = 0x1b,
    MSR_EFER = 0xc0000080,
    MSR_STAR = 0xc0000081,
    MSR_LSTAR = 0xc0000082,
    MSR_SFMASK = 0xc0000084,
    MSR_FS_BASE = 0xc0000100,
    MSR_GS_BASE = 0xc0000101,
    MSR_KERNEL_GS_BASE = 0xc0000102,
    MSR_TSC_DEADLINE = 0x6e0,
};

enum : uint64_t {
    EFER_SCE = 1 << 0,
    EFER_LME = 1 << 8,
    EFER_NXE = 1 << 11,
    CR0_WP = 1 << 16,
    CR4_PGE = 1 << 7,
    RFLAGS_IF = 1 << 9,
};

struct CpuidRegs {
    uint32_t eax, ebx, ecx, edx;
};

inline CpuidRegs cpuid(uint32_t leaf, uint32_t subleaf = 0)
{
    CpuidRegs r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (static_cast<uint64_t>(hi) << 32) | lo;
}

inline void wrmsr(uint32_t msr, uint64_t v)
{
    asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<uint32_t>(v)), "d"(static_cast<uint32_t>(v >> 32)) : "memory");
}

inline uint64_t rdtsc()
{
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (static_cast<uint64_t>(hi) << 32) | lo;
}

inline uint64_t read_cr0() { uint64_t v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
inline void write_cr0(uint64_t v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
inline uint64_t read_cr2() { uint64_t v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
inline uint64_t read_cr3() { uint64_t v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
inline void write_cr3(uint64_t v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
inline uint64_t read_cr4() { uint64_t v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
inline void write_cr4(uint64_t v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

inline void invlpg(uint64_t va) { asm volatile("invlpg (%0)" : : "r"(va) : "memory"); }
inline void cli() { asm volatile("cli" : : : "memory"); }
inline void sti() { asm volatile("sti" : : : "memory"); }
inline void pause() { __builtin_ia32_pause(); }
// Waits for an interrupt with interrupts enabled (sti takes effect after hlt).
inline void sti_hlt() { asm volatile("sti; hlt" : : : "memory"); }

inline uint64_t save_flags_cli()
{
    uint64_t flags;
    asm volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
    return flags;
}
inline void restore_flags(uint64_t flags)
{
    if (flags & RFLAGS_IF)
        sti();
}

[[noreturn]] inline void halt_forever()
{
    for (;;)
        asm volatile("cli; hlt");
}

} // namespace lwk::arch
