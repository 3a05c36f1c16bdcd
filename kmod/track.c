// SPDX-License-Identifier: GPL-2.0
/*
 * Tracked mappings: a writable MAP_SHARED mapping of a file on a file
 * system that tracks dirty pages (ext4, xfs, NFS). Linux refuses long-term
 * writable pins of such pages (6.5 and later; before, they broke
 * writeback), so mk.ko does what KVM and HMM do: it watches mkexec's own
 * mapping of the file with an MMU interval notifier, and the LWK and the
 * window map a page only while mkexec's mapping does.
 *
 * - The LWK fills the region's leaves with markers (<mk/proc.h>: the pin
 *   and the page's index, the rights). A first touch faults on the LWK,
 *   which asks mkexec (MK_SYS_REFAULT), which asks mk.ko
 *   (MK_PROC_IOC_REFAULT): mk.ko faults the page into mkexec's mapping
 *   (for writing if the touch was a write: the file system then knows the
 *   page dirty) and puts it into the LWK's leaf in place of the marker.
 * - Before Linux writes the page back (it write-protects mkexec's entry),
 *   truncates or reclaims it, the notifier puts the marker back, has the
 *   LWK flush its TLBs (MK_MSG_FLUSH) and drops the window's view of the
 *   page; the next touch faults again.
 * - The window (mkexec's view, for forwarded calls) maps what mkexec's own
 *   mapping of the file holds at that page, never what the LWK's leaf says.
 *
 * p->sink_lock orders it all: leaves of tracked pages change under it
 * (here), the notifier takes it, and a page is put in only if no
 * invalidation began since it was looked up (mmu_interval_read_retry).
 * Lock order: mkexec's mmap lock, then sink_lock; nothing here takes the
 * mmap lock or pins->lock under sink_lock, nor allocates memory that could
 * reclaim (and so call the notifier) under it.
 *
 * The LWK's flush is acknowledged out of band (its core writes the flush's
 * sequence into its struct mk_boot_cpu), so no queue of messages to Linux
 * stands between the notifier and its answer. An LWK that does not flush
 * in time is stopped (its cores get INIT) before the notifier returns: a
 * page Linux frees must not stay in any LWK TLB.
 *
 * Dropping the window's view from the notifier (unmap_mapping_range) runs
 * the MMU notifiers of mkexec's window range inside this one; no tracked
 * range overlaps the window (mk_pin_cmd), so none of ours is called again,
 * but a kernel with lock debugging reports the nested notifier map.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "process.h"


struct mk_track {
	struct list_head link;            /* in pins->tracked, under p->sink_lock */
	struct mmu_interval_notifier mni;
	struct kref ref;
	struct mk_proc *p;
	u32 id;
	bool writable;
	bool dead;                        /* released: nothing is put in any more */
	struct mm_struct *mm;             /* mkexec's, where [addr, addr + len) is its mapping */
	u64 addr, len;
	unsigned long nr_pages;
	u64 lwk_va;                       /* where the LWK maps page 0; 0 until a page is put in */
};

/* FLUSH requests to each core: numbered and sent in one order (mk_flush_lock). */
static DEFINE_MUTEX(mk_flush_lock);
static u32 mk_flush_seq[MK_MAX_LWK_CPUS];

static void mk_track_free(struct kref *ref)
{
	kfree(container_of(ref, struct mk_track, ref));
}

static inline struct mk_proc *mk_pins_proc(struct mk_pins *pins)
{
	return container_of(pins, struct mk_proc, pins);
}

static u64 mk_track_marker(u32 id, unsigned long index, u64 rights)
{
	return MK_TRACK_MARKER | ((u64)id << MK_TRACK_ID_SHIFT) | ((u64)index << MK_TRACK_INDEX_SHIFT) |
	       (rights & (MK_PT_W | MK_PT_U | MK_PT_NX));
}

/* Under sink_lock: whether p's tables are still LWK memory mk.ko may write. */
static bool mk_track_tables_live(struct mk_proc *p)
{
	return READ_ONCE(p->state) == MK_PROC_RUNNING && READ_ONCE(p->page_table) && mk_lwk_active();
}

