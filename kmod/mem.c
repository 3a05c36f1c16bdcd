// SPDX-License-Identifier: GPL-2.0
/*
 * Memory partitioning: mk reserves physically contiguous chunks (at least
 * MK_CHUNK_MIN, aligned to it) on chosen NUMA nodes, zeroes them and
 * records them in mk_part.chunks; release frees exactly those pages.
 *
 * Two ways to find contiguous memory (enum mk_mem_policy):
 *  - contig: try large aligned windows (1 GiB down to MK_CONTIG_MIN) with
 *    alloc_contig_range(), which migrates movable pages out of the way;
 *    what it cannot cover is taken from the buddy allocator;
 *  - buddy: the largest buddy blocks the allocator has (4 MiB on x86_64),
 *    merged when adjacent.
 * Either way every page ends up an order-0 page with refcount 1 (buddy
 * blocks are split), so any range of the partition is freed the same way.
 *
 * Linux must not be pushed into the OOM killer: on each node mk leaves the
 * free memory above the zones' high watermarks plus a margin untouched
 * (linux_keep_mb, default max(128 MiB, 3 % of the node)), allocates with
 * __GFP_NORETRY, and a request larger than that fails with ENOMEM.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/memory_hotplug.h>
#include <linux/nodemask.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>

#include "mk.h"

static unsigned int linux_keep_mb;
module_param(linux_keep_mb, uint, 0644);
MODULE_PARM_DESC(linux_keep_mb,
		 "MiB of free memory mk leaves to Linux on each node (0: max(128, 3% of the node))");

#define MK_CHUNK_PAGES (MK_CHUNK_MIN >> PAGE_SHIFT)
#define MK_CONTIG_MAX_PAGES ((1UL << 30) >> PAGE_SHIFT)
#define MK_CONTIG_MIN_PAGES ((16UL << 20) >> PAGE_SHIFT)
/* Windows alloc_contig_range() may try per size before halving it. */
#define MK_CONTIG_ATTEMPTS 32

#if defined(MAX_PAGE_ORDER)
#define MK_MAX_ORDER MAX_PAGE_ORDER
#else
#define MK_MAX_ORDER (MAX_ORDER - 1)
#endif

static const u64 mib = 1ULL << 20;

static u64 mk_node_keep_bytes(int nid)
{
	u64 present = (u64)NODE_DATA(nid)->node_present_pages << PAGE_SHIFT;

	if (linux_keep_mb)
		return (u64)linux_keep_mb * mib;
	return max_t(u64, 128 * mib, present * 3 / 100);
}

/* Bytes mk may take from a node now without squeezing Linux. */
static u64 mk_node_spare_bytes(int nid)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	unsigned long free = 0, wmark = 0, file;
	u64 avail, keep;
	int z;

	for (z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];

		/* ZONE_DMA is kept for the devices that need it. */
		if (!populated_zone(zone) || zone_idx(zone) == ZONE_DMA)
			continue;
		free += zone_page_state(zone, NR_FREE_PAGES);
		wmark += high_wmark_pages(zone);
	}
	/* Page cache can be reclaimed; count half of it, as MemAvailable does. */
	file = atomic_long_read(&pgdat->vm_stat[NR_ACTIVE_FILE]) +
	       atomic_long_read(&pgdat->vm_stat[NR_INACTIVE_FILE]);
	avail = (u64)(free > wmark ? free - wmark : 0) + file / 2;
	avail <<= PAGE_SHIFT;
	keep = mk_node_keep_bytes(nid);
	if (avail <= keep)
		return 0;
	return round_down(avail - keep, MK_CHUNK_MIN);
}

static bool mk_node_has_memory(int nid)
{
	return nid >= 0 && nid < MK_MAX_NODES && nid < nr_node_ids &&
	       node_online(nid) && node_state(nid, N_MEMORY);
}

/* --- chunks ------------------------------------------------------------- */

static void mk_free_range(unsigned long pfn, unsigned long nr)
{
	while (nr) {
		unsigned long n = min(nr, MK_CHUNK_PAGES);

		free_contig_range(pfn, n);
		pfn += n;
		nr -= n;
		cond_resched();
	}
}

static void mk_free_chunks(struct list_head *list)
{
	struct mk_chunk *c, *tmp;

	list_for_each_entry_safe(c, tmp, list, link) {
		mk_free_range(PHYS_PFN(c->phys), c->bytes >> PAGE_SHIFT);
		list_del(&c->link);
		kfree(c);
	}
}

