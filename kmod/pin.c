// SPDX-License-Identifier: GPL-2.0
/*
 * Linux pages an LWK program maps: the pages of a MAP_SHARED mapping of a
 * file (shared memory in /dev/shm, a memfd, SysV shm, or a file read only)
 * that mkexec pinned from its own mapping of it (MK_PROC_IOC_PIN). The LWK
 * maps those very pages, so the program, other LWK programs and Linux
 * processes see each other's writes at once. mkexec's mapping stays as long
 * as the pin (a SysV segment stays attached, as the program's attachment
 * would keep it on Linux) and goes with it.
 *
 * mk.ko records every pin of a process, and for each pinned page frame how
 * many pins hold it and how many of those allow writing: the window's
 * fault handler lets mkexec reach a page of Linux's only if a pin of its
 * process holds it, and for writing only if a writable pin does. A pin is
 * released when the LWK says it has unmapped its pages (MK_MSG_UNPIN, after
 * Linux dropped mkexec's view of them) or when the process is gone.
 *
 * The frame numbers go to the LWK through a sink only mk.ko can write
 * (struct mk_pin_sink): neither the program nor mkexec can change which
 * pages, or with which rights, the LWK maps.
 *
 * Writable long-term pins are refused by Linux (6.5 and later) for file
 * systems that track dirty pages, and would break their writeback on older
 * kernels: they are allowed on tmpfs/shmem and hugetlbfs only. Writable
 * shared mappings of other files are tracked instead (MK_PIN_TRACK,
 * track.c): same ids, same release.
 */
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "mk.h"

/* One pin can cover 16 GiB; all pins together at most half of Linux's RAM. */
#define MK_PIN_MAX_PAGES (SZ_16G >> PAGE_SHIFT)
#define MK_PIN_WRITERS_SHIFT 31
#define MK_PIN_COUNT_MASK ((1UL << MK_PIN_WRITERS_SHIFT) - 1)

struct mk_pin {
	struct list_head link;
	u32 id;
	bool writable;
	bool referenced;             /* a fork child's copy: page references, not pins */
	struct mm_struct *mm;        /* mkexec's, where [addr, addr + len) is its mapping */
	u64 addr, len;
	unsigned long nr_pages;
	struct page *pages[];
};

static atomic_long_t mk_pinned_pages = ATOMIC_LONG_INIT(0);

void mk_pins_init(struct mk_pins *pins)
{
	mutex_init(&pins->lock);
	INIT_LIST_HEAD(&pins->list);
	INIT_LIST_HEAD(&pins->tracked);
	xa_init(&pins->pfns);
	pins->next_id = 1;
}

/* Counts pfn in (delta +1) or out (-1) of the pins, under pins->lock. */
static int mk_pins_count(struct mk_pins *pins, unsigned long pfn, int delta, bool writable)
{
	void *e = xa_load(&pins->pfns, pfn);
	unsigned long v = e ? xa_to_value(e) : 0;
	unsigned long n = v & MK_PIN_COUNT_MASK, w = v >> MK_PIN_WRITERS_SHIFT;

	if (delta > 0) {
		n++;
		w += writable;
	} else {
		if (WARN_ON_ONCE(!n))
			return 0;
		n--;
		w -= writable;
	}
	if (!n) {
		xa_erase(&pins->pfns, pfn);
		return 0;
	}
	return xa_err(xa_store(&pins->pfns, pfn, xa_mk_value(n | (w << MK_PIN_WRITERS_SHIFT)),
			       GFP_KERNEL));
}

bool mk_pins_lookup(struct mk_pins *pins, unsigned long pfn, bool *writable)
{
	void *e = xa_load(&pins->pfns, pfn);

	if (!e)
		return false;
	*writable = (xa_to_value(e) >> MK_PIN_WRITERS_SHIFT) != 0;
	return true;
}

static void mk_pin_free(struct mk_pins *pins, struct mk_pin *pin, unsigned long counted)
{
	unsigned long i;

	for (i = 0; i < counted; i++)
		mk_pins_count(pins, page_to_pfn(pin->pages[i]), -1, pin->writable);
	if (pin->referenced) {
		for (i = 0; i < pin->nr_pages; i++) {
			if (pin->writable)
				set_page_dirty_lock(pin->pages[i]);
			put_page(pin->pages[i]);
		}
	} else {
		unpin_user_pages_dirty_lock(pin->pages, pin->nr_pages, pin->writable);
	}
	atomic_long_sub(pin->nr_pages, &mk_pinned_pages);
	/* In mkexec's context (not once its memory is gone): its mapping goes too. */
	if (pin->mm && current->mm == pin->mm)
		vm_munmap(pin->addr, pin->len);
	kvfree(pin);
}