/* The 4 KiB leaf slot of va in p's tables, or NULL (a level absent or large, or not LWK memory). */
static u64 *mk_track_slot(struct mk_proc *p, u64 va)
{
	phys_addr_t table = READ_ONCE(p->page_table);
	int level;

	for (level = 4; level > 1; level--) {
		u64 e;

		if (!mk_phys_in_lwk(table, PAGE_SIZE))
			return NULL;
		e = READ_ONCE(((u64 *)phys_to_virt(table))[(va >> (12 + 9 * (level - 1))) & 511]);
		if (!(e & MK_PT_P) || (e & MK_PT_PS))
			return NULL;
		table = e & MK_PT_ADDR;
	}
	if (!mk_phys_in_lwk(table, PAGE_SIZE))
		return NULL;
	return &((u64 *)phys_to_virt(table))[(va >> 12) & 511];
}

static struct mk_track *mk_track_by_id(struct mk_proc *p, u32 id)
{
	struct mk_track *t;

	list_for_each_entry(t, &p->pins.tracked, link)
		if (t->id == id)
			return t;
	return NULL;
}

static struct mk_track *mk_track_by_va(struct mk_proc *p, u64 va)
{
	struct mk_track *t;

	list_for_each_entry(t, &p->pins.tracked, link)
		if (t->lwk_va && va >= t->lwk_va && va - t->lwk_va < t->len)
			return t;
	return NULL;
}

/* Whether the pin's page 0 may be at base (the whole pin in the window, one place). */
static bool mk_track_base_ok(struct mk_track *t, u64 base)
{
	if (base < MK_USER_WINDOW_START || base > MK_USER_WINDOW_END || MK_USER_WINDOW_END - base < t->len)
		return false;
	return !t->lwk_va || t->lwk_va == base;
}

/*
 * Under sink_lock: the tracked page the LWK's leaf at va names, with a
 * reference; *index, *rights (MK_PT_W: the program may write it; MK_PT_NX),
 * *slot and *entry: the leaf. NULL if va holds no page of a tracked mapping.
 */
static struct mk_track *mk_track_lookup(struct mk_proc *p, u64 va, unsigned long *index, u64 *rights,
					u64 **slot, u64 *entry)
{
	struct mk_track *t;
	u64 e, *ep;

	if (!mk_track_tables_live(p))
		return NULL;
	ep = mk_track_slot(p, va);
	if (!ep)
		return NULL;
	e = READ_ONCE(*ep);
	if (e & MK_PT_P) {
		if (!(e & MK_PTE_TRACKED) || !(e & MK_PT_U))
			return NULL;
		t = mk_track_by_va(p, va);
		if (!t)
			return NULL;
		*index = (va - t->lwk_va) >> PAGE_SHIFT;
		*rights = ((e & MK_PTE_TRACK_W) ? MK_PT_W : 0) | (e & MK_PT_NX) | MK_PT_U;
	} else {
		u64 base;

		if (!(e & MK_TRACK_MARKER) || !(e & MK_PT_U))
			return NULL;
		t = mk_track_by_id(p, (e >> MK_TRACK_ID_SHIFT) & MK_TRACK_ID_MASK);
		*index = (e >> MK_TRACK_INDEX_SHIFT) & MK_TRACK_INDEX_MASK;
		if (!t || *index >= t->nr_pages)
			return NULL;
		/* One place for each pin: the LWK cannot name a page at two addresses. */
		base = va - (*index << PAGE_SHIFT);
		if (!mk_track_base_ok(t, base))
			return NULL;
		*rights = e & (MK_PT_W | MK_PT_NX | MK_PT_U);
	}
	*slot = ep;
	*entry = e;
	kref_get(&t->ref);
	return t;
}

/*
 * Asks the LWK to flush its TLBs of [start, start + len) for p, and waits
 * until its core says it has; an LWK that cannot is stopped.
 */
