#include <core/boot.hpp>
#include <core/doorbell.hpp>
#include <core/interrupts.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>
#include <core/percpu.hpp>

#include <proc/process.hpp>
#include <sched/sched.hpp>

#include <arch/apic.hpp>
#include <arch/cpu.hpp>

namespace lwk::core {

namespace {

bool from_user(const arch::InterruptFrame& f) { return (f.cs & 3) == 3; }

// The signal Linux sends for a fault in user code.
int signal_for(uint64_t vector)
{
    switch (vector) {
    case arch::VEC_DIVIDE:
    case arch::VEC_X87:
    case arch::VEC_SIMD: return 8;               // SIGFPE
    case arch::VEC_INVALID_OPCODE: return 4;     // SIGILL
    case arch::VEC_DEBUG:
    case arch::VEC_BREAKPOINT: return 5;         // SIGTRAP
    case arch::VEC_ALIGNMENT: return 7;          // SIGBUS
    default: return 11;                          // SIGSEGV
    }
}

} // namespace

void handle_exception(arch::InterruptFrame& frame)
{
    if (frame.vector == arch::VEC_NMI) {
        klog("NMI at %016lx", frame.rip);
        return;
    }
    // A fault in a program ends that program, not the LWK.
    if (from_user(frame) && percpu::current()->current && frame.vector != arch::VEC_MACHINE_CHECK &&
        frame.vector != arch::VEC_DOUBLE_FAULT) {
        uint64_t addr = frame.vector == arch::VEC_PAGE_FAULT ? arch::read_cr2() : frame.rip;
        proc::fault_process(signal_for(frame.vector), addr, frame.rip);
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
        // A message may be waiting: the core loop looks, then resumes the program.
        if (from_user(frame))
            sched::preempt_to_loop(true);
        break;
    case MK_LWK_VECTOR_TIMER:
        arch::apic::eoi();
        // A deadline passed: the core loop wakes whoever waited for it, and
        // it takes its turn.
        if (from_user(frame))
            sched::preempt_to_loop(false);
        break;
    case MK_LWK_VECTOR_RESCHED:
        arch::apic::eoi(); // a thread was woken (the loop looks) or killed (below)
        if (from_user(frame) && !cpu->current->killed)
            sched::preempt_to_loop(true);
        break;
    case MK_LWK_VECTOR_TLB:
        arch::apic::eoi();
        if (proc::AddressSpace* as = cpu->as_loaded.load()) {
            uint64_t gen = as->tlb_generation();
            arch::write_cr3(arch::read_cr3());
            cpu->flushed_gen.store(gen);
        }
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
    if (from_user(frame))
        sched::return_to_user();
}

} // namespace lwk::core
