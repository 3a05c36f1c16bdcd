#include <core/boot.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>
#include <core/percpu.hpp>

#include <arch/apic.hpp>
#include <arch/cpu.hpp>
#include <lib/format.hpp>

extern "C" char __image_start[], __text_end[];

namespace lwk {
namespace {

// Marks the instance panicked (the first panic's summary wins), stops the
// other cores and tells Linux.
[[noreturn]] void stop_everything(const char* summary)
{
    mk_boot_params* bp = boot::params;
    uint32_t me = percpu::index();
    uint32_t expected = MK_LWK_BOOTING;
    bool first = __atomic_compare_exchange_n(&bp->lwk_state, &expected, MK_LWK_PANICKED, false,
        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    if (!first && expected == MK_LWK_RUNNING)
        first = __atomic_compare_exchange_n(&bp->lwk_state, &expected, MK_LWK_PANICKED, false,
            __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    if (first) {
        bp->panic_cpu = me;
        format(bp->panic, sizeof bp->panic, "%s", summary);
    }
    boot::shared_store(bp->cpus[me].state, static_cast<uint32_t>(MK_CPU_PANICKED));
    for (uint32_t i = 0; i < bp->nr_cpus; ++i) {
        uint32_t st = boot::shared_load(bp->cpus[i].state);
        if (i != me && (st == MK_CPU_STARTED || st == MK_CPU_READY))
            arch::apic::send_ipi(bp->cpus[i].apic_id, MK_LWK_VECTOR_STOP);
    }
    arch::apic::send_ipi(bp->doorbell_apic_id, static_cast<uint8_t>(bp->doorbell_vector));
    arch::halt_forever();
}

void backtrace(uint64_t rbp)
{
    auto in_text = [](uint64_t a) {
        return a >= reinterpret_cast<uint64_t>(__image_start) &&
            a < reinterpret_cast<uint64_t>(__text_end);
    };
    log::printf_force("backtrace (frame pointers):");
    for (int depth = 0; depth < 16 && rbp && (rbp & 7) == 0; ++depth) {
        // Only follow frames on kernel stacks (the upper half).
        if (rbp < MK_LWK_DIRECT_BASE)
            break;
        auto* frame = reinterpret_cast<uint64_t*>(rbp);
        uint64_t ret = frame[1];
        if (!in_text(ret))
            break;
        log::printf_force("  #%d %016lx", depth, ret);
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
}

} // namespace

void panic(const char* fmt, ...)
{
    arch::cli();
    char msg[MK_PANIC_LEN];
    va_list ap;
    va_start(ap, fmt);
    vformat(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log::printf_force("PANIC: %s", msg);
    uint64_t rbp;
    asm volatile("mov %%rbp, %0" : "=r"(rbp));
    backtrace(rbp);
    stop_everything(msg);
}

void panic_exception(const arch::InterruptFrame& f)
{
    arch::cli();
    char summary[MK_PANIC_LEN];
    const char* name = arch::exception_name(f.vector);
    if (f.vector == arch::VEC_PAGE_FAULT)
        format(summary, sizeof summary, "%s at %016lx (error %lx, address %016lx) on core %u", name,
            f.rip, f.error_code, arch::read_cr2(), percpu::index());
    else
        format(summary, sizeof summary, "%s at %016lx (error %lx) on core %u", name, f.rip,
            f.error_code, percpu::index());
    log::printf_force("PANIC: %s", summary);
    log::printf_force("vector %lu (%s), error code %#lx", f.vector, name, f.error_code);
    log::printf_force("RIP %04lx:%016lx RFLAGS %016lx RSP %04lx:%016lx", f.cs, f.rip, f.rflags,
        f.ss, f.rsp);
    log::printf_force("CR2 %016lx CR3 %016lx CR0 %016lx CR4 %016lx", arch::read_cr2(),
        arch::read_cr3(), arch::read_cr0(), arch::read_cr4());
    log::printf_force("RAX %016lx RBX %016lx RCX %016lx RDX %016lx", f.rax, f.rbx, f.rcx, f.rdx);
    log::printf_force("RSI %016lx RDI %016lx RBP %016lx R8  %016lx", f.rsi, f.rdi, f.rbp, f.r8);
    log::printf_force("R9  %016lx R10 %016lx R11 %016lx R12 %016lx", f.r9, f.r10, f.r11, f.r12);
    log::printf_force("R13 %016lx R14 %016lx R15 %016lx", f.r13, f.r14, f.r15);
    backtrace(f.rbp);
    stop_everything(summary);
}

void halt_for_panic()
{
    arch::cli();
    mk_boot_params* bp = boot::params;
    boot::shared_store(bp->cpus[percpu::index()].state, static_cast<uint32_t>(MK_CPU_HALTED));
    arch::halt_forever();
}

} // namespace lwk