static void mk_track_flush(struct mk_proc *p, u64 start, u64 len)
{
	struct mk_boot_params *bp = READ_ONCE(mk_inst.bp);
	unsigned long deadline = jiffies + msecs_to_jiffies(MK_ANSWER_MS);
	struct mk_msg_flush m = {};
	u32 core = p->core, seq;
	int ret;

	if (!bp || core >= MK_MAX_LWK_CPUS || !mk_lwk_active())
		return;
	mutex_lock(&mk_flush_lock);
	seq = ++mk_flush_seq[core];
	m.hdr = (struct mk_msg_hdr){ MK_MSG_FLUSH, 0, p->pid, 0, seq };
	m.start = start;
	m.len = len;
	ret = mk_chan_send(core, &m, sizeof(m));
	mutex_unlock(&mk_flush_lock);
	while (!ret && (s32)(READ_ONCE(bp->cpus[core].flush_done) - seq) < 0) {
		if (!mk_lwk_active())
			return;
		if (time_after(jiffies, deadline)) {
			ret = -ETIMEDOUT;
			break;
		}
		usleep_range(20, 100);
	}
	if (ret)
		mk_lwk_halt("it did not drop pages of a file mapping Linux is changing");
}

/*
 * Under sink_lock: the LWK's leaves of pages [first, end) of t become
 * markers again (flushed from its TLBs), and the window drops its view.
 */
static void mk_track_take_out(struct mk_proc *p, struct mk_track *t, unsigned long first, unsigned long end)
{
	bool cleared = false;
	unsigned long i;

	if (!t->lwk_va)
		return; /* nothing was ever put in, anywhere */
	for (i = first; i < end && mk_track_tables_live(p); i++) {
		u64 va = t->lwk_va + (i << PAGE_SHIFT), *ep = mk_track_slot(p, va), e;

		if (!ep)
			continue;
		/* Until it is no page of ours any more (the CPU may set A and D meanwhile). */
		for (e = READ_ONCE(*ep); (e & (MK_PT_P | MK_PTE_TRACKED)) == (MK_PT_P | MK_PTE_TRACKED);
		     e = READ_ONCE(*ep)) {
			u64 m = mk_track_marker(t->id, i, ((e & MK_PTE_TRACK_W) ? MK_PT_W : 0) |
							  (e & (MK_PT_NX | MK_PT_U)));

			if (cmpxchg64(ep, e, m) == e) {
				cleared = true;
				break;
			}
		}
	}
	if (cleared)
		mk_track_flush(p, t->lwk_va + (first << PAGE_SHIFT), (end - first) << PAGE_SHIFT);
	mk_proc_unmap_window(p, t->lwk_va + (first << PAGE_SHIFT), (end - first) << PAGE_SHIFT);
}

/*
 * Linux is about to change pages of mkexec's mapping (write them back,
 * truncate, reclaim, unmap): the LWK's leaves of them become markers again
 * and the window drops them, before this returns.
 */
static bool mk_track_invalidate(struct mmu_interval_notifier *mni, const struct mmu_notifier_range *range,
				unsigned long cur_seq)
{
	struct mk_track *t = container_of(mni, struct mk_track, mni);
	struct mk_proc *p = t->p;
	unsigned long first, end;
	u64 start = max_t(u64, range->start, t->addr), stop = min_t(u64, range->end, t->addr + t->len);

	if (!mmu_notifier_range_blockable(range))
		return false;
	if (stop <= start)
		return true;
	first = (start - t->addr) >> PAGE_SHIFT;
	end = (stop - t->addr + PAGE_SIZE - 1) >> PAGE_SHIFT;
	mutex_lock(&p->sink_lock);
	mmu_interval_set_seq(mni, cur_seq);
	mk_track_take_out(p, t, first, end);
	mutex_unlock(&p->sink_lock);
	return true;
}

static const struct mmu_interval_notifier_ops mk_track_ops = {
	.invalidate = mk_track_invalidate,
};

