// SPDX-License-Identifier: GPL-2.0
/*
 * The window: mkexec maps its process fd over the whole user window
 * (<mk/proc.h>) at the addresses the program uses, so pointers in forwarded
 * system calls work unchanged. A vfork child of mkexec's maps it too, to
 * run the program's code in the program's memory until its execve or end
 * (only such a child; each drop of the window's pages covers its view). A
 * fault there walks the process's page tables in LWK memory and inserts
 * the LWK's page. Nothing in LWK memory is
 * trusted: every table and page address must lie in the LWK's memory, by
 * mk.ko's own record, and read-only LWK pages stay read-only. What mk.ko
 * writes there: two bits in the leaf entry it maps (MK_PTE_LINUX_MAPPED,
 * with a compare-and-exchange), and the frame numbers of pins into the
 * LWK's pin sinks (pages without the user bit, out of mkexec's reach).
 * Pages of tracked mappings (track.c) are mapped from mkexec's own mapping
 * of the file, not from the LWK's leaf. A write to a page a fork shares
 * (MK_PTE_COW) asks the LWK to copy it first (MK_MSG_COW).
 */
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/version.h>

#include "process.h"

static const struct vm_operations_struct mk_proc_vm_ops;

/* MK_MSG_COW requests: one at a time per core, numbered (the answer holds the number). */
static struct mutex mk_cow_lock[MK_MAX_LWK_CPUS];
static u32 mk_cow_seq[MK_MAX_LWK_CPUS];

void mk_window_init(void)
{
	int i;

	for (i = 0; i < MK_MAX_LWK_CPUS; i++)
		mutex_init(&mk_cow_lock[i]);
}

/* Drops the window's pages in [start, start + len) from mm's page tables. */
static void mk_proc_zap(struct mk_proc *p, struct mm_struct *mm, u64 start, u64 len)
{
	struct vm_area_struct *vma;
	u64 end = start + len;

	if (end < start || start >= MK_USER_WINDOW_END || end <= MK_USER_WINDOW_START)
		return;
	start = max_t(u64, start, MK_USER_WINDOW_START);
	end = min_t(u64, end, MK_USER_WINDOW_END);
	mmap_write_lock(mm);
	/* Every mapping of this process's window in the range (it is one, unsplit). */
	for (vma = find_vma(mm, start); vma && vma->vm_start < end; vma = find_vma(mm, vma->vm_end)) {
		u64 from = max_t(u64, start, vma->vm_start), to = min_t(u64, end, vma->vm_end);

		if (vma->vm_private_data == p && vma->vm_ops == &mk_proc_vm_ops)
			zap_vma_ptes(vma, from, to - from);
	}
	mmap_write_unlock(mm);
}

/* The same in mkexec and in every vfork child of its that shares the window. */
void mk_proc_zap_all(struct mk_proc *p, u64 start, u64 len)
{
	struct mm_struct *mms[MK_PROC_VIEWERS + 1];
	int n = 0, i;

	spin_lock(&p->view_lock);
	if (p->mm && mmget_not_zero(p->mm))
		mms[n++] = p->mm;
	for (i = 0; i < MK_PROC_VIEWERS; i++)
		if (p->viewers[i] && mmget_not_zero(p->viewers[i]))
			mms[n++] = p->viewers[i];
	spin_unlock(&p->view_lock);
	for (i = 0; i < n; i++) {
		mk_proc_zap(p, mms[i], start, len);
		mmput(mms[i]);
	}
}

/* Forgets the vfork children's views (the process is freed). */
void mk_proc_drop_viewers(struct mk_proc *p)
{
	int i;

	for (i = 0; i < MK_PROC_VIEWERS; i++)
		if (p->viewers[i]) {
			mmdrop(p->viewers[i]);
			p->viewers[i] = NULL;
		}
}

/*
 * A vfork child of mkexec maps the window too: it runs the program's code
 * on Linux in the program's own memory (as a vfork child shares its
 * parent's) until its execve or _exit, while the program's thread waits.
 * Only such a child, while its parent still waits for it: its mm is
 * recorded, so that every drop of the window's pages covers it.
 */
