#include <core/boot.hpp>
#include <core/doorbell.hpp>
#include <core/log.hpp>
#include <core/percpu.hpp>

#include <arch/apic.hpp>

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
