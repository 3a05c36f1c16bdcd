// SPDX-License-Identifier: GPL-2.0
/*
 * Linux's end of the inter-kernel channels: per LWK core, a ring from the
 * LWK (forwarded system calls, answers) and a ring to it (replies and
 * requests), both in the LWK's boot area (<mk/proc.h>, <mk/ring.h>).
 *
 * mk.ko is the only Linux reader and writer of the rings: the doorbell
 * interrupt drains what the LWK sent into the processes' inboxes, and
 * senders hold a per-ring lock. The inbound rings' sleep flag stays armed,
 * so the LWK rings Linux's doorbell for every batch it sends.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/delay.h>

#include "mk.h"

static int mk_range_cmp(const void *a, const void *b)
{
	const struct mk_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Whether [phys, phys + len) lies in the LWK's memory (mk.ko's own record). */
bool mk_phys_in_lwk(phys_addr_t phys, u64 len)
{
	u32 lo = 0, hi = READ_ONCE(mk_inst.nr_ranges);
	struct mk_range *r = READ_ONCE(mk_inst.ranges);

	if (!r || phys + len < phys)
		return false;
	while (lo < hi) {
		u32 mid = (lo + hi) / 2;

		if (phys < r[mid].start)
			hi = mid;
		else if (phys >= r[mid].end)
			lo = mid + 1;
		else
			return phys + len <= r[mid].end;
	}
	return false;
}

int mk_chan_setup(struct mk_boot_params *bp)
{
	struct mk_chan *chans;
	struct mk_range *ranges;
	struct mk_chunk *c;
	u32 i = 0, n = bp->nr_cpus;
	int ret = 0;

	ranges = kcalloc(mk_part.nr_chunks, sizeof(*ranges), GFP_KERNEL);
	chans = kcalloc(n, sizeof(*chans), GFP_KERNEL);
	if (!ranges || !chans) {
		kfree(ranges);
		kfree(chans);
		return -ENOMEM;
	}
	list_for_each_entry(c, &mk_part.chunks, link) {
		ranges[i].start = c->phys;
		ranges[i].end = c->phys + c->bytes;
		i++;
	}
	sort(ranges, i, sizeof(*ranges), mk_range_cmp, NULL);

	for (i = 0; i < n && !ret; i++) {
		u8 *base = phys_to_virt(bp->channel_phys + (u64)i * MK_CHAN_BYTES_PER_CORE);

		ret = mk_ring_init(base, MK_CHAN_RING_BYTES, MK_CHAN_SLOT_SIZE, MK_CHAN_SLOTS) ||
		      mk_ring_init(base + MK_CHAN_RING_BYTES, MK_CHAN_RING_BYTES, MK_CHAN_SLOT_SIZE,
				   MK_CHAN_SLOTS) ||
		      mk_ring_rx_attach(&chans[i].rx, base, MK_CHAN_RING_BYTES) ||
		      mk_ring_tx_attach(&chans[i].tx, base + MK_CHAN_RING_BYTES, MK_CHAN_RING_BYTES);
		spin_lock_init(&chans[i].rx_lock);
		spin_lock_init(&chans[i].tx_lock);
		/* Ask for a doorbell with the first message. */
		mk_ring_sleep_prepare(&chans[i].rx);
	}
	if (ret) {
		kfree(ranges);
		kfree(chans);
		return -EINVAL;
	}
	mk_inst.nr_ranges = mk_part.nr_chunks;
	WRITE_ONCE(mk_inst.ranges, ranges);
	WRITE_ONCE(mk_inst.chans, chans);
	return 0;
}

/*
 * After the LWK's cores are stopped and no doorbell can come: senders and
 * drains still in flight are waited for (RCU) before the rings go.
 */
void mk_chan_teardown(void)
{
	struct mk_chan *chans = mk_inst.chans;
	struct mk_range *ranges = mk_inst.ranges;

	WRITE_ONCE(mk_inst.chans, NULL);
	WRITE_ONCE(mk_inst.ranges, NULL);
	mk_inst.nr_ranges = 0;
	synchronize_rcu(); /* a doorbell handler still draining is done */
	kfree(chans);
	kfree(ranges);
}

/*
 * Sends a message to LWK core `core`; rings its doorbell if it sleeps. May
 * run in interrupt context. -EAGAIN if the ring stays full (the LWK is not
 * draining: it is stopped or panicked): a second in process context, a
 * millisecond with interrupts off. Each try runs under RCU, so
 * mk_chan_teardown() waits for it before the rings' memory goes.
 */
