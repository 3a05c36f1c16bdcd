// SPDX-License-Identifier: GPL-2.0
/*
 * The page tables the LWK's cores boot on (see <mk/boot.h>): the first
 * 2 MiB identity-mapped for the trampoline, the image at its link address,
 * and all LWK memory at MK_LWK_DIRECT_BASE + physical address, with 2 MiB
 * pages. The top table is below 4 GiB: the trampoline loads CR3 in 32-bit
 * mode. The LWK switches to its own tables right after it starts.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/io.h>

#include "mk.h"

static u64 *mk_pt_alloc(struct mk_boot_tables *t, gfp_t extra, phys_addr_t *phys)
{
	struct page *page = alloc_page(GFP_KERNEL | __GFP_ZERO | extra);

	if (!page)
		return NULL;
	list_add(&page->lru, &t->pages);
	*phys = page_to_phys(page);
	return page_address(page);
}

/* The next-level table behind entry, allocated if absent. */
static u64 *mk_pt_next(struct mk_boot_tables *t, u64 *entry)
{
	phys_addr_t phys;

	if (!(*entry & MK_PT_P)) {
		if (!mk_pt_alloc(t, 0, &phys))
			return NULL;
		*entry = phys | MK_PT_P | MK_PT_W;
	}
	return phys_to_virt(*entry & MK_PT_ADDR);
}

static int mk_pt_map_2m(struct mk_boot_tables *t, u64 va, u64 pa)
{
	u64 *pml4 = page_address(t->root), *pdpt, *pd;

	pdpt = mk_pt_next(t, &pml4[(va >> 39) & 511]);
	if (!pdpt)
		return -ENOMEM;
	pd = mk_pt_next(t, &pdpt[(va >> 30) & 511]);
	if (!pd)
		return -ENOMEM;
	pd[(va >> 21) & 511] = pa | MK_PT_P | MK_PT_W | MK_PT_PS;
	return 0;
}

int mk_boot_tables_build(struct mk_boot_tables *t, u64 image_virt, u64 image_phys,
			 u64 image_size)
{
	struct mk_chunk *c;
	phys_addr_t root;
	u64 off;
	int ret;

	INIT_LIST_HEAD(&t->pages);
	if (!mk_pt_alloc(t, __GFP_DMA32, &root))
		return -ENOMEM;
	t->root = pfn_to_page(PHYS_PFN(root));

	ret = mk_pt_map_2m(t, 0, 0);
	for (off = 0; !ret && off < image_size; off += SZ_2M)
		ret = mk_pt_map_2m(t, image_virt + off, image_phys + off);
	list_for_each_entry(c, &mk_part.chunks, link)
		for (off = 0; !ret && off < c->bytes; off += SZ_2M)
			ret = mk_pt_map_2m(t, MK_LWK_DIRECT_BASE + c->phys + off, c->phys + off);
	if (ret)
		mk_boot_tables_free(t);
	return ret;
}

void mk_boot_tables_free(struct mk_boot_tables *t)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, &t->pages, lru) {
		list_del(&page->lru);
		__free_page(page);
	}
	t->root = NULL;
}
