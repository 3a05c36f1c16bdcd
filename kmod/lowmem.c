// SPDX-License-Identifier: GPL-2.0
/*
 * The page below 1 MiB the LWK's trampoline runs from (a SIPI can only
 * start a core there). Linux >= 5.13 reserves all of the first MiB, so mk
 * borrows Linux's own SIPI trampoline page, found through
 * real_mode_header: it backs the page up, holds CPU hotplug off while the
 * LWK's cores start (nothing else uses the page then), and restores it.
 * The module parameter trampoline_phys names another free page instead.
 */
#include <linux/cpu.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/realmode.h>

#include "mk.h"

static unsigned long trampoline_phys;
module_param(trampoline_phys, ulong, 0444);
MODULE_PARM_DESC(trampoline_phys,
		 "physical address of a free 4 KiB page below 1 MiB for the LWK trampoline (default: Linux's SIPI trampoline page)");

static phys_addr_t mk_tramp_phys;
static void *mk_tramp_map;
static u8 *mk_tramp_backup;

/* kallsyms_lookup_name() is not exported; a kprobe on it reveals it. */
static unsigned long mk_lookup(const char *name)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned long (*lookup)(const char *name);

	if (register_kprobe(&kp) < 0)
		return 0;
	lookup = (void *)kp.addr;
	unregister_kprobe(&kp);
	return lookup ? lookup(name) : 0;
}

int mk_lowmem_init(void)
{
	struct real_mode_header **rmh;

	if (trampoline_phys) {
		mk_tramp_phys = trampoline_phys;
	} else {
		rmh = (struct real_mode_header **)mk_lookup("real_mode_header");
		if (!rmh || !*rmh) {
			pr_err("cannot find Linux's SIPI trampoline; load mk with trampoline_phys=<a free page below 1 MiB>\n");
			return -ENOENT;
		}
		mk_tramp_phys = (*rmh)->trampoline_start;
	}
	if (mk_tramp_phys >= SZ_1M || mk_tramp_phys & ~PAGE_MASK || !mk_tramp_phys) {
		pr_err("trampoline page %pa is not a 4 KiB page below 1 MiB\n", &mk_tramp_phys);
		return -EINVAL;
	}
	mk_tramp_backup = kmalloc(PAGE_SIZE, GFP_KERNEL);
	return mk_tramp_backup ? 0 : -ENOMEM;
}

/*
 * Holds CPU hotplug off and returns a writable mapping of the page, its old
 * contents saved. Paired with mk_lowmem_release().
 */
void *mk_lowmem_acquire(phys_addr_t *phys)
{
	struct page *page = pfn_to_page(PHYS_PFN(mk_tramp_phys));

	/* The direct map of the real-mode blob is read-only: map it again. */
	mk_tramp_map = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	if (!mk_tramp_map)
		return NULL;
	cpu_hotplug_disable();
	memcpy(mk_tramp_backup, mk_tramp_map, PAGE_SIZE);
	*phys = mk_tramp_phys;
	return mk_tramp_map;
}

void mk_lowmem_exit(void)
{
	kfree(mk_tramp_backup);
	mk_tramp_backup = NULL;
}

void mk_lowmem_release(void)
{
	memcpy(mk_tramp_map, mk_tramp_backup, PAGE_SIZE);
	cpu_hotplug_enable();
	vunmap(mk_tramp_map);
	mk_tramp_map = NULL;
}
