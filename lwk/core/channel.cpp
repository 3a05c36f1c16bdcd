#include <core/boot.hpp>
#include <core/channel.hpp>
#include <core/doorbell.hpp>
#include <core/log.hpp>
#include <core/panic.hpp>
#include <core/percpu.hpp>

#include <arch/cpu.hpp>

namespace lwk::channel {

bool init_core()
{
    percpu::Cpu* cpu = percpu::current();
    uint64_t base = boot::params->channel_phys + uint64_t(cpu->index) * MK_CHAN_BYTES_PER_CORE;
    void* out = boot::phys_to_virt(base);
    void* in = boot::phys_to_virt(base + MK_CHAN_RING_BYTES);
    int a = mk_ring_tx_attach(&cpu->to_linux, out, MK_CHAN_RING_BYTES);
    int b = mk_ring_rx_attach(&cpu->from_linux, in, MK_CHAN_RING_BYTES);
    if (a != MK_RING_OK || b != MK_RING_OK) {
        klog("channels of core %u: %s / %s", cpu->index, mk_ring_strerror(a), mk_ring_strerror(b));
        return false;
    }
    return true;
}

void send(const void* msg, uint32_t len)
{
    mk_ring_tx* tx = &percpu::current()->to_linux;
    for (;;) {
        int ret = mk_ring_send(tx, msg, len);
        if (ret == MK_RING_NOTIFY) {
            doorbell::ring_linux();
            return;
        }
        if (ret == MK_RING_OK)
            return;
        if (ret != MK_RING_FULL)
            panic("the channel to Linux is broken: %s", mk_ring_strerror(ret));
        // Linux drains on its doorbell, which it has had for what is queued.
        arch::pause();
    }
}

bool receive(void* buf, uint32_t cap, uint32_t* len)
{
    mk_ring_rx* rx = &percpu::current()->from_linux;
    int ret = mk_ring_recv(rx, buf, cap, len);
    if (ret == MK_RING_OK)
        return true;
    if (ret != MK_RING_EMPTY)
        panic("the channel from Linux is broken: %s", mk_ring_strerror(ret));
    return false;
}

void done_receiving() { mk_ring_publish(&percpu::current()->from_linux); }

bool prepare_to_sleep()
{
    mk_ring_rx* rx = &percpu::current()->from_linux;
    mk_ring_sleep_prepare(rx);
    int ret = mk_ring_sleep_check(rx);
    if (ret == MK_RING_OK)
        return true;
    mk_ring_sleep_cancel(rx);
    if (ret != MK_RING_PENDING)
        panic("the channel from Linux is broken: %s", mk_ring_strerror(ret));
    return false;
}

bool pending()
{
    const void* payload;
    uint32_t len;
    return mk_ring_peek(&percpu::current()->from_linux, &payload, &len) == MK_RING_OK;
}

void cancel_sleep() { mk_ring_sleep_cancel(&percpu::current()->from_linux); }

} // namespace lwk::channel