static int mk_proc_add_viewer(struct mk_proc *p, struct mm_struct *mm)
{
	struct task_struct *parent;
	bool ours;
	int i, free = -1;

	rcu_read_lock();
	parent = rcu_dereference(current->real_parent);
	ours = parent && parent->mm == p->mm;
	rcu_read_unlock();
	if (!ours || !current->vfork_done || mm != current->mm || READ_ONCE(p->state) != MK_PROC_RUNNING)
		return -EPERM;
	spin_lock(&p->view_lock);
	for (i = 0; i < MK_PROC_VIEWERS; i++) {
		if (p->viewers[i] == mm) {
			spin_unlock(&p->view_lock);
			return -EBUSY; /* one window each */
		}
		if (!p->viewers[i] && free < 0)
			free = i;
	}
	if (free >= 0) {
		mmgrab(mm);
		p->viewers[free] = mm;
	}
	spin_unlock(&p->view_lock);
	return free >= 0 ? 0 : -EBUSY;
}

static void mk_proc_vm_close(struct vm_area_struct *vma)
{
	struct mk_proc *p = vma->vm_private_data;
	struct mm_struct *gone = NULL;
	int i;

	if (vma->vm_mm == p->mm)
		return;
	spin_lock(&p->view_lock);
	for (i = 0; i < MK_PROC_VIEWERS; i++)
		if (p->viewers[i] == vma->vm_mm) {
			gone = p->viewers[i];
			p->viewers[i] = NULL;
			break;
		}
	spin_unlock(&p->view_lock);
	if (gone)
		mmdrop(gone);
}

/*
 * The leaf entry that maps va in the process's tables (LWK memory): its
 * address in *ep, its value in *e, the size it maps in *span; *user and
 * *writable: whether every level allows user access and writing. false
 * when a level is absent or outside LWK memory.
 */
static bool mk_proc_walk(phys_addr_t table, u64 va, u64 **ep, u64 *e, u64 *span, bool *user,
			 bool *writable)
{
	int level;

	*user = true;
	*writable = true;
	for (level = 4; level >= 1; level--) {
		if (!mk_phys_in_lwk(table, PAGE_SIZE))
			return false;
		*ep = &((u64 *)phys_to_virt(table))[(va >> (12 + 9 * (level - 1))) & 511];
		*e = READ_ONCE(**ep);
		if (!(*e & MK_PT_P))
			return false;
		*user &= !!(*e & MK_PT_U);
		*writable &= !!(*e & MK_PT_W);
		*span = 1ULL << (12 + 9 * (level - 1));
		if (level == 1 || (level <= 3 && (*e & MK_PT_PS)))
			return true;
		table = *e & MK_PT_ADDR;
	}
	return false;
}
/*
 * The LWK's entry for the faulting address, checked (present, the
 * program's, writable for a write, a page of Linux's only as pinned) and
 * marked: *phys, *span and *writable say what may be mapped.
 */
static vm_fault_t mk_proc_claim(struct vm_fault *vmf, phys_addr_t *phys, u64 *span, u64 *entry, bool *writable)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mk_proc *p = vma->vm_private_data;
	u64 va = vmf->address & PAGE_MASK, e = 0, *ep = NULL;
	phys_addr_t table = READ_ONCE(p->page_table);
	bool user;

	if (!table || !mk_lwk_active())
		return VM_FAULT_SIGBUS;
	if (!mk_proc_walk(table, va, &ep, &e, span, &user, writable) || !user)
		return VM_FAULT_SIGBUS;
	*writable &= !!(vma->vm_flags & VM_WRITE);
	*phys = (e & MK_PT_ADDR & ~(*span - 1)) + (va & (*span - 1));
	if (!mk_phys_in_lwk(*phys, PAGE_SIZE)) {
		/* A page of Linux's only if this process pinned it, as pinned. */
		bool pinned_writable;

		if (!mk_pins_lookup(&p->pins, PHYS_PFN(*phys), &pinned_writable))
			return VM_FAULT_SIGBUS;
		*writable &= pinned_writable;
	}
	if ((vmf->flags & FAULT_FLAG_WRITE) && !*writable)
		return VM_FAULT_SIGBUS;
	/* A page a fork shares that became so meanwhile: the write faults again (and copies it). */
	if ((vmf->flags & FAULT_FLAG_WRITE) && (e & MK_PTE_COW))
		return VM_FAULT_NOPAGE;
	/*
	 * The LWK learns that Linux holds the page (it must then ask Linux to
	 * drop it before reusing it), and, if mkexec may write it, that it is
	 * not a page nobody wrote (those it hands out as zeroed memory); a
	 * question to drop its views before a copy (MK_PTE_COW_ASKED) is
	 * void once it has one again. The bits go into the very entry read,
	 * or the walk is not trusted (the LWK changed the entry meanwhile).
	 */
	for (;;) {
		u64 want = (e | MK_PTE_LINUX_MAPPED | (*writable ? MK_PTE_DIRTY : 0)) & ~MK_PTE_COW_ASKED, was;

		if (want == e)
			break;
		was = cmpxchg64(ep, e, want);

		if (was == e)
			break;
		if (!(was & MK_PT_P))
			return VM_FAULT_SIGBUS; /* unmapped meanwhile */
		/*
		 * Anything but the accessed and dirty bits (a CPU's), the
		 * mapped bit (another fault's) or the question changed: the
		 * LWK changed the page (a shared one copied) or its rights,
		 * and read the entry without our bit, so it will not ask
		 * Linux to drop what we map. Let the access fault again and
		 * walk the new entry.
		 */
		if ((was ^ e) & ~(MK_PT_A | MK_PTE_DIRTY | MK_PTE_LINUX_MAPPED | MK_PTE_COW_ASKED))
			return VM_FAULT_NOPAGE;
		e = was;
	}
	*entry = e;
	return 0;
}

