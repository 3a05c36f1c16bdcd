#include <arch/apic.hpp>
#include <arch/cpu.hpp>

#include <mk/boot.h>

namespace lwk::arch::apic {
namespace {

constexpr uint64_t APIC_BASE_ENABLE = 1 << 11;
constexpr uint64_t APIC_BASE_X2APIC = 1 << 10;
constexpr uint32_t LVT_MASKED = 1 << 16;
constexpr uint32_t ICR_PENDING = 1 << 12;
constexpr uint32_t ICR_ASSERT = 1 << 14;

bool x2 = false; // the same mode on every LWK core
volatile uint32_t* mmio = nullptr;

} // namespace

uint32_t read_reg(Reg r)
{
    if (x2)
        return static_cast<uint32_t>(rdmsr(0x800 + r / 16));
    return mmio[r / 4];
}

void write_reg(Reg r, uint32_t v)
{
    if (x2)
        wrmsr(0x800 + r / 16, v);
    else
        mmio[r / 4] = v;
}

namespace {
uint32_t read(Reg r) { return read_reg(r); }
void write(Reg r, uint32_t v) { write_reg(r, v); }
} // namespace

void init(bool want_x2apic, uint64_t mmio_base)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    if (want_x2apic && !(base & APIC_BASE_X2APIC)) {
        base |= APIC_BASE_ENABLE | APIC_BASE_X2APIC;
        wrmsr(MSR_APIC_BASE, base);
    } else if (!(base & APIC_BASE_ENABLE)) {
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    }
    x2 = (rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC) != 0;
    mmio = reinterpret_cast<volatile uint32_t*>(mmio_base);

    write(REG_TPR, 0);
    const Reg lvts[] = {REG_LVT_TIMER, REG_LVT_THERMAL, REG_LVT_PERF, REG_LVT_LINT0, REG_LVT_LINT1};
    for (Reg r : lvts)
        write(r, LVT_MASKED);
    write(REG_LVT_ERROR, LVT_MASKED);
    write(REG_ESR, 0);
    write(REG_SVR, 0x100 | MK_LWK_VECTOR_SPURIOUS); // software enable
    eoi();
}

bool x2apic() { return x2; }

uint32_t id()
{
    // x2APIC: the full 32-bit id; xAPIC: the top byte of the register.
    return x2 ? read(REG_ID) : read(REG_ID) >> 24;
}

void eoi() { write(REG_EOI, 0); }

void send_ipi(uint32_t apic_id, uint8_t vector)
{
    uint64_t flags = save_flags_cli();
    if (x2) {
        // One MSR write carries destination and command.
        wrmsr(0x830, (static_cast<uint64_t>(apic_id) << 32) | ICR_ASSERT | vector);
    } else {
        while (mmio[REG_ICR_LOW / 4] & ICR_PENDING)
            pause();
        mmio[REG_ICR_HIGH / 4] = apic_id << 24;
        mmio[REG_ICR_LOW / 4] = ICR_ASSERT | vector;
    }
    restore_flags(flags);
}

uint64_t mmio_phys() { return rdmsr(MSR_APIC_BASE) & 0x000ffffffffff000ULL; }

} // namespace lwk::arch::apic