/*
 * Whether every mapping of [addr, addr + len) may be pinned (or tracked) as
 * asked: mkexec's shared mappings of a file, writable if asked.
 */
static int mk_pin_check_vmas(u64 addr, u64 len, bool writable, bool track)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	u64 at = addr, end = addr + len;
	int ret = 0;

	mmap_read_lock(mm);
	while (at < end) {
		unsigned long magic;

		vma = find_vma(mm, at);
		/* MAP_SHARED (VM_MAYSHARE: of a file open read-only, VM_SHARED is not set) */
		if (!vma || vma->vm_start > at || !(vma->vm_flags & VM_MAYSHARE) || !vma->vm_file) {
			ret = -EINVAL; /* not mkexec's shared mapping of a file */
			break;
		}
		if (writable && !(vma->vm_flags & VM_WRITE)) {
			ret = -EACCES;
			break;
		}
		magic = file_inode(vma->vm_file)->i_sb->s_magic;
		if (writable && !track && magic != TMPFS_MAGIC && magic != HUGETLBFS_MAGIC) {
			ret = -EOPNOTSUPP;
			break;
		}
		at = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return ret;
}

long mk_pin_cmd(struct mk_pins *pins, struct mk_proc_pin __user *uarg, mk_pin_sink_fn fill,
		void *ctx)
{
	struct mk_proc_pin req;
	struct mk_pin *pin;
	unsigned long n, i;
	long got;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req) || (req.flags & ~(MK_PIN_WRITE | MK_PIN_TRACK)) || !req.len ||
	    ((req.addr | req.len) & ~PAGE_MASK) || req.addr + req.len < req.addr)
		return -EINVAL;
	n = req.len >> PAGE_SHIFT;
	if (n > MK_PIN_MAX_PAGES)
		return -E2BIG;
	/* The pages pinned are mkexec's own mapping of the file, outside the window. */
	if (req.addr < MK_USER_WINDOW_END && req.addr + req.len > MK_USER_WINDOW_START)
		return -EINVAL;
	if (req.flags & MK_PIN_TRACK) {
		/* Tracked, not pinned (track.c): any file system, nothing counted. */
		ret = mk_pin_check_vmas(req.addr, req.len, req.flags & MK_PIN_WRITE, true);
		if (!ret)
			ret = mk_track_cmd(pins, &req, n);
		if (ret)
			return ret;
		if (copy_to_user(uarg, &req, sizeof(req))) {
			mk_pin_release(pins, req.id, false);
			return -EFAULT;
		}
		return 0;
	}
	if (atomic_long_add_return(n, &mk_pinned_pages) > totalram_pages() / 2) {
		atomic_long_sub(n, &mk_pinned_pages);
		pr_warn_ratelimited("pid %d: pinning %lu more pages would give LWK programs over half of Linux's memory\n",
				    task_tgid_nr(current), n);
		return -ENOMEM;
	}
	ret = mk_pin_check_vmas(req.addr, req.len, req.flags & MK_PIN_WRITE, false);
	if (ret)
		goto out_unaccount;
	pin = kvzalloc(struct_size(pin, pages, n), GFP_KERNEL);
	ret = -ENOMEM;
	if (!pin)
		goto out_unaccount;
	pin->writable = req.flags & MK_PIN_WRITE;
	got = pin_user_pages_fast(req.addr, n, FOLL_LONGTERM | (pin->writable ? FOLL_WRITE : 0),
				  pin->pages);
	if (got != n) {
		if (got > 0)
			unpin_user_pages(pin->pages, got);
		kvfree(pin);
		ret = got < 0 ? got : -EFAULT;
		goto out_unaccount;
	}
	pin->nr_pages = n;

	mutex_lock(&pins->lock);
	for (i = 0; i < n; i++) {
		ret = mk_pins_count(pins, page_to_pfn(pin->pages[i]), 1, pin->writable);
		if (ret)
			break;
	}
	pin->id = pins->next_id++;
	if (pins->next_id >= (1U << 31)) /* ids stay below 2^31 (<mk/proc.h>) */
		pins->next_id = 1;
	/*
	 * The frame numbers, into the LWK's sink, while the pin is still this
	 * call's alone: nothing can release it meanwhile.
	 */
	if (!ret)
		ret = fill(ctx, req.pfns, pin->id, pin->writable ? MK_PIN_SINK_WRITABLE : 0,
			   pin->pages, n);
	if (ret) {
		mk_pin_free(pins, pin, i); /* mkexec unmaps its mapping itself */
		mutex_unlock(&pins->lock);
		return ret;
	}
	/* From now on the pin owns mkexec's mapping: releasing it unmaps that. */
	pin->mm = current->mm;
	pin->addr = req.addr;
	pin->len = req.len;
	list_add(&pin->link, &pins->list);
	req.id = pin->id;
	mutex_unlock(&pins->lock);

	if (copy_to_user(uarg, &req, sizeof(req))) {
		/* mkexec sees an error and unmaps its mapping itself. */
		mk_pin_release(pins, req.id, false);
		return -EFAULT;
	}
	return 0;