/*
 * Asks the LWK to make the copy-on-write page at va of p the process's own
 * (MK_MSG_COW) and waits for its core's answer: MK_COW_*, or -errno.
 */
static int mk_proc_ask_cow(struct mk_proc *p, u64 va, u16 flags)
{
	struct mk_boot_params *bp = READ_ONCE(mk_inst.bp);
	unsigned long deadline = jiffies + msecs_to_jiffies(MK_ANSWER_MS);
	struct mk_msg_cow m = {};
	u32 core = p->core, seq, done;
	int ret;

	if (!bp || core >= MK_MAX_LWK_CPUS || !mk_lwk_active())
		return -ESRCH;
	if (mutex_lock_killable(&mk_cow_lock[core]))
		return -EINTR;
	do /* never 0, which a core that answered nothing holds */
		seq = ++mk_cow_seq[core] & (U32_MAX >> 2);
	while (!seq);
	m.hdr = (struct mk_msg_hdr){ MK_MSG_COW, flags, p->pid, 0, seq };
	m.va = va;
	if (mk_chan_send(core, &m, sizeof(m)))
		ret = MK_COW_BUSY; /* its ring is full: later */
	else
		ret = 0;
	while (!ret) {
		done = READ_ONCE(bp->cpus[core].cow_done);
		if (done >> 2 == seq) {
			ret = done & 3;
			break;
		}
		if (!mk_lwk_active() || READ_ONCE(p->state) != MK_PROC_RUNNING)
			ret = -ESRCH;
		else if (time_after(jiffies, deadline))
			ret = -ETIMEDOUT;
		else if (fatal_signal_pending(current))
			ret = -EINTR;
		else
			usleep_range(10, 50);
	}
	mutex_unlock(&mk_cow_lock[core]);
	return ret;
}

/* Whether the LWK's leaf for va is a page a fork shares, the program's. */
static bool mk_proc_cow_at(struct mk_proc *p, u64 va)
{
	phys_addr_t table = READ_ONCE(p->page_table);
	u64 e, span, *ep;
	bool user, writable;

	return table && mk_proc_walk(table, va, &ep, &e, &span, &user, &writable) && user &&
	       (e & MK_PTE_COW);
}

/*
 * Linux writes a page a fork shares: the LWK copies it (or gives it back
 * to its only mapper), and the access comes back to map what is there
 * then. The LWK may be busy with the process's memory, waiting for Linux
 * (an unmap needs mmap_lock), or need Linux to drop the old page first:
 * mmap_lock is let go and the fault retried.
 */
static vm_fault_t mk_proc_cow_fault(struct vm_fault *vmf, struct mk_proc *p)
{
	u64 va = vmf->address & PAGE_MASK;
	struct file *file;
	int answer = mk_proc_ask_cow(p, va, 0);

	if (answer == MK_COW_DONE)
		return fatal_signal_pending(current) ? VM_FAULT_SIGBUS : VM_FAULT_NOPAGE;
	if (answer == -ETIMEDOUT)
		pr_warn_ratelimited("pid %d: the LWK did not copy a shared page mkexec writes (%#llx)\n",
				    p->pid, va);
	if ((answer != MK_COW_BUSY && answer != MK_COW_DROP) || !(vmf->flags & FAULT_FLAG_ALLOW_RETRY) ||
	    (vmf->flags & FAULT_FLAG_RETRY_NOWAIT) || fatal_signal_pending(current))
		return VM_FAULT_SIGBUS;
	file = get_file(vmf->vma->vm_file); /* p lives on while the lock is let go */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	release_fault_lock(vmf);
#else
	mmap_read_unlock(vmf->vma->vm_mm);
#endif
	if (answer == MK_COW_DROP) {
		/* Every view of the old page goes; then it can be copied. */
		mk_proc_zap_all(p, va & ~((PAGE_SIZE << 9) - 1), PAGE_SIZE << 9);
		mk_proc_ask_cow(p, va, MK_COW_DROPPED);
	} else {
		usleep_range(50, 200);
	}
	fput(file);
	return VM_FAULT_RETRY;
}