/* MK_PROC_IOC_PIN with MK_PIN_TRACK (req checked by mk_pin_cmd). */
long mk_track_cmd(struct mk_pins *pins, struct mk_proc_pin *req, unsigned long n)
{
	struct mk_proc *p = mk_pins_proc(pins);
	struct mk_track *t;
	u32 flags;
	int ret;

	if (n - 1 > MK_TRACK_INDEX_MASK)
		return -E2BIG;
	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	kref_init(&t->ref);
	t->p = p;
	t->writable = req->flags & MK_PIN_WRITE;
	t->mm = current->mm;
	t->addr = req->addr;
	t->len = req->len;
	t->nr_pages = n;
	ret = mmu_interval_notifier_insert(&t->mni, current->mm, req->addr, req->len, &mk_track_ops);
	if (ret) {
		kfree(t);
		return ret;
	}
	mutex_lock(&pins->lock);
	t->id = pins->next_id++;
	if (pins->next_id >= (1U << 31)) /* ids stay below 2^31 (<mk/proc.h>) */
		pins->next_id = 1;
	flags = MK_PIN_SINK_TRACKED | (t->writable ? MK_PIN_SINK_WRITABLE : 0);
	ret = mk_proc_fill_sink(p, req->pfns, t->id, flags, NULL, n);
	if (!ret) {
		mutex_lock(&p->sink_lock);
		list_add(&t->link, &pins->tracked);
		mutex_unlock(&p->sink_lock);
		req->id = t->id;
	}
	mutex_unlock(&pins->lock);
	if (ret) {
		mmu_interval_notifier_remove(&t->mni);
		kfree(t);
	}
	return ret;
}

/* Puts page into the LWK's leaf at *ep (was e), with rights. Under sink_lock. */
static bool mk_track_put_in(u64 *ep, u64 e, u64 rights, struct page *page, bool write)
{
	u64 now = ((u64)page_to_pfn(page) << PAGE_SHIFT) | MK_PT_P | MK_PT_U | MK_PT_A | MK_PTE_TRACKED |
		  MK_PTE_FOREIGN | (rights & MK_PT_NX) | ((rights & MK_PT_W) ? MK_PTE_TRACK_W : 0) |
		  (write ? MK_PT_W | MK_PTE_DIRTY : 0);

	return cmpxchg64(ep, e, now) == e;
}

/*
 * Under sink_lock, no invalidation begun since the read fault at index was
 * checked: the pages around it that mkexec's mapping holds now (Linux's own
 * fault-around put the page cache's there) go into the LWK's markers too,
 * read-only, so that reading through a file costs a round trip per 16
 * pages, not per page. No I/O, nothing dirtied.
 */
#define MK_TRACK_AROUND 16
static void mk_track_around(struct mk_proc *p, struct mk_track *t, unsigned long index)
{
	unsigned long first = index & ~(MK_TRACK_AROUND - 1UL), k;

	for (k = first; k < first + MK_TRACK_AROUND && k < t->nr_pages; k++) {
		u64 want = mk_track_marker(t->id, k, 0), e, *ep;
		struct page *page;

		if (k == index)
			continue;
		ep = mk_track_slot(p, t->lwk_va + (k << PAGE_SHIFT));
		if (!ep)
			continue;
		e = READ_ONCE(*ep);
		if ((e & ~(MK_PT_W | MK_PT_U | MK_PT_NX)) != want || !(e & MK_PT_U))
			continue; /* there already, or no page of this pin's */
		if (get_user_pages_fast_only(t->addr + (k << PAGE_SHIFT), 1, 0, &page) != 1)
			continue; /* not in mkexec's mapping now */
		mk_track_put_in(ep, e, e & (MK_PT_W | MK_PT_U | MK_PT_NX), page, false);
		put_page(page);
	}
}

