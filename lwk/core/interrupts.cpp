#include <core/boot.hpp>
#include <core/doorbell.hpp>
#include <core/interrupts.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>
#include <core/percpu.hpp>

#include <arch/apic.hpp>

namespace lwk::core {

void handle_exception(arch::InterruptFrame& frame)
{
    if (frame.vector == arch::VEC_NMI) {
        klog("NMI at %016lx", frame.rip);
        return;
    }
    panic_exception(frame);
}

void handle_interrupt(arch::InterruptFrame& frame)
{
    percpu::Cpu* cpu = percpu::current();
    ++cpu->irqs;
    boot::shared_store(cpu->boot->irqs, cpu->irqs);
    switch (frame.vector) {
    case MK_LWK_VECTOR_DOORBELL:
        arch::apic::eoi();
        doorbell::handle();
        break;
    case MK_LWK_VECTOR_STOP:
        arch::apic::eoi();
        halt_for_panic();
    case MK_LWK_VECTOR_SPURIOUS:
        break; // no EOI for a spurious interrupt
    default:
        klog("unexpected interrupt, vector %lu", frame.vector);
        arch::apic::eoi();
    }
}

} // namespace lwk::core
