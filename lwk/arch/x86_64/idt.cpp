// The IDT and the dispatch of interrupts and exceptions.
#include <arch/interrupts.hpp>

#include <core/interrupts.hpp>

namespace lwk::arch {
namespace {

struct [[gnu::packed]] Gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(Gate) == 16);

struct [[gnu::packed]] Pointer {
    uint16_t limit;
    uint64_t base;
};

alignas(4096) Gate idt[256];

extern "C" const uint64_t isr_table[256];

void set_gate(unsigned v, uint64_t handler, unsigned ist, unsigned dpl)
{
    Gate& g = idt[v];
    g.offset_low = handler & 0xffff;
    g.selector = 0x08;
    g.ist = ist;
    g.type_attr = 0x8e | (dpl << 5); // present, 64-bit interrupt gate
    g.offset_mid = (handler >> 16) & 0xffff;
    g.offset_high = handler >> 32;
    g.reserved = 0;
}

const char* const names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range exceeded",
    "invalid opcode", "device not available", "double fault", "coprocessor segment overrun",
    "invalid TSS", "segment not present", "stack-segment fault", "general protection fault",
    "page fault", "reserved", "x87 floating-point error", "alignment check", "machine check",
    "SIMD floating-point exception", "virtualization exception", "control protection exception",
    "reserved", "reserved", "reserved", "reserved", "reserved", "reserved",
    "hypervisor injection", "VMM communication", "security exception", "reserved"};

} // namespace

const char* exception_name(uint64_t vector)
{
    return vector < 32 ? names[vector] : "interrupt";
}

void idt_init()
{
    for (unsigned v = 0; v < 256; ++v) {
        unsigned ist = 0;
        if (v == VEC_DOUBLE_FAULT)
            ist = IST_DOUBLE_FAULT;
        else if (v == VEC_NMI)
            ist = IST_NMI;
        else if (v == VEC_MACHINE_CHECK)
            ist = IST_MACHINE_CHECK;
        set_gate(v, isr_table[v], ist, v == VEC_BREAKPOINT ? 3 : 0);
    }
}

void idt_load()
{
    Pointer p{sizeof(idt) - 1, reinterpret_cast<uint64_t>(idt)};
    asm volatile("lidt %0" : : "m"(p));
}

extern "C" void interrupt_dispatch(InterruptFrame* frame)
{
    if (frame->vector < 32)
        core::handle_exception(*frame);
    else
        core::handle_interrupt(*frame);
}

} // namespace lwk::arch