/* MK_PROC_IOC_REFAULT: the LWK touched a tracked page that is not there (or read-only). */
long mk_track_refault_cmd(struct mk_proc *p, struct mk_proc_refault __user *uarg)
{
	struct mk_proc_refault req;
	int tries;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || (req.flags & ~MK_REFAULT_WRITE) || req.addr < MK_USER_WINDOW_START ||
	    req.addr >= MK_USER_WINDOW_END)
		return -EINVAL;
	req.addr &= PAGE_MASK;
	for (tries = 0; tries < 1000; tries++) {
		bool write = req.flags & MK_REFAULT_WRITE;
		unsigned long index, seq;
		struct mk_track *t;
		struct page *page;
		u64 rights, e, *ep;
		long got;
		int ret = 0;

		mutex_lock(&p->sink_lock);
		t = mk_track_lookup(p, req.addr, &index, &rights, &ep, &e);
		mutex_unlock(&p->sink_lock);
		if (!t)
			return -EINVAL;
		if (write && (!(rights & MK_PT_W) || !t->writable)) {
			kref_put(&t->ref, mk_track_free);
			return -EACCES;
		}
		if ((e & MK_PT_P) && (!write || (e & MK_PT_W))) {
			kref_put(&t->ref, mk_track_free);
			return 0; /* another thread's fault put it in */
		}
		seq = mmu_interval_read_begin(&t->mni);
		/* Short-term: the notifier, not the pin, keeps it from here. */
		got = current->mm == t->mm ?
			pin_user_pages_fast(t->addr + (index << PAGE_SHIFT), 1, write ? FOLL_WRITE : 0, &page) :
			-EFAULT;
		if (got != 1) {
			kref_put(&t->ref, mk_track_free);
			return -EFAULT; /* past the end of the file (SIGBUS), or no memory */
		}
		mutex_lock(&p->sink_lock);
		if (t->dead || mmu_interval_read_retry(&t->mni, seq) || !mk_track_tables_live(p) ||
		    mk_track_slot(p, req.addr) != ep) {
			ret = -EAGAIN;
		} else if (!mk_track_base_ok(t, req.addr - (index << PAGE_SHIFT))) {
			ret = -EINVAL; /* the same pin at another place */
		} else if (!mk_track_put_in(ep, e, rights, page, write)) {
			ret = -EAGAIN;
		} else {
			t->lwk_va = req.addr - (index << PAGE_SHIFT);
			if (!write)
				mk_track_around(p, t, index);
		}
		mutex_unlock(&p->sink_lock);
		unpin_user_pages_dirty_lock(&page, 1, write && !ret);
		kref_put(&t->ref, mk_track_free);
		if (ret != -EAGAIN)
			return ret;
		cond_resched();
	}
	return -EAGAIN;
}

/* For the window: the tracked page at va (with a reference), or NULL. */
static struct mk_track *mk_track_at(struct mk_proc *p, u64 va, unsigned long *index, u64 *rights)
{
	struct mk_track *t;
	u64 e, *ep;

	if (list_empty(&p->pins.tracked))
		return NULL;
	mutex_lock(&p->sink_lock);
	t = mk_track_lookup(p, va, index, rights, &ep, &e);
	mutex_unlock(&p->sink_lock);
	return t;
}

/*
 * A fault of the window at a tracked page: it maps what mkexec's own mapping
 * of the file holds there (writable only for a write, which faults it in
 * for writing there first). *tracked: whether va is such a page. mkexec's
 * alone: a vfork child's copy of the mapping is no mapping the notifier
 * watches.
 */