/* Zeroes the pages; -EINTR if the caller is being killed. */
static int mk_zero_range(unsigned long pfn, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		clear_page(page_address(pfn_to_page(pfn + i)));
		if ((i + 1) % MK_CHUNK_PAGES == 0) {
			atomic64_add(MK_CHUNK_MIN, &mk_part.progress_done);
			cond_resched();
			if (fatal_signal_pending(current))
				return -EINTR;
		}
	}
	return 0;
}

/*
 * Records the pages [pfn, pfn + nr) the caller now owns as a chunk on list,
 * zeroed. On failure the pages are freed.
 */
static int mk_add_chunk(struct list_head *list, unsigned long pfn, unsigned long nr, int nid)
{
	struct mk_chunk *c;
	int ret;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		mk_free_range(pfn, nr);
		return -ENOMEM;
	}
	c->phys = PFN_PHYS(pfn);
	c->bytes = (u64)nr << PAGE_SHIFT;
	c->node = nid;
	list_add_tail(&c->link, list);
	ret = mk_zero_range(pfn, nr);
	return ret;
}

/* --- finding contiguous memory ----------------------------------------- */

/* The window holds only online, unreserved pages of one zone. */
static bool mk_window_usable(struct zone *zone, unsigned long pfn, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_online_page(pfn + i);

		if (!page || page_zone(page) != zone || PageReserved(page))
			return false;
	}
	return true;
}

/* An aligned window of nr pages on the node, taken; 0 if none was found. */
static unsigned long mk_contig_find(int nid, unsigned long nr)
{
	pg_data_t *pgdat = NODE_DATA(nid);
	int z, attempts = 0;

	for (z = MAX_NR_ZONES - 1; z >= 0; z--) {
		struct zone *zone = &pgdat->node_zones[z];
		unsigned long first, pfn;

		if (!populated_zone(zone) || zone_idx(zone) == ZONE_DMA)
			continue;
		first = ALIGN(zone->zone_start_pfn, nr);
		if (zone_end_pfn(zone) < first + nr)
			continue;
		/* From the top of the zone down: low memory is scarcer. */
		pfn = ALIGN_DOWN(zone_end_pfn(zone) - nr, nr);
		while (pfn >= first) {
			if (mk_window_usable(zone, pfn, nr)) {
				if (!alloc_contig_range(pfn, pfn + nr, MIGRATE_MOVABLE,
							GFP_KERNEL | __GFP_NOWARN))
					return pfn;
				if (++attempts >= MK_CONTIG_ATTEMPTS ||
				    fatal_signal_pending(current))
					return 0;
				cond_resched();
			}
			if (pfn < first + nr)
				break;
			pfn -= nr;
		}
	}
	return 0;
}

/* Takes up to *left pages in large aligned windows; lowers *left. */
static int mk_alloc_contig(int nid, unsigned long *left, struct list_head *list)
{
	unsigned long size = MK_CONTIG_MAX_PAGES;
	int ret;

	while (*left >= MK_CONTIG_MIN_PAGES && size >= MK_CONTIG_MIN_PAGES) {
		unsigned long pfn;

		if (size > *left) {
			size = rounddown_pow_of_two(*left);
			continue;
		}
		pfn = mk_contig_find(nid, size);
		if (fatal_signal_pending(current))
			return -EINTR;
		if (!pfn) {
			size >>= 1;
			continue;
		}
		ret = mk_add_chunk(list, pfn, size, nid);
		if (ret)
			return ret;
		*left -= size;
	}
	return 0;
}