out_unaccount:
	atomic_long_sub(n, &mk_pinned_pages);
	return ret;
}

void mk_pin_release(struct mk_pins *pins, u32 id, bool unmap)
{
	struct mk_pin *pin;
	bool found = false;

	mutex_lock(&pins->lock);
	list_for_each_entry(pin, &pins->list, link) {
		if (pin->id == id) {
			list_del(&pin->link);
			if (!unmap)
				pin->mm = NULL;
			mk_pin_free(pins, pin, pin->nr_pages);
			found = true;
			break;
		}
	}
	if (!found)
		mk_track_release(pins, id, unmap);
	mutex_unlock(&pins->lock);
}

/*
 * A fork's child on the LWK maps the pages of Linux's its parent maps,
 * under the same ids: each of the parent's pins is copied into the child's
 * (to, new and unused) with page references of its own, released with it.
 * Tracked mappings are not copied: the LWK refuses a fork that has one.
 */
int mk_pins_dup(struct mk_pins *to, struct mk_pins *from)
{
	struct mk_pin *pin, *copy;
	unsigned long i;
	int ret = 0;

	mutex_lock(&from->lock);
	mutex_lock_nested(&to->lock, SINGLE_DEPTH_NESTING);
	list_for_each_entry(pin, &from->list, link) {
		copy = kvzalloc(struct_size(copy, pages, pin->nr_pages), GFP_KERNEL);
		if (!copy) {
			ret = -ENOMEM;
			break;
		}
		/* Held pages count as pinned ones do, against the same limit. */
		if (atomic_long_add_return(pin->nr_pages, &mk_pinned_pages) > totalram_pages() / 2) {
			atomic_long_sub(pin->nr_pages, &mk_pinned_pages);
			kvfree(copy);
			ret = -ENOMEM;
			break;
		}
		copy->id = pin->id;
		copy->writable = pin->writable;
		copy->referenced = true;
		copy->nr_pages = pin->nr_pages;
		for (i = 0; i < pin->nr_pages; i++) {
			copy->pages[i] = pin->pages[i];
			get_page(copy->pages[i]);
		}
		for (i = 0; i < copy->nr_pages; i++) {
			ret = mk_pins_count(to, page_to_pfn(copy->pages[i]), 1, copy->writable);
			if (ret)
				break;
			if (!(i % 4096))
				cond_resched();
		}
		if (ret) {
			mk_pin_free(to, copy, i);
			break;
		}
		list_add_tail(&copy->link, &to->list);
	}
	to->next_id = from->next_id;
	mutex_unlock(&to->lock);
	mutex_unlock(&from->lock);
	return ret;
}

void mk_pins_release_all(struct mk_pins *pins)
{
	struct mk_pin *pin, *tmp;

	mutex_lock(&pins->lock);
	list_for_each_entry_safe(pin, tmp, &pins->list, link) {
		list_del(&pin->link);
		mk_pin_free(pins, pin, pin->nr_pages);
	}
	mk_tracks_release_all(pins);
	mutex_unlock(&pins->lock);
}
