#include <core/boot.hpp>
#include <core/doorbell.hpp>
#include <core/interrupts.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>
#include <core/percpu.hpp>

#include <proc/process.hpp>
#include <proc/signal.hpp>
#include <sched/sched.hpp>
#include <syscall/syscall.hpp>

#include <arch/apic.hpp>
#include <arch/cpu.hpp>

namespace lwk::core {

namespace {

bool from_user(const arch::InterruptFrame& f) { return (f.cs & 3) == 3; }

// The si_code values of Linux's fault signals.
constexpr int32_t SEGV_MAPERR = 1, SEGV_ACCERR = 2, FPE_INTDIV = 1, ILL_ILLOPN = 2, TRAP_BRKPT = 1,
                  BUS_ADRALN = 1, BUS_ADRERR = 2;

// The signal Linux sends for a fault in user code, with its si_code and
// address (cr2: the page fault's, read when it came).
proc::SigInfo fault_info(const arch::InterruptFrame& f, uint64_t cr2)
{
    proc::SigInfo i{};
    i.fault = true;
    i.ip = f.rip;
    i.vector = f.vector;
    i.error = f.error_code;
    switch (f.vector) {
    case arch::VEC_PAGE_FAULT: {
        i.signo = proc::SIGSEGV;
        i.code = (f.error_code & 1) ? SEGV_ACCERR : SEGV_MAPERR; // present: a protection fault
        i.value = cr2;
        // A shared file mapping with no page there: past the file's end.
        const proc::Region* r = percpu::current()->current->proc->as->region_at(i.value);
        if (!(f.error_code & 1) && r && r->kind == proc::RegionKind::shared) {
            i.signo = proc::SIGBUS;
            i.code = BUS_ADRERR;
        }
        break;
    }
    case arch::VEC_DIVIDE:
        i.signo = proc::SIGFPE;
        i.code = FPE_INTDIV;
        i.value = f.rip;
        break;
    case arch::VEC_X87:
    case arch::VEC_SIMD:
        i.signo = proc::SIGFPE;
        i.code = proc::SI_KERNEL;
        i.value = f.rip;
        break;
    case arch::VEC_INVALID_OPCODE:
        i.signo = proc::SIGILL;
        i.code = ILL_ILLOPN;
        i.value = f.rip;
        break;
    case arch::VEC_DEBUG:
    case arch::VEC_BREAKPOINT:
        i.signo = proc::SIGTRAP;
        i.code = TRAP_BRKPT;
        i.value = f.rip;
        break;
    case arch::VEC_ALIGNMENT:
        i.signo = proc::SIGBUS;
        i.code = BUS_ADRALN;
        break;
    case arch::VEC_STACK_FAULT:
    case arch::VEC_SEGMENT_NP:
        i.signo = proc::SIGBUS;
        i.code = BUS_ADRERR;
        break;
    default: // #GP and the rest: no address to tell
        i.signo = proc::SIGSEGV;
        i.code = proc::SI_KERNEL;
    }
    return i;
}

} // namespace

void handle_exception(arch::InterruptFrame& frame)
{
    if (frame.vector == arch::VEC_NMI) {
        // Where the core was: what an administrator asks with `mkctl debug nmi`.
        log::printf_nmi("NMI at %016lx in %s mode", frame.rip, from_user(frame) ? "user" : "kernel");
        sched::log_threads();
        return;
    }
    // A fault in a program is that program's signal (its handler, or its
    // end), never the LWK's.
    if (from_user(frame) && percpu::current()->current && frame.vector != arch::VEC_MACHINE_CHECK &&
        frame.vector != arch::VEC_DOUBLE_FAULT) {
        const uint64_t cr2 = frame.vector == arch::VEC_PAGE_FAULT ? arch::read_cr2() : 0;
        // A page of a tracked file mapping is faulted in (it may wait for Linux).
        const sys::Refault r = frame.vector == arch::VEC_PAGE_FAULT ? sys::refault(frame, cr2) : sys::Refault::none;
        if (r == sys::Refault::done) {
            proc::before_user(frame, -1);
            return;
        }
        proc::SigInfo info = fault_info(frame, cr2);
        if (r == sys::Refault::segv) {
            info.signo = proc::SIGSEGV;
            info.code = SEGV_ACCERR;
        } else if (r == sys::Refault::bus) {
            info.signo = proc::SIGBUS;
            info.code = BUS_ADRERR;
        }
        proc::force_signal(info);
        proc::before_user(frame, -1);
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
        proc::before_user(frame, -1);
}

} // namespace lwk::core
