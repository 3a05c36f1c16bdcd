// SPDX-License-Identifier: GPL-2.0
/*
 * The LWK -> Linux doorbell: an interrupt vector mk.ko allocates on
 * Linux's x86 vector domain, bound to one Linux CPU. The LWK sends a fixed
 * IPI with that vector to that CPU's physical APIC id (both published in the
 * boot parameters); the handler counts it and wakes whoever waits on the
 * LWK. The affinity is set before the interrupt is requested (x86 applies
 * later changes lazily) and never balanced.
 */
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/moduleparam.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>

#include "mk.h"

static unsigned int mk_irq_target_cpu;
static unsigned int doorbell_cpu;
module_param(doorbell_cpu, uint, 0444);
MODULE_PARM_DESC(doorbell_cpu, "the Linux CPU that takes the LWK's doorbell interrupts (default 0)");

static int mk_virq = -1;
static u32 mk_vector;
static u32 mk_target_apic;

/* Messages drained per doorbell with interrupts off; the rest in its thread. */
#define MK_DRAIN_BUDGET 256

static irqreturn_t mk_doorbell(int irq, void *data)
{
	bool more;

	atomic64_inc(&mk_inst.doorbells);
	more = mk_chan_drain(MK_DRAIN_BUDGET);
	wake_up_all(&mk_inst.wait);
	schedule_work(&mk_inst.event_work);
	return more ? IRQ_WAKE_THREAD : IRQ_HANDLED;
}

/* A chatty LWK: what did not fit the interrupt's budget, preemptibly. */
static irqreturn_t mk_doorbell_thread(int irq, void *data)
{
	while (mk_chan_drain(MK_DRAIN_BUDGET))
		cond_resched();
	return IRQ_HANDLED;
}

int mk_irq_init(void)
{
	struct irq_alloc_info info;
	struct irq_data *d;
	unsigned int cpu;
	int virq, ret;

	if (doorbell_cpu >= nr_cpu_ids || !cpu_online(doorbell_cpu)) {
		pr_err("doorbell_cpu=%u is not an online CPU\n", doorbell_cpu);
		return -EINVAL;
	}
	memset(&info, 0, sizeof(info));
	virq = __irq_domain_alloc_irqs(x86_vector_domain, -1, 1, NUMA_NO_NODE, &info, false,
				       NULL);
	if (virq < 0) {
		pr_err("cannot allocate the doorbell interrupt (%d)\n", virq);
		return virq;
	}
	irq_set_handler(virq, handle_edge_irq);
	ret = irq_set_affinity(virq, cpumask_of(doorbell_cpu));
	if (!ret)
		ret = request_threaded_irq(virq, mk_doorbell, mk_doorbell_thread, IRQF_NOBALANCING,
					   "mk-doorbell", &mk_inst);
	if (ret) {
		pr_err("cannot set up the doorbell interrupt (%d)\n", ret);
		irq_dispose_mapping(virq);
		return ret;
	}
	d = irq_get_irq_data(virq);
	cpu = cpumask_first(irq_data_get_effective_affinity_mask(d));
	mk_vector = irqd_cfg(d)->vector;
	mk_irq_target_cpu = cpu;
	mk_target_apic = mk_apic_id(cpu);
	mk_virq = virq;
	pr_info("LWK doorbell: vector %#x on CPU %u (APIC id %u)\n", mk_vector, cpu, mk_target_apic);
	return 0;
}

void mk_irq_exit(void)
{
	if (mk_virq < 0)
		return;
	free_irq(mk_virq, &mk_inst);
	irq_dispose_mapping(mk_virq);
	mk_virq = -1;
}

unsigned int mk_irq_cpu(void)
{
	return mk_irq_target_cpu;
}

u32 mk_irq_vector(void)
{
	return mk_vector;
}

u32 mk_irq_apic_id(void)
{
	return mk_target_apic;
}
