// The LWK's boot sequence. Every core arrives in lwk_entry() from the
// trampoline; the first sets up what all share (log, memory, page tables,
// IDT), the others wait for it, then each sets itself up and reports ready.
#include <core/boot.hpp>
#include <core/cmdline.hpp>
#include <core/doorbell.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>
#include <core/percpu.hpp>

#include <core/channel.hpp>
#include <sched/sched.hpp>

#include <arch/apic.hpp>
#include <arch/timer.hpp>
#include <arch/user.hpp>
#include <arch/cpu.hpp>
#include <arch/gdt.hpp>
#include <arch/interrupts.hpp>
#include <lib/atomic.hpp>
#include <mk/version.h>
#include <mm/heap.hpp>
#include <mm/kernel_vm.hpp>
#include <mm/frame_refs.hpp>
#include <mm/kmap.hpp>
#include <mm/pmm.hpp>

extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();

namespace lwk {

mk_boot_params* boot::params = nullptr;

uint64_t boot::uptime_us()
{
    if (!params || !params->tsc_khz)
        return 0;
    return (arch::rdtsc() - params->boot_tsc) * 1000 / params->tsc_khz;
}

namespace {

Atomic<bool> shared_ready{false};
uint64_t apic_mmio = 0;
constexpr unsigned IST_ORDER = 1; // 8 KiB per IST stack

void run_constructors()
{
    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor)
        (*ctor)();
}

// What every core shares, set up once by the first.
void init_shared(mk_boot_params* bp)
{
    run_constructors();
    log::init();
    klog("mk LWK %s starting: %u cores, %lu MiB in %u chunk%s, TSC %lu kHz, %s", MK_VERSION_STRING,
        bp->nr_cpus, [&] {
            uint64_t total = 0;
            for (uint32_t i = 0; i < bp->nr_chunks; ++i)
                total += bp->chunks[i].bytes;
            return total >> 20;
        }(),
        bp->nr_chunks, bp->nr_chunks == 1 ? "" : "s", bp->tsc_khz,
        (bp->flags & MK_BOOT_X2APIC) ? "x2APIC" : "xAPIC");
    if (bp->cmdline[0])
        klog("command line: %s", bp->cmdline);
    arch::idt_init();
    mm::pmm_init(*bp);
    apic_mmio = mm::kernel_vm_init(*bp, bp->flags & MK_BOOT_X2APIC);
    mm::kmap_init();
    mm::frame_refs_init(*bp);
    klog("memory: %lu MiB free for the LWK after the boot area and the image",
        mm::pmm_free_bytes() >> 20);
    // Deliberate boot failures, to test that Linux copes with them.
    if (cmdline::has("debug", "panic"))
        panic("debug=panic on the command line: panicking while booting");
}

// This core's tables, stacks, per-core data and APIC.
void init_core(mk_boot_params* bp, uint32_t index)
{
    mm::kernel_vm_load();
    auto* cpu = static_cast<percpu::Cpu*>(mm::kzalloc(sizeof(percpu::Cpu)));
    if (!cpu)
        panic("no memory for core %u's data", index);
    cpu->index = index;
    cpu->boot = &bp->cpus[index];
    uint64_t ist[3];
    for (auto& top : ist) {
        auto stack = mm::alloc_pages(IST_ORDER);
        if (stack.is_error())
            panic("no memory for core %u's exception stacks", index);
        top = reinterpret_cast<uint64_t>(boot::phys_to_virt(stack.value())) + (4096 << IST_ORDER);
    }
    arch::gdt_init(cpu->tables, ist, bp->cpus[index].boot_stack_top);
    percpu::install(cpu);
    arch::idt_load();
    arch::apic::init(bp->flags & MK_BOOT_X2APIC, apic_mmio);
    cpu->apic_id = arch::apic::id();
    if (cpu->apic_id != bp->cpus[index].apic_id)
        panic("core %u has APIC id %u, Linux said %u", index, cpu->apic_id, bp->cpus[index].apic_id);
    arch::timer::init_core(bp->tsc_khz);
    const mk_boot_cpu& me = bp->cpus[index];
    arch::user_mode_init_core((uint32_t(me.node < 0 ? 0 : me.node) << 12) | (me.linux_cpu & 0xfff));
    if (!channel::init_core())
        panic("core %u cannot attach its channels with Linux", index);
}

// The last core to become ready declares the instance running.
void report_ready(mk_boot_params* bp, uint32_t index)
{
    bp->cpus[index].ready_tsc = arch::rdtsc();
    boot::shared_store(bp->cpus[index].state, static_cast<uint32_t>(MK_CPU_READY));
    for (uint32_t i = 0; i < bp->nr_cpus; ++i)
        if (boot::shared_load(bp->cpus[i].state) != MK_CPU_READY)
            return;
    uint32_t expected = MK_LWK_BOOTING;
    if (__atomic_compare_exchange_n(&bp->lwk_state, &expected, MK_LWK_RUNNING, false,
            __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        klog("all %u cores ready: running", bp->nr_cpus);
        doorbell::ring_linux(); // the boot waits for this
    }
}

} // namespace
} // namespace lwk

extern "C" [[noreturn]] void lwk_entry(mk_boot_params* bp, uint32_t index)
{
    using namespace lwk;
    // Off the trampoline page: Linux may reuse it for the next core.
    boot::shared_store(bp->cpus[index].state, static_cast<uint32_t>(MK_CPU_STARTED));
    if (index == 0) {
        bp->boot_tsc = arch::rdtsc();
        boot::params = bp;
        init_shared(bp);
        shared_ready.store(true, Order::release);
    } else {
        while (!shared_ready.load(Order::acquire))
            arch::pause();
    }
    init_core(bp, index);
    mk_boot_cpu& me = bp->cpus[index];
    klog("core %u up: APIC id %u (Linux CPU %u, node %d)", index, percpu::current()->apic_id,
        me.linux_cpu, me.node);
    if (index == 0 && cmdline::has("debug", "hang")) {
        klog("debug=hang on the command line: core 0 never reports ready");
        for (;;)
            arch::sti_hlt();
    }
    report_ready(bp, index);
    // Tickless: nothing wakes this core but an interrupt somebody sends it.
    sched::core_loop();
}