/* Takes up to *left pages in the largest buddy blocks; lowers *left. */
static int mk_alloc_buddy(int nid, unsigned long *left, struct list_head *list)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_THISNODE | __GFP_NOWARN | __GFP_NORETRY |
			  __GFP_NOMEMALLOC;
	unsigned int order = MK_MAX_ORDER;
	const unsigned int min_order = ilog2(MK_CHUNK_PAGES);
	int ret;

	while (*left >= MK_CHUNK_PAGES) {
		unsigned int o = min_t(unsigned int, order, ilog2(*left));
		struct page *page;

		page = alloc_pages_node(nid, gfp, o);
		if (!page) {
			if (order == min_order)
				break;
			order--;
			continue;
		}
		split_page(page, o);
		ret = mk_add_chunk(list, page_to_pfn(page), 1UL << o, nid);
		if (ret)
			return ret;
		*left -= 1UL << o;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/* --- the partition's chunk list ------------------------------------------ */

/* Moves the chunks on list into the partition, sorted, merging neighbours. */
static void mk_chunks_adopt(struct list_head *list)
{
	struct mk_chunk *c, *tmp, *pos, *next;

	list_for_each_entry_safe(c, tmp, list, link) {
		list_del(&c->link);
		mk_part.mem_bytes += c->bytes;
		mk_part.node_bytes[c->node] += c->bytes;
		list_for_each_entry(pos, &mk_part.chunks, link)
			if (pos->phys > c->phys)
				break;
		list_add_tail(&c->link, &pos->link);
	}
	/* Merge physically adjacent chunks of the same node. */
	list_for_each_entry(pos, &mk_part.chunks, link) {
		while (!list_is_last(&pos->link, &mk_part.chunks)) {
			next = list_next_entry(pos, link);
			if (next->node != pos->node || pos->phys + pos->bytes != next->phys)
				break;
			pos->bytes += next->bytes;
			list_del(&next->link);
			kfree(next);
		}
	}
	mk_part.nr_chunks = 0;
	list_for_each_entry(pos, &mk_part.chunks, link)
		mk_part.nr_chunks++;
}

/* --- requests ------------------------------------------------------------ */

/* 4 PiB: more than any node has; sums of MK_MAX_NODES of them cannot wrap. */
#define MK_MEM_ABSURD (1ULL << 52)

struct mk_mem_plan {
	u64 bytes[MK_MAX_NODES];
	bool all[MK_MAX_NODES];
};

static int mk_plan_add(struct mk_mem_request *req, struct mk_mem_plan *plan, int nid,
		       u64 bytes)
{
	if (!mk_node_has_memory(nid)) {
		req->failed_node = nid;
		mk_refuse(req->msg, "NUMA node %d does not exist or has no memory (nodes with memory: %*pbl)",
			  nid, nodemask_pr_args(&node_states[N_MEMORY]));
		return -EINVAL;
	}
	if (plan->all[nid] || (bytes == MK_MEM_ALL && plan->bytes[nid])) {
		req->failed_node = nid;
		mk_refuse(req->msg, "NUMA node %d is named twice, once with 'all'", nid);
		return -EINVAL;
	}
	/* Bounded before any sum or rounding, which could wrap near 2^64. */
	if (bytes != MK_MEM_ALL && bytes > MK_MEM_ABSURD) {
		req->failed_node = nid;
		mk_refuse(req->msg, "%llu MiB asked on node %d: more than any machine has", bytes >> 20, nid);
		return -ENOMEM;
	}
	if (bytes == MK_MEM_ALL)
		plan->all[nid] = true;
	else
		plan->bytes[nid] += round_up(bytes, MK_CHUNK_MIN);
	return 0;
}

/* Spreads bytes evenly over the nodes in mask. */
static int mk_plan_spread(struct mk_mem_request *req, struct mk_mem_plan *plan,
			  const nodemask_t *mask, u64 bytes)
{
	int nid, n = nodes_weight(*mask), ret;
	u64 share;

	if (bytes == MK_MEM_ALL)
		share = MK_MEM_ALL;
	else if (bytes > MK_MEM_ABSURD)
		share = bytes; /* refused by mk_plan_add, before it is rounded */
	else
		share = round_up(div_u64(bytes, n), MK_CHUNK_MIN);
	for_each_node_mask(nid, *mask) {
		ret = mk_plan_add(req, plan, nid, share);
		if (ret)
			return ret;
	}
	return 0;
}

static int mk_make_plan(struct mk_mem_request *req, struct mk_mem_plan *plan)
{
	nodemask_t mask;
	unsigned int i, cpu;
	int ret, nid;

	if (req->nr == 0 || req->nr > MK_MAX_NODES) {
		mk_refuse(req->msg, "a memory request names 1 to %d nodes, not %u", MK_MAX_NODES,
			  req->nr);
		return -EINVAL;
	}
	if (req->policy != MK_MEM_CONTIG && req->policy != MK_MEM_BUDDY) {
		mk_refuse(req->msg, "unknown memory policy %u", req->policy);
		return -EINVAL;
	}
	for (i = 0; i < req->nr; i++) {
		struct mk_mem_want *w = &req->want[i];

		if (w->bytes == 0) {
			mk_refuse(req->msg, "a memory size of 0 reserves nothing: give a size such as 256M");
			return -EINVAL;
		}
		if (w->node >= 0) {
			ret = mk_plan_add(req, plan, w->node, w->bytes);
		} else if (w->node == MK_NODE_ANY) {
			ret = mk_plan_spread(req, plan, &node_states[N_MEMORY], w->bytes);
		} else if (w->node == MK_NODE_AUTO) {
			nodes_clear(mask);
			for_each_cpu(cpu, &mk_part.cpus)
				if (node_state(cpu_to_node(cpu), N_MEMORY))
					node_set(cpu_to_node(cpu), mask);
			if (nodes_empty(mask)) {
				mk_refuse(req->msg,
					  "memory @auto goes to the NUMA nodes of mk's CPUs, but mk holds no CPUs: reserve CPUs first (--cpus)");
				return -EINVAL;
			}
			ret = mk_plan_spread(req, plan, &mask, w->bytes);
		} else {
			mk_refuse(req->msg, "invalid NUMA node %d", w->node);
			ret = -EINVAL;
		}
		if (ret)
			return ret;
	}

	for (nid = 0; nid < MK_MAX_NODES; nid++) {
		u64 spare;

		if (!plan->all[nid] && !plan->bytes[nid])
			continue;
		spare = mk_node_spare_bytes(nid);
		if (plan->all[nid])
			plan->bytes[nid] = spare;
		if (plan->bytes[nid] > spare || spare == 0) {
			req->failed_node = nid;
			mk_refuse(req->msg,
				  "NUMA node %d can spare %llu MiB now, not %llu MiB (Linux keeps %llu MiB there; see linux_keep_mb)",
				  nid, spare / mib, plan->bytes[nid] / mib,
				  mk_node_keep_bytes(nid) / mib);
			return -ENOMEM;
		}
	}
	return 0;
}

int mk_cmd_reserve_mem(struct mk_mem_request *req)
{
	struct mk_mem_plan *plan;
	LIST_HEAD(chunks);
	u64 total = 0;
	int nid, ret;

	lockdep_assert_held(&mk_part.lock);
	req->failed_node = -1;
	req->reserved_bytes = 0;
	plan = kzalloc(sizeof(*plan), GFP_KERNEL);
	if (!plan)
		return -ENOMEM;
	ret = mk_make_plan(req, plan);
	if (ret)
		goto out;

	for (nid = 0; nid < MK_MAX_NODES; nid++)
		total += plan->bytes[nid];
	atomic64_set(&mk_part.progress_done, 0);
	atomic64_set(&mk_part.progress_total, total);

	for (nid = 0; nid < MK_MAX_NODES; nid++) {
		unsigned long left = plan->bytes[nid] >> PAGE_SHIFT;

		if (!left)
			continue;
		if (req->policy == MK_MEM_CONTIG)
			ret = mk_alloc_contig(nid, &left, &chunks);
		if (!ret)
			ret = mk_alloc_buddy(nid, &left, &chunks);
		if (ret == -EINTR) {
			mk_refuse(req->msg, "interrupted: nothing was reserved");
			goto undo;
		}
		if (ret || left) {
			req->failed_node = nid;
			mk_refuse(req->msg,
				  "found only %llu of %llu MiB on NUMA node %d in contiguous chunks of at least %llu MiB; nothing was reserved",
				  (plan->bytes[nid] - ((u64)left << PAGE_SHIFT)) / mib,
				  plan->bytes[nid] / mib, nid, MK_CHUNK_MIN / mib);
			ret = -ENOMEM;
			goto undo;
		}
	}
	req->reserved_bytes = total;
	mk_chunks_adopt(&chunks);
	pr_info("reserved %llu MiB of memory; mk holds %llu MiB in %u chunk%s\n", total / mib,
		mk_part.mem_bytes / mib, mk_part.nr_chunks, mk_part.nr_chunks == 1 ? "" : "s");
	goto out_progress;

undo:
	mk_free_chunks(&chunks);
out_progress:
	atomic64_set(&mk_part.progress_done, 0);
	atomic64_set(&mk_part.progress_total, 0);
out:
	kfree(plan);
	return ret;
}

void mk_mem_release_all(void)
{
	u64 bytes = mk_part.mem_bytes;

	/* The last LWK's log and parameters lived in this memory. */
	WRITE_ONCE(mk_inst.bp, NULL);

	mk_free_chunks(&mk_part.chunks);
	mk_part.nr_chunks = 0;
	mk_part.mem_bytes = 0;
	mk_part.mem_used = false;
	memset(mk_part.node_bytes, 0, sizeof(mk_part.node_bytes));
	if (bytes)
		pr_info("released %llu MiB of memory\n", bytes / mib);
}

int mk_cmd_release_mem(struct mk_simple_request *req)
{
	lockdep_assert_held(&mk_part.lock);
	if (req->flags) {
		mk_refuse(req->msg, "unknown flags 0x%x", req->flags);
		return -EINVAL;
	}
	if (mk_lwk_active()) {
		mk_refuse(req->msg, "the LWK is %s in mk's memory: mkctl shutdown first",
			  mk_state_name(mk_state()));
		return -EBUSY;
	}
	mk_mem_release_all();
	return 0;
}