vm_fault_t mk_track_window_fault(struct mk_proc *p, struct vm_fault *vmf, bool write, bool *tracked)
{
	struct vm_area_struct *vma = vmf->vma;
	u64 va = vmf->address & PAGE_MASK, rights;
	unsigned long index, seq, at;
	unsigned int noreclaim;
	struct mk_track *t;
	struct page *page;
	vm_fault_t r;

	t = mk_track_at(p, va, &index, &rights);
	*tracked = t != NULL;
	if (!t)
		return 0;
	r = VM_FAULT_SIGBUS;
	if (vma->vm_mm != t->mm || current->mm != t->mm)
		goto out;
	if (write && (!(rights & MK_PT_W) || !t->writable || !(vma->vm_flags & VM_WRITE)))
		goto out;
	at = t->addr + (index << PAGE_SHIFT);
	seq = mmu_interval_read_begin(&t->mni);
	if (get_user_pages_fast_only(at, 1, write ? FOLL_WRITE : 0, &page) != 1) {
		/* Not in mkexec's mapping now (or read-only there): fault it in there. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
		if (vmf->flags & FAULT_FLAG_VMA_LOCK) {
			/* Under the mmap lock instead (gup needs it). */
			release_fault_lock(vmf);
			r = VM_FAULT_RETRY;
			goto out;
		}
		if (get_user_pages(at, 1, write ? FOLL_WRITE : 0, &page) != 1)
			goto out;
#else
		if (get_user_pages(at, 1, write ? FOLL_WRITE : 0, &page, NULL) != 1)
			goto out;
#endif
	}
	mutex_lock(&p->sink_lock);
	/* No reclaim under sink_lock: it could call the notifier, which takes it. */
	noreclaim = memalloc_noreclaim_save();
	if (t->dead || mmu_interval_read_retry(&t->mni, seq) || !mk_track_base_ok(t, va - (index << PAGE_SHIFT))) {
		r = VM_FAULT_NOPAGE; /* changed meanwhile: fault again */
	} else {
		pgprot_t prot = vm_get_page_prot(VM_READ | VM_SHARED | (write ? VM_WRITE : 0) |
						 ((vma->vm_flags & VM_EXEC) && !(rights & MK_PT_NX) ? VM_EXEC : 0));

		t->lwk_va = va - (index << PAGE_SHIFT);
		r = vmf_insert_pfn_prot(vma, va, page_to_pfn(page), prot);
	}
	memalloc_noreclaim_restore(noreclaim);
	mutex_unlock(&p->sink_lock);
	if (write && r == VM_FAULT_NOPAGE)
		set_page_dirty_lock(page);
	put_page(page);
out:
	kref_put(&t->ref, mk_track_free);
	return r;
}

/*
 * Linux writes a tracked page the window maps read-only: the entry goes,
 * and the write faults anew (mk_track_window_fault puts the page in
 * writable, faulted in for writing in mkexec's mapping, under the notifier's
 * sequence check).
 */
vm_fault_t mk_track_window_mkwrite(struct mk_proc *p, struct vm_fault *vmf, bool *tracked)
{
	u64 va = vmf->address & PAGE_MASK, rights;
	unsigned long index;
	struct mk_track *t;

	t = mk_track_at(p, va, &index, &rights);
	*tracked = t != NULL;
	if (!t)
		return 0;
	zap_vma_ptes(vmf->vma, va, PAGE_SIZE);
	kref_put(&t->ref, mk_track_free);
	return VM_FAULT_NOPAGE;
}

/*
 * t is off the list and dead (under sink_lock): nothing puts a page in any
 * more. Its pages leave the LWK and the window before the notifier goes.
 */
static void mk_track_release_one(struct mk_proc *p, struct mk_track *t, bool unmap)
{
	mutex_lock(&p->sink_lock);
	mk_track_take_out(p, t, 0, t->nr_pages);
	mutex_unlock(&p->sink_lock);
	mmu_interval_notifier_remove(&t->mni);
	/* In mkexec's context (not once its memory is gone): its mapping goes too. */
	if (unmap && current->mm == t->mm)
		vm_munmap(t->addr, t->len);
	kref_put(&t->ref, mk_track_free);
}

/* A tracked pin the LWK unmapped (MK_MSG_UNPIN): true if id was one. */
bool mk_track_release(struct mk_pins *pins, u32 id, bool unmap)
{
	struct mk_proc *p = mk_pins_proc(pins);
	struct mk_track *t;

	mutex_lock(&p->sink_lock);
	t = mk_track_by_id(p, id);
	if (t) {
		list_del(&t->link);
		t->dead = true;
	}
	mutex_unlock(&p->sink_lock);
	if (!t)
		return false;
	mk_track_release_one(p, t, unmap);
	return true;
}

void mk_tracks_release_all(struct mk_pins *pins)
{
	struct mk_proc *p = mk_pins_proc(pins);
	struct mk_track *t;

	for (;;) {
		mutex_lock(&p->sink_lock);
		t = list_first_entry_or_null(&pins->tracked, struct mk_track, link);
		if (t) {
			list_del(&t->link);
			t->dead = true;
		}
		mutex_unlock(&p->sink_lock);
		if (!t)
			return;
		mk_track_release_one(p, t, true);
	}
}
