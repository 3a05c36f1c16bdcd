#include <arch/apic.hpp>
#include <arch/cpu.hpp>
#include <arch/timer.hpp>

#include <mk/boot.h>

namespace lwk::arch::timer {
namespace {

constexpr uint32_t LVT_MASKED = 1 << 16;
constexpr uint32_t LVT_TSC_DEADLINE = 2 << 17;
constexpr uint32_t DIVIDE_BY_16 = 0x3;

bool deadline_mode = false;      // the same on every LWK core
uint64_t apic_ticks_per_ms = 0;  // one-shot mode, calibrated once
uint64_t tsc_per_ms = 0;

// Counts the APIC timer (divide by 16) over 10 ms of TSC.
uint64_t calibrate()
{
    apic::write_reg(apic::REG_TIMER_DIVIDE, DIVIDE_BY_16);
    apic::write_reg(apic::REG_LVT_TIMER, LVT_MASKED | MK_LWK_VECTOR_TIMER);
    apic::write_reg(apic::REG_TIMER_INITIAL, 0xffffffff);
    uint64_t start = rdtsc();
    while (rdtsc() - start < 10 * tsc_per_ms)
        pause();
    uint32_t left = apic::read_reg(apic::REG_TIMER_CURRENT);
    apic::write_reg(apic::REG_TIMER_INITIAL, 0);
    return (0xffffffffULL - left) / 10;
}

} // namespace

void init_core(uint64_t tsc_khz)
{
    tsc_per_ms = tsc_khz;
    deadline_mode = cpuid(1).ecx & (1u << 24);
    if (deadline_mode) {
        apic::write_reg(apic::REG_LVT_TIMER, LVT_TSC_DEADLINE | MK_LWK_VECTOR_TIMER);
        wrmsr(MSR_TSC_DEADLINE, 0);
        return;
    }
    if (!apic_ticks_per_ms)
        apic_ticks_per_ms = calibrate();
    apic::write_reg(apic::REG_TIMER_DIVIDE, DIVIDE_BY_16);
    apic::write_reg(apic::REG_LVT_TIMER, MK_LWK_VECTOR_TIMER); // one-shot, unmasked
    apic::write_reg(apic::REG_TIMER_INITIAL, 0);
}

void arm(uint64_t deadline_tsc)
{
    if (deadline_mode) {
        wrmsr(MSR_TSC_DEADLINE, deadline_tsc ? deadline_tsc : 1);
        return;
    }
    uint64_t now = rdtsc();
    uint64_t ticks = 1;
    if (deadline_tsc > now)
        ticks = (deadline_tsc - now) * apic_ticks_per_ms / tsc_per_ms + 1;
    apic::write_reg(apic::REG_TIMER_INITIAL, ticks > 0xffffffffULL ? 0xffffffffU : uint32_t(ticks));
}

void disarm()
{
    if (deadline_mode)
        wrmsr(MSR_TSC_DEADLINE, 0);
    else
        apic::write_reg(apic::REG_TIMER_INITIAL, 0);
}

bool tsc_deadline_mode() { return deadline_mode; }

} // namespace lwk::arch::timer