static vm_fault_t mk_proc_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	u64 va = vmf->address & PAGE_MASK, e = 0, span = 0;
	phys_addr_t phys = 0;
	bool writable = false, tracked;
	vm_fault_t r = mk_track_window_fault(vma->vm_private_data, vmf, vmf->flags & FAULT_FLAG_WRITE,
					     &tracked);
	pgprot_t prot;

	if (tracked)
		return r; /* a page of a tracked mapping (track.c) */
	if ((vmf->flags & FAULT_FLAG_WRITE) && (vma->vm_flags & VM_WRITE) &&
	    mk_proc_cow_at(vma->vm_private_data, vmf->address & PAGE_MASK))
		return mk_proc_cow_fault(vmf, vma->vm_private_data);
	r = mk_proc_claim(vmf, &phys, &span, &e, &writable);
	if (r)
		return r;
	/*
	 * Executable only in a window mapped so (a vfork child's, which runs
	 * the program's code) and where the LWK's leaf allows it.
	 */
	prot = vm_get_page_prot(VM_READ | VM_SHARED | (writable ? VM_WRITE : 0) |
				((vma->vm_flags & VM_EXEC) && !(e & MK_PT_NX) ? VM_EXEC : 0));
	if (span == (PAGE_SIZE << 9) && mk_phys_in_lwk(e & MK_PT_ADDR & ~(span - 1), span)) {
		/*
		 * A large leaf of LWK memory: the whole of it (within the
		 * window) at once, as the entry just marked allows. One fault
		 * instead of 512 when mkexec reads a 2 MiB page through.
		 */
		u64 first = max_t(u64, va & ~(span - 1), vma->vm_start);
		u64 end = min_t(u64, (va & ~(span - 1)) + span, vma->vm_end), at;
		phys_addr_t base = (e & MK_PT_ADDR & ~(span - 1)) - (va & ~(span - 1));

		r = 0;
		for (at = first; at < end; at += PAGE_SIZE) {
			vm_fault_t one = vmf_insert_pfn_prot(vma, at, PHYS_PFN(base + at), prot);

			if (at == va)
				r = one;
			else if (one != VM_FAULT_NOPAGE)
				break; /* already mapped, or no memory: the others fault by themselves */
		}
		return r ? r : vmf_insert_pfn_prot(vma, va, PHYS_PFN(phys), prot);
	}
	return vmf_insert_pfn_prot(vma, va, PHYS_PFN(phys), prot);
}

/*
 * Linux writes a page the window maps read-only. The window is a shared
 * writable mapping, so without this Linux would simply make the entry
 * writable: a read-only page (a file the user may not write, pinned
 * read-only; the program's text) would take Linux's write. Allowed only
 * if the LWK's entry is writable now, for the page already mapped.
 */
static vm_fault_t mk_proc_pfn_mkwrite(struct vm_fault *vmf)
{
	u64 e = 0, span = 0;
	phys_addr_t phys = 0;
	bool writable = false, tracked;
	vm_fault_t r = mk_track_window_mkwrite(vmf->vma->vm_private_data, vmf, &tracked);

	if (tracked)
		return r;
	if ((vmf->vma->vm_flags & VM_WRITE) && mk_proc_cow_at(vmf->vma->vm_private_data, vmf->address & PAGE_MASK)) {
		/* A page a fork shares: the write faults again without it (mk_proc_fault copies it). */
		zap_vma_ptes(vmf->vma, vmf->address & PAGE_MASK, PAGE_SIZE);
		return VM_FAULT_NOPAGE;
	}
	r = mk_proc_claim(vmf, &phys, &span, &e, &writable);
	if (r == VM_FAULT_NOPAGE) {
		/* The entry changed meanwhile (a page copied, shared, or its rights): fault anew. */
		zap_vma_ptes(vmf->vma, vmf->address & PAGE_MASK, PAGE_SIZE);
		return VM_FAULT_NOPAGE;
	}
	if (r)
		return r;
	if (!writable)
		return VM_FAULT_SIGBUS;
	if (PHYS_PFN(phys) != pte_pfn(vmf->orig_pte)) {
		/* Another page there now (a shared one copied): the access maps it anew. */
		zap_vma_ptes(vmf->vma, vmf->address & PAGE_MASK, PAGE_SIZE);
		return VM_FAULT_NOPAGE;
	}
	return 0;
}