int mk_chan_send(u32 core, const void *msg, u32 len)
{
	bool atomic = in_interrupt() || irqs_disabled();
	int ret, tries = 0, max = atomic ? 100 : 10000;

	for (;;) {
		struct mk_chan *chans;
		unsigned long flags;

		rcu_read_lock();
		chans = READ_ONCE(mk_inst.chans);
		if (!chans || core >= READ_ONCE(mk_inst.nr_cpus)) {
			rcu_read_unlock();
			return -ENODEV;
		}
		spin_lock_irqsave(&chans[core].tx_lock, flags);
		ret = mk_ring_send(&chans[core].tx, msg, len);
		spin_unlock_irqrestore(&chans[core].tx_lock, flags);
		if (ret == MK_RING_NOTIFY)
			mk_apic_send_ipi(mk_inst.core_apic[core], MK_LWK_VECTOR_DOORBELL);
		rcu_read_unlock();
		if (ret == MK_RING_OK || ret == MK_RING_NOTIFY)
			return 0;
		if (ret != MK_RING_FULL || ++tries > max) {
			pr_err_ratelimited("cannot send to LWK core %u: %s\n", core, mk_ring_strerror(ret));
			return ret == MK_RING_FULL ? -EAGAIN : -EIO;
		}
		if (atomic)
			udelay(10);
		else
			usleep_range(50, 150);
	}
}

/*
 * Drains one core's inbound ring (under its rx_lock), at most *budget
 * messages; true if it stopped for the budget. Afterwards the consumer is
 * marked asleep (the LWK rings the doorbell for its next message) unless
 * awake is set: a poller keeps it awake, so the LWK sends without a doorbell.
 */
static bool mk_chan_drain_one(struct mk_chan *ch, u32 i, u32 *budget, bool awake)
{
	u8 buf[MK_CHAN_PAYLOAD] __aligned(8);
	unsigned long flags;
	bool more = false;
	u32 len;
	int ret;

	spin_lock_irqsave(&ch->rx_lock, flags);
	ret = MK_RING_EMPTY;
	if (ch->held_len) {
		if (!mk_proc_deliver(i, ch->held, ch->held_len)) {
			spin_unlock_irqrestore(&ch->rx_lock, flags);
			return false;
		}
		ch->held_len = 0;
	}
	/* Written only when set: the poller must not bounce the line the LWK reads. */
	if (awake && !ch->broken && __atomic_load_n(&ch->rx.shared->sleeping, __ATOMIC_RELAXED))
		mk_ring_sleep_cancel(&ch->rx);
	while (!ch->broken) {
		while (*budget && (ret = mk_ring_recv(&ch->rx, buf, sizeof(buf), &len)) == MK_RING_OK) {
			(*budget)--;
			if (!mk_proc_deliver(i, buf, len)) {
				memcpy(ch->held, buf, len);
				ch->held_len = len;
				break;
			}
		}
		if (ch->held_len)
			break;
		if (!*budget) {
			more = true;
			break;
		}
		if (awake && !ch->broken)
			mk_ring_publish(&ch->rx); /* the slots, back to the LWK */
		if (ret != MK_RING_EMPTY || awake)
			break;
		mk_ring_sleep_prepare(&ch->rx);
		ret = mk_ring_sleep_check(&ch->rx);
		if (ret != MK_RING_PENDING)
			break;
		mk_ring_sleep_cancel(&ch->rx);
	}
	if (ret != MK_RING_OK && ret != MK_RING_EMPTY && ret != MK_RING_PENDING && !ch->broken) {
		ch->broken = true;
		pr_err("the channel from LWK core %u is corrupt (%s); ignoring it\n", i,
		       mk_ring_strerror(ret));
	}
	spin_unlock_irqrestore(&ch->rx_lock, flags);
	return more;
}

/*
 * Drains the cores' inbound rings into the processes' inboxes, at most
 * budget messages; true if more may be waiting (the caller drains again
 * later, from the doorbell's thread). A message whose inbox is full stays
 * held on its channel, which is not drained further until it is delivered
 * (the LWK waits for room): nothing is dropped. Any context.
 */
bool mk_chan_drain(u32 budget)
{
	struct mk_chan *chans;
	bool more = false;
	u32 i;

	rcu_read_lock();
	chans = READ_ONCE(mk_inst.chans);
	for (i = 0; chans && i < READ_ONCE(mk_inst.nr_cpus); i++)
		more |= mk_chan_drain_one(&chans[i], i, &budget, false);
	rcu_read_unlock();
	return more;
}

/*
 * A poller's turn on core's ring (process context): what is there is
 * delivered, and the ring stays awake (awake) or goes back to doorbells:
 * then it is drained to the end, or it would be left awake with messages
 * in it and no doorbell to come.
 */
void mk_chan_poll(u32 core, bool awake)
{
	struct mk_chan *chans;
	u32 budget;
	bool more;

	do {
		budget = 64;
		more = false;
		rcu_read_lock();
		chans = READ_ONCE(mk_inst.chans);
		if (chans && core < READ_ONCE(mk_inst.nr_cpus))
			more = mk_chan_drain_one(&chans[core], core, &budget, awake);
		rcu_read_unlock();
		if (more)
			cond_resched();
	} while (more && !awake);
}
