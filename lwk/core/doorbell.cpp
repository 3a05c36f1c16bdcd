#include <core/boot.hpp>
#include <core/doorbell.hpp>
#include <core/log.hpp>
#include <core/percpu.hpp>

#include <arch/apic.hpp>
#include <arch/pagetable.hpp>
#include <proc/process.hpp>

namespace lwk::doorbell {
namespace {

void run(uint32_t cmd)
{
    switch (cmd) {
    case MK_LWK_CMD_FAULT: {
        klog("debug command: taking a page fault on purpose");
        // Nothing is mapped in the low half of the kernel's address space.
        volatile uint64_t* bad = reinterpret_cast<volatile uint64_t*>(0xdead000ULL);
        *bad = 1;
        break;
    }
    case MK_LWK_CMD_CORRUPT: {
        // A hostile LWK, on purpose: Linux must trust none of this.
        klog("debug command: corrupting what Linux reads, on purpose");
        mk_boot_params* bp = boot::params;
        for (uint32_t i = 0; i < MK_MAX_LWK_CPUS; ++i) {
            boot::shared_store(bp->cpus[i].apic_id, 0u);
            boot::shared_store(bp->cpus[i].linux_cpu, 0u);
            boot::shared_store(bp->cpus[i].state, static_cast<uint32_t>(MK_CPU_OFF));
        }
        boot::shared_store(bp->nr_cpus, static_cast<uint32_t>(MK_MAX_LWK_CPUS));
        proc::corrupt_page_tables();
        // This core's ring to Linux: garbage, and Linux's doorbell.
        uint64_t out = bp->channel_phys + uint64_t(percpu::index()) * MK_CHAN_BYTES_PER_CORE;
        __builtin_memset(boot::phys_to_virt(out), 0x5a, MK_CHAN_RING_BYTES);
        ring_linux();
        break;
    }
    default: klog("unknown command %u from Linux", cmd);
    }
}

} // namespace

void ring_linux()
{
    mk_boot_params* bp = boot::params;
    arch::apic::send_ipi(bp->doorbell_apic_id, static_cast<uint8_t>(bp->doorbell_vector));
}

void handle()
{
    mk_boot_cpu* me = percpu::current()->boot;
    boot::shared_store(me->doorbells, me->doorbells + 1);

    uint64_t ping = boot::shared_load(me->ping_seq);
    if (ping != me->pong_seq) {
        boot::shared_store(me->pong_seq, ping);
        ring_linux();
    }
    uint32_t seq = boot::shared_load(me->cmd_seq);
    if (seq != me->cmd_done) {
        uint32_t cmd = boot::shared_load(me->cmd);
        boot::shared_store(me->cmd_done, seq);
        run(cmd);
    }
}

} // namespace lwk::doorbell