/* The window stays one mapping: no mprotect, munmap or mseal of part of it. */
static int mk_proc_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct mk_proc_vm_ops = {
	.close = mk_proc_vm_close,
	.fault = mk_proc_fault,
	.pfn_mkwrite = mk_proc_pfn_mkwrite,
	.may_split = mk_proc_may_split,
};

int mk_proc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mk_proc *p = file->private_data;

	int ret;

	if (vma->vm_start != MK_USER_WINDOW_START || vma->vm_end != MK_USER_WINDOW_END ||
	    vma->vm_pgoff || !(vma->vm_flags & VM_SHARED)) {
		pr_warn("pid %d: the process window must be mapped shared at exactly %#llx-%#llx\n",
			p->pid, MK_USER_WINDOW_START, MK_USER_WINDOW_END);
		return -EINVAL;
	}
	if (vma->vm_mm != p->mm) {
		ret = mk_proc_add_viewer(p, vma->vm_mm);
		if (ret)
			return ret;
	}
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTCOPY | VM_DONTDUMP);
#else
	vma->vm_flags |= VM_PFNMAP | VM_DONTEXPAND | VM_DONTCOPY | VM_DONTDUMP;
#endif
	vma->vm_private_data = p;
	vma->vm_ops = &mk_proc_vm_ops;
	return 0;
}


/* The kernel address of the pin-sink page at va of p's tables, or NULL. */
static void *mk_proc_sink_page(struct mk_proc *p, u64 va)
{
	phys_addr_t table = READ_ONCE(p->page_table), phys;
	u64 e, span, *ep;
	bool user, writable;

	if (!table || !mk_proc_walk(table, va, &ep, &e, &span, &user, &writable))
		return NULL;
	if (user || span != PAGE_SIZE || !(e & MK_PTE_PIN_SINK))
		return NULL;
	phys = e & MK_PT_ADDR;
	if (!mk_phys_in_lwk(phys, PAGE_SIZE))
		return NULL;
	return phys_to_virt(phys);
}

/* mk_pin_sink_fn for a process: ctx is the struct mk_proc. */
int mk_proc_fill_sink(void *ctx, u64 sink, u32 id, u32 flags, struct page *const *pages,
		      unsigned long n)
{
	struct mk_proc *p = ctx;
	struct mk_pin_sink *head;
	u8 *page = NULL;
	unsigned long i;
	int ret = -EFAULT;

	BUILD_BUG_ON(sizeof(*head) != 16);
	if ((sink & ~PAGE_MASK) || sink < MK_USER_WINDOW_START || sink >= MK_USER_WINDOW_END ||
	    n > (MK_USER_WINDOW_END - sink - sizeof(*head)) / sizeof(u64))
		return -EINVAL;
	mutex_lock(&p->sink_lock);
	if (READ_ONCE(p->state) != MK_PROC_RUNNING || !mk_lwk_active()) {
		ret = -ESRCH;
		goto out;
	}
	head = mk_proc_sink_page(p, sink);
	if (!head)
		goto out;
	if (READ_ONCE(head->id) || READ_ONCE(head->nr)) {
		ret = -EBUSY; /* filled once only */
		goto out;
	}
	WRITE_ONCE(head->nr, n);
	for (i = 0; pages && i < n; i++) { /* no pages: a tracked mapping's (track.c) */
		u64 va = sink + sizeof(*head) + i * sizeof(u64);

		if (!page || !(va & ~PAGE_MASK)) {
			page = mk_proc_sink_page(p, va & PAGE_MASK);
			if (!page)
				goto out;
		}
		WRITE_ONCE(*(u64 *)(page + (va & ~PAGE_MASK)), page_to_pfn(pages[i]));
	}
	WRITE_ONCE(head->flags, flags);
	smp_wmb(); /* the id last: the LWK reads it first */
	WRITE_ONCE(head->id, id);
	ret = 0;
out:
	mutex_unlock(&p->sink_lock);
	return ret;
}
