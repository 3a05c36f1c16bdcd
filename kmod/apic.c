// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts to the LWK's cores through Linux's local APIC driver: INIT and
 * STARTUP to start and stop them, fixed IPIs for the doorbell. Always by
 * physical APIC id: the LWK's cores are not in Linux's logical map.
 */
#include <linux/delay.h>
#include <asm/apic.h>
#include <asm/processor.h>
#include <asm/smp.h>

#include "mk.h"

u32 mk_apic_id(unsigned int cpu)
{
	return per_cpu(x86_cpu_to_apicid, cpu);
}

static void mk_icr(u32 low, u32 apic_id)
{
	unsigned long flags;

	local_irq_save(flags);
	apic->wait_icr_idle();
	apic->icr_write(low, apic_id);
	apic->safe_wait_icr_idle();
	local_irq_restore(flags);
}

/*
 * Modern processors need no wait after INIT (as Linux's
 * smp_quirk_init_udelay decides); older ones get the 10 ms of the MP spec.
 */
static unsigned int mk_init_udelay(void)
{
	struct cpuinfo_x86 *c = &boot_cpu_data;

	if ((c->x86_vendor == X86_VENDOR_INTEL && c->x86 >= 6) ||
	    (c->x86_vendor == X86_VENDOR_AMD && c->x86 >= 0xf) ||
	    c->x86_vendor == X86_VENDOR_HYGON || c->x86_vendor == X86_VENDOR_ZHAOXIN)
		return 0;
	return 10000;
}

/* INIT puts the core in wait-for-SIPI: how the LWK's cores are stopped. */
void mk_apic_send_init(u32 apic_id)
{
	mk_icr(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT, apic_id);
	if (mk_init_udelay())
		udelay(mk_init_udelay());
	mk_icr(APIC_INT_LEVELTRIG | APIC_DM_INIT, apic_id);
}

void mk_apic_send_sipi(u32 apic_id, phys_addr_t start)
{
	unsigned int settle = mk_init_udelay() ? 300 : 10;
	int i;

	/* Two STARTUPs, as the MP specification and Linux do. */
	for (i = 0; i < 2; i++) {
		mk_icr(APIC_DM_STARTUP | (start >> PAGE_SHIFT), apic_id);
		udelay(settle);
	}
}

void mk_apic_send_ipi(u32 apic_id, u8 vector)
{
	mk_icr(APIC_DEST_PHYSICAL | APIC_DM_FIXED | vector, apic_id);
}

/* An NMI reaches a core whatever it does, interrupts off included. */
void mk_apic_send_nmi(u32 apic_id)
{
	mk_icr(APIC_DEST_PHYSICAL | APIC_DM_NMI, apic_id);
}
