// SPDX-License-Identifier: GPL-2.0
/*
 * LWK processes as Linux sees them: one per mkexec, through a process fd.
 *
 * MK_IOC_SPAWN asks an LWK core to create the process and returns the fd.
 * mkexec maps the fd over the whole user window (<mk/proc.h>) at the same
 * addresses the program uses: a fault there walks the process's page
 * tables in LWK memory and inserts the LWK's page, so pointers in
 * forwarded system calls work unchanged. Nothing in LWK memory is trusted:
 * every table and page address must lie in the LWK's memory, by mk.ko's
 * own record, and read-only LWK pages stay read-only. The one thing mk.ko
 * writes there is two bits in the leaf entry it maps (<mk/proc.h>,
 * MK_PTE_LINUX_MAPPED), with a compare-and-exchange.
 *
 * Messages from the LWK land in the process's inbox (doorbell interrupt).
 * mkexec takes them with MK_PROC_IOC_WAIT; requests to drop part of the
 * window (MK_MSG_UNMAP) are carried out on the way, in mkexec's context and
 * under its mmap lock for writing, so no fault can insert a stale page.
 * When mkexec goes away first, the process is killed and its remaining
 * messages are answered from the interrupt.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/llist.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <asm/tsc.h>

#include "mk.h"

#define MK_INBOX 64
#define MK_ANSWER_MS 10000

enum mk_proc_state {
	MK_PROC_SPAWNING,
	MK_PROC_CREATED,
	MK_PROC_RUNNING,
	MK_PROC_EXITED,
};

struct mk_proc {
	struct list_head link;       /* in mk_procs */
	struct llist_node dead;      /* in mk_procs_dead */
	pid_t pid;
	struct mm_struct *mm;        /* mkexec's (mmgrab) */
	u32 core;                    /* where it lives: its first LWK core */
	u64 cores;
	u64 staging;
	phys_addr_t page_table;      /* of the process, in LWK memory */
	enum mk_proc_state state;
	bool fd_open;
	char program[64];
	struct mk_proc_event exit;   /* kind, status, fault: the end */
	spinlock_t lock;
	wait_queue_head_t wq;
	u32 in_head, in_tail;
	u32 in_len[MK_INBOX];
	u32 in_core[MK_INBOX];       /* the LWK core each came from */
	u8 in_msg[MK_INBOX][MK_CHAN_PAYLOAD] __aligned(8);
	u32 seq;
	struct mk_pins pins;         /* Linux pages the LWK maps into the program */
};

static LIST_HEAD(mk_procs);
static DEFINE_SPINLOCK(mk_procs_lock);     /* the list and fd_open; taken in the interrupt */
static DEFINE_MUTEX(mk_procs_mutex);       /* release against mk_procs_kill_all */

/* Processes freed from the interrupt go through a work item. */
static LLIST_HEAD(mk_procs_dead);
static void mk_procs_reap(struct work_struct *work);
static DECLARE_WORK(mk_procs_reaper, mk_procs_reap);

static struct mk_proc *mk_proc_find(pid_t pid)
{
	struct mk_proc *p;

	list_for_each_entry(p, &mk_procs, link)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void mk_proc_free(struct mk_proc *p)
{
	u32 i;

	for (i = 0; i < MK_MAX_LWK_CPUS && i < 64; i++)
		if (p->cores & BIT_ULL(i))
			clear_bit(i, mk_inst.busy_cores);
	mk_pins_release_all(&p->pins);
	if (p->mm)
		mmdrop(p->mm);
	kfree(p);
}

static void mk_procs_reap(struct work_struct *work)
{
	struct llist_node *n = llist_del_all(&mk_procs_dead);
	struct mk_proc *p, *tmp;

	llist_for_each_entry_safe(p, tmp, n, dead)
		mk_proc_free(p);
}

static void mk_proc_ended(struct mk_proc *p, s32 status, const struct mk_msg_exit *m)
{
	p->exit.kind = MK_PROC_EVENT_EXIT;
	p->exit.status = status;
	if (m && m->fault) {
		p->exit.fault = m->fault;
		p->exit.fault_addr = m->fault_addr;
		p->exit.fault_ip = m->fault_ip;
	}
	WRITE_ONCE(p->state, MK_PROC_EXITED);
	WRITE_ONCE(p->page_table, 0);
}

static void mk_send_unmapped(u32 core, const struct mk_msg_unmap *req)
{
	struct mk_msg_unmap ack = *req;

	ack.hdr.type = MK_MSG_UNMAPPED;
	mk_chan_send(core, &ack, sizeof(ack));
}

/* From the doorbell interrupt: a message for a process. */
void mk_proc_deliver(u32 core, const void *msg, u32 len)
{
	const struct mk_msg_hdr *h = msg;
	struct mk_proc *p;
	unsigned long flags;
	bool free = false;

	if (len < sizeof(*h))
		return;
	spin_lock_irqsave(&mk_procs_lock, flags);
	p = mk_proc_find(h->pid);
	if (!p || !p->fd_open) {
		/* Nobody will look: answer what must be answered, here. */
		if (h->type == MK_MSG_UNMAP && len >= sizeof(struct mk_msg_unmap))
			mk_send_unmapped(core, msg);
		if (p && h->type == MK_MSG_EXIT) {
			list_del(&p->link);
			free = true;
		}
		spin_unlock_irqrestore(&mk_procs_lock, flags);
		if (free && llist_add(&p->dead, &mk_procs_dead))
			schedule_work(&mk_procs_reaper);
		return;
	}
	spin_lock(&p->lock);
	if (p->in_tail - p->in_head < MK_INBOX) {
		u32 slot = p->in_tail % MK_INBOX;

		memcpy(p->in_msg[slot], msg, len);
		p->in_len[slot] = len;
		p->in_core[slot] = core;
		p->in_tail++;
	} else {
		pr_warn("pid %d: inbox full, a message of type %u dropped\n", p->pid, h->type);
	}
	spin_unlock(&p->lock);
	spin_unlock_irqrestore(&mk_procs_lock, flags);
	wake_up(&p->wq);
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
	vma = find_vma(mm, start);
	if (vma && vma->vm_private_data == p && vma->vm_start <= start && vma->vm_end >= end)
		zap_vma_ptes(vma, start, end - start);
	mmap_write_unlock(mm);
}

/* The core to answer a message from core on: that one, if it is the process's. */
static u32 mk_proc_answer_core(struct mk_proc *p, u32 core)
{
	return core < 64 && (p->cores & BIT_ULL(core)) ? core : p->core;
}

/* MK_MSG_UNMAP in mkexec's context (or with its mm borrowed). */
static void mk_proc_unmap(struct mk_proc *p, const struct mk_msg_unmap *m, u32 core)
{
	if (mmget_not_zero(p->mm)) {
		mk_proc_zap(p, p->mm, m->start, m->len);
		mmput(p->mm);
	}
	mk_send_unmapped(mk_proc_answer_core(p, core), m);
}

/* The size a message of this type must have at least. */
static u32 mk_msg_min_len(u16 type)
{
	switch (type) {
	case MK_MSG_SPAWNED:
		return sizeof(struct mk_msg_spawned);
	case MK_MSG_EXECED:
		return offsetof(struct mk_msg_execed, why);
	case MK_MSG_SYSCALL:
		return sizeof(struct mk_msg_syscall);
	case MK_MSG_EXIT:
		return sizeof(struct mk_msg_exit);
	case MK_MSG_UNMAP:
		return sizeof(struct mk_msg_unmap);
	case MK_MSG_UNPIN:
		return sizeof(struct mk_msg_unpin);
	default:
		return sizeof(struct mk_msg_hdr);
	}
}

/*
 * The next message of one of the wanted types (a bit mask of enum
 * mk_msg_type) into out (at most out_size bytes, zero-filled past what
 * came), carrying out unmaps on the way. A message shorter than its type
 * needs is refused (-EIO): the LWK sent a malformed one. 0, -ETIMEDOUT,
 * -ERESTARTSYS, or -ESRCH when the process or the LWK is gone.
 */
static int mk_proc_next(struct mk_proc *p, u32 wanted, void *out, u32 out_size, long timeout,
			u32 *from_core)
{
	u8 msg[MK_CHAN_PAYLOAD] __aligned(8);
	const struct mk_msg_hdr *h = (const void *)msg;
	u32 len = 0, core = 0;
	long left;

	for (;;) {
		bool got = false;

		spin_lock_irq(&p->lock);
		if (p->in_head != p->in_tail) {
			u32 slot = p->in_head % MK_INBOX;

			len = p->in_len[slot];
			core = p->in_core[slot];
			memcpy(msg, p->in_msg[slot], len);
			p->in_head++;
			got = true;
		}
		spin_unlock_irq(&p->lock);
		if (got) {
			if (h->type == MK_MSG_UNMAP && len >= sizeof(struct mk_msg_unmap)) {
				mk_proc_unmap(p, (const void *)msg, core);
				continue;
			}
			if (h->type == MK_MSG_UNPIN && len >= sizeof(struct mk_msg_unpin)) {
				mk_pin_release(&p->pins, ((const struct mk_msg_unpin *)msg)->id, true);
				continue;
			}
			if (h->type == MK_MSG_EXIT && len >= sizeof(struct mk_msg_exit)) {
				mk_proc_ended(p, ((const struct mk_msg_exit *)msg)->status,
					      (const void *)msg);
				/* Its memory is gone from the LWK: nothing maps the pins. */
				mk_pins_release_all(&p->pins);
			}
			if (h->type < 32 && (wanted & BIT(h->type))) {
				if (len < mk_msg_min_len(h->type)) {
					pr_warn("pid %d: a message of type %u is %u bytes, too short\n",
						p->pid, h->type, len);
					return -EIO;
				}
				memset(out, 0, out_size);
				memcpy(out, msg, min(len, out_size));
				if (from_core)
					*from_core = core;
				return 0;
			}
			if (h->type == MK_MSG_EXIT)
				return -ESRCH;
			continue; /* not what this caller waits for */
		}
		if (READ_ONCE(p->state) == MK_PROC_EXITED || !mk_lwk_active())
			return -ESRCH;
		left = wait_event_interruptible_timeout(p->wq,
				READ_ONCE(p->in_head) != READ_ONCE(p->in_tail) ||
				READ_ONCE(p->state) == MK_PROC_EXITED || !mk_lwk_active(),
				timeout);
		if (left < 0)
			return left;
		if (left == 0)
			return -ETIMEDOUT;
		timeout = left;
	}
}

/* --- the window --------------------------------------------------------- */

#define MK_PT_P 0x1ULL
#define MK_PT_W 0x2ULL
#define MK_PT_U 0x4ULL
#define MK_PT_A 0x20ULL
#define MK_PT_PS 0x80ULL
#define MK_PT_ADDR 0x000ffffffffff000ULL

static vm_fault_t mk_proc_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mk_proc *p = vma->vm_private_data;
	u64 va = vmf->address & PAGE_MASK, e = 0, span = 0, *ep = NULL;
	phys_addr_t table = READ_ONCE(p->page_table), phys;
	bool writable = true;
	pgprot_t prot;
	int level;

	if (!table || !mk_lwk_active())
		return VM_FAULT_SIGBUS;
	for (level = 4; level >= 1; level--) {
		if (!mk_phys_in_lwk(table, PAGE_SIZE))
			return VM_FAULT_SIGBUS;
		ep = &((u64 *)phys_to_virt(table))[(va >> (12 + 9 * (level - 1))) & 511];
		e = READ_ONCE(*ep);
		if (!(e & MK_PT_P) || !(e & MK_PT_U))
			return VM_FAULT_SIGBUS;
		writable &= !!(e & MK_PT_W);
		span = 1ULL << (12 + 9 * (level - 1));
		if (level == 1 || (level <= 3 && (e & MK_PT_PS)))
			break;
		table = e & MK_PT_ADDR;
	}
	phys = (e & MK_PT_ADDR & ~(span - 1)) + (va & (span - 1));
	if (!mk_phys_in_lwk(phys, PAGE_SIZE)) {
		/* A page of Linux's only if this process pinned it, as pinned. */
		bool pinned_writable;

		if (!mk_pins_lookup(&p->pins, PHYS_PFN(phys), &pinned_writable))
			return VM_FAULT_SIGBUS;
		writable &= pinned_writable;
	}
	if ((vmf->flags & FAULT_FLAG_WRITE) && !writable)
		return VM_FAULT_SIGBUS;
	/*
	 * The LWK learns that Linux holds the page (it must then ask Linux to
	 * drop it before reusing it), and, if mkexec may write it, that it is
	 * not a page nobody wrote (those it hands out as zeroed memory). The
	 * bits go into the very entry read, or the walk is not trusted (the
	 * LWK changed the entry meanwhile).
	 */
	for (;;) {
		u64 want = e | MK_PTE_LINUX_MAPPED | (writable ? MK_PTE_DIRTY : 0), was;

		if (want == e)
			break;
		was = cmpxchg64(ep, e, want);

		if (was == e)
			break;
		if ((was & (MK_PT_P | MK_PT_ADDR)) != (e & (MK_PT_P | MK_PT_ADDR)))
			return VM_FAULT_SIGBUS; /* unmapped meanwhile */
		/*
		 * Anything but the accessed and dirty bits (a CPU's) or the
		 * mapped bit (another fault's) changed: the LWK changed the
		 * page's rights, and read the entry without our bit, so it
		 * will not ask Linux to drop what we map. Let the access fault
		 * again and walk the new entry.
		 */
		if ((was ^ e) & ~(MK_PT_A | MK_PTE_DIRTY | MK_PTE_LINUX_MAPPED))
			return VM_FAULT_NOPAGE;
		e = was;
	}
	prot = vm_get_page_prot(writable ? VM_READ | VM_WRITE | VM_SHARED : VM_READ | VM_SHARED);
	return vmf_insert_pfn_prot(vma, va, PHYS_PFN(phys), prot);
}

static const struct vm_operations_struct mk_proc_vm_ops = {
	.fault = mk_proc_fault,
};

static int mk_proc_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mk_proc *p = file->private_data;

	if (vma->vm_start != MK_USER_WINDOW_START || vma->vm_end != MK_USER_WINDOW_END ||
	    vma->vm_pgoff || !(vma->vm_flags & VM_SHARED) || vma->vm_mm != p->mm) {
		pr_warn("pid %d: the process window must be mapped shared at exactly %#llx-%#llx\n",
			p->pid, MK_USER_WINDOW_START, MK_USER_WINDOW_END);
		return -EINVAL;
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

/* --- the process fd ------------------------------------------------------- */

static long mk_proc_exec_cmd(struct mk_proc *p, struct mk_proc_exec __user *uarg)
{
	struct mk_proc_exec req;
	struct mk_msg_exec m = {};
	struct mk_msg_execed ans;
	int ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req))
		return -EINVAL;
	if (READ_ONCE(p->state) != MK_PROC_CREATED)
		return -EBUSY;
	m.hdr = (struct mk_msg_hdr){ MK_MSG_EXEC, 0, p->pid, 0, ++p->seq };
	m.file_bytes = req.file_bytes;
	m.strings_offset = req.strings_offset;
	m.interp_offset = req.interp_offset;
	m.interp_bytes = req.interp_bytes;
	ret = mk_chan_send(p->core, &m, sizeof(m));
	if (!ret)
		ret = mk_proc_next(p, BIT(MK_MSG_EXECED), &ans, sizeof(ans),
				   msecs_to_jiffies(MK_ANSWER_MS), NULL);
	if (ret)
		return ret == -ETIMEDOUT ? -ETIMEDOUT : ret;
	req.error = ans.error;
	BUILD_BUG_ON(sizeof(req.why) < sizeof(ans.why));
	memset(req.why, 0, sizeof(req.why));
	memcpy(req.why, ans.why, sizeof(ans.why));
	req.why[sizeof(req.why) - 1] = '\0';
	if (!ans.error)
		WRITE_ONCE(p->state, MK_PROC_RUNNING);
	return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long mk_proc_wait_cmd(struct mk_proc *p, struct mk_proc_event __user *uarg)
{
	struct mk_proc_event ev = { .size = sizeof(ev) };
	struct mk_msg_syscall sc;
	u32 size, core = 0;
	int ret;

	if (get_user(size, &uarg->size))
		return -EFAULT;
	if (size != sizeof(ev))
		return -EINVAL;
	ret = mk_proc_next(p, BIT(MK_MSG_SYSCALL) | BIT(MK_MSG_INTERRUPT), &sc, sizeof(sc),
			   MAX_SCHEDULE_TIMEOUT, &core);
	if (ret == -ESRCH) {
		if (READ_ONCE(p->state) != MK_PROC_EXITED)
			mk_proc_ended(p, SIGKILL, NULL); /* the LWK is gone */
		ev = p->exit;
		ev.size = sizeof(ev);
	} else if (ret) {
		return ret;
	} else {
		ev.kind = sc.hdr.type == MK_MSG_SYSCALL ? MK_PROC_EVENT_SYSCALL : MK_PROC_EVENT_INTERRUPT;
		ev.tid = sc.hdr.tid;
		ev.seq = sc.hdr.seq;
		ev.core = core;
		ev.nr = sc.nr;
		memcpy(ev.args, sc.args, sizeof(ev.args));
	}
	return copy_to_user(uarg, &ev, sizeof(ev)) ? -EFAULT : 0;
}

static long mk_proc_reply_cmd(struct mk_proc *p, struct mk_proc_reply __user *uarg)
{
	struct mk_proc_reply req;
	struct mk_msg_reply m = {};

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req))
		return -EINVAL;
	if (READ_ONCE(p->state) != MK_PROC_RUNNING)
		return -ESRCH;
	m.hdr = (struct mk_msg_hdr){ MK_MSG_REPLY, 0, p->pid, req.tid, req.seq };
	m.ret = req.ret;
	return mk_chan_send(mk_proc_answer_core(p, req.core), &m, sizeof(m));
}

static long mk_proc_signal_cmd(struct mk_proc *p, struct mk_proc_signal __user *uarg)
{
	struct mk_proc_signal req;
	struct mk_msg_signal m = {};

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req))
		return -EINVAL;
	if (req.signal < 1 || req.signal > 64)
		return -EINVAL;
	if (READ_ONCE(p->state) != MK_PROC_RUNNING)
		return -ESRCH;
	m.hdr = (struct mk_msg_hdr){ MK_MSG_SIGNAL, 0, p->pid, 0, 0 };
	m.signal = req.signal;
	m.code = 0; /* SI_USER */
	m.sender_pid = req.sender_pid;
	m.sender_uid = req.sender_uid;
	return mk_chan_send(p->core, &m, sizeof(m));
}

static long mk_proc_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mk_proc *p = file->private_data;

	if (current->mm != p->mm)
		return -EPERM; /* only the mkexec that spawned it */
	switch (cmd) {
	case MK_PROC_IOC_EXEC:
		return mk_proc_exec_cmd(p, (void __user *)arg);
	case MK_PROC_IOC_WAIT:
		return mk_proc_wait_cmd(p, (void __user *)arg);
	case MK_PROC_IOC_REPLY:
		return mk_proc_reply_cmd(p, (void __user *)arg);
	case MK_PROC_IOC_SIGNAL:
		return mk_proc_signal_cmd(p, (void __user *)arg);
	case MK_PROC_IOC_PIN:
		if (READ_ONCE(p->state) != MK_PROC_RUNNING)
			return -ESRCH;
		return mk_pin_cmd(&p->pins, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static __poll_t mk_proc_poll(struct file *file, poll_table *wait)
{
	struct mk_proc *p = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &p->wq, wait);
	if (READ_ONCE(p->in_head) != READ_ONCE(p->in_tail))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(p->state) == MK_PROC_EXITED || !mk_lwk_active())
		mask |= EPOLLHUP;
	return mask;
}

/* mkexec is gone: the process goes too. */
static int mk_proc_release(struct inode *inode, struct file *file)
{
	struct mk_proc *p = file->private_data;
	struct mk_msg_kill kill = {};
	bool free;

	mutex_lock(&mk_procs_mutex);
	spin_lock_irq(&mk_procs_lock);
	p->fd_open = false;
	free = READ_ONCE(p->state) == MK_PROC_EXITED || !mk_lwk_active();
	if (free)
		list_del(&p->link);
	spin_unlock_irq(&mk_procs_lock);
	if (free) {
		mk_proc_free(p);
	} else {
		/* What is left in the inbox: unmaps answered, the rest dropped. */
		u8 msg[MK_CHAN_PAYLOAD] __aligned(8);

		while (mk_proc_next(p, 0, msg, sizeof(msg), 0, NULL) == 0)
			;
		kill.hdr = (struct mk_msg_hdr){ MK_MSG_KILL, 0, p->pid, 0, ++p->seq };
		kill.signal = SIGKILL;
		mk_chan_send(p->core, &kill, sizeof(kill));
		/* The LWK's unmap and exit for it are answered from the interrupt. */
	}
	mutex_unlock(&mk_procs_mutex);
	module_put(THIS_MODULE);
	return 0;
}

static const struct file_operations mk_proc_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mk_proc_ioctl,
	.mmap = mk_proc_mmap,
	.poll = mk_proc_poll,
	.release = mk_proc_release,
};

/* --- spawning ------------------------------------------------------------ */

/* Chooses the process's cores (LWK indices) under mk_part.lock. */
static int mk_choose_cores(struct mk_spawn_request *req, u64 *cores)
{
	u32 i, want = req->nr_cores ? req->nr_cores : 1, n = 0;
	bool by_cpu = false;

	*cores = 0;
	for (i = 0; i < MK_CPUMASK_WORDS; i++)
		by_cpu |= req->cpus.bits[i] != 0;
	for (i = 0; i < mk_inst.nr_cpus && i < 64; i++) {
		u32 cpu = mk_inst.core_cpu[i];
		bool asked = cpu < MK_MAX_CPUS && (req->cpus.bits[cpu / 64] & BIT_ULL(cpu % 64));

		if (by_cpu ? !asked : n == want)
			continue;
		if (test_bit(i, mk_inst.busy_cores)) {
			if (by_cpu) {
				mk_refuse(req->msg, "CPU %u is running another LWK program", cpu);
				return -EBUSY;
			}
			continue;
		}
		*cores |= BIT_ULL(i);
		n++;
	}
	if (by_cpu) {
		for (i = 0; i < MK_MAX_CPUS; i++)
			if ((req->cpus.bits[i / 64] & BIT_ULL(i % 64))) {
				u32 k;
				bool found = false;

				for (k = 0; k < mk_inst.nr_cpus; k++)
					found |= mk_inst.core_cpu[k] == i;
				if (!found) {
					mk_refuse(req->msg, "CPU %u is not an LWK core (mkctl status lists them)", i);
					return -EINVAL;
				}
			}
	} else if (n < want) {
		mk_refuse(req->msg, "%u LWK core%s asked for, %u free (of %u)", want,
			  want == 1 ? "" : "s", n, mk_inst.nr_cpus);
		return -EBUSY;
	}
	for (i = 0; i < 64; i++)
		if (*cores & BIT_ULL(i))
			set_bit(i, mk_inst.busy_cores);
	return 0;
}

int mk_cmd_spawn(struct mk_spawn_request *req)
{
	struct mk_msg_spawn m = {};
	struct mk_msg_spawned ans;
	struct mk_proc *p;
	struct file *file;
	ktime_t mono, real;
	u64 cores;
	u32 i;
	int ret, fd;

	req->msg[0] = '\0';
	if (READ_ONCE(mk_inst.state) != MK_STATE_RUNNING) {
		mk_refuse(req->msg, "no LWK is running: boot one first (mkctl boot)");
		return -ENODEV;
	}
	if (!req->staging_bytes || req->staging_bytes > (256ULL << 20)) {
		mk_refuse(req->msg, "a program of up to 256 MiB, with its arguments");
		return -E2BIG;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	spin_lock_init(&p->lock);
	init_waitqueue_head(&p->wq);
	mk_pins_init(&p->pins);
	p->pid = task_tgid_nr(current);
	p->mm = current->mm;
	mmgrab(p->mm);
	p->fd_open = true;
	p->state = MK_PROC_SPAWNING;
	strscpy(p->program, req->program, sizeof(p->program));

	ret = mutex_lock_killable(&mk_part.lock);
	if (ret)
		goto out_free;
	ret = mk_choose_cores(req, &cores);
	mutex_unlock(&mk_part.lock);
	if (ret)
		goto out_free;
	p->cores = cores;
	p->core = __ffs64(cores);

	spin_lock_irq(&mk_procs_lock);
	if (mk_proc_find(p->pid)) {
		spin_unlock_irq(&mk_procs_lock);
		mk_refuse(req->msg, "this process already runs an LWK program");
		ret = -EBUSY;
		goto out_free;
	}
	list_add(&p->link, &mk_procs);
	spin_unlock_irq(&mk_procs_lock);

	/* Linux's clocks at one TSC reading, for the LWK's clock_gettime. */
	local_irq_disable();
	m.clock_tsc = rdtsc_ordered();
	mono = ktime_get();
	real = ktime_get_real();
	local_irq_enable();
	m.clock_mono_ns = ktime_to_ns(mono);
	m.clock_real_ns = ktime_to_ns(real);
	/* As /proc/<pid>/stat gives it: peers (UCX) compare it to know the process. */
	m.start_ticks = div_u64(current->group_leader->start_boottime, NSEC_PER_SEC / USER_HZ);
	m.hdr = (struct mk_msg_hdr){ MK_MSG_SPAWN, 0, p->pid, 0, ++p->seq };
	m.cores = cores;
	m.staging_bytes = req->staging_bytes;
	m.ppid = task_tgid_nr(current->real_parent);
	m.uid = from_kuid(&init_user_ns, current_uid());
	m.gid = from_kgid(&init_user_ns, current_gid());
	m.stack_limit = req->stack_limit;
	ret = mk_chan_send(p->core, &m, sizeof(m));
	if (!ret)
		ret = mk_proc_next(p, BIT(MK_MSG_SPAWNED), &ans, sizeof(ans),
				   msecs_to_jiffies(MK_ANSWER_MS), NULL);
	if (!ret && ans.error)
		ret = -ans.error;
	if (ret) {
		mk_refuse(req->msg, "the LWK could not create the process (%d)", ret);
		goto out_unlist;
	}
	if (!mk_phys_in_lwk(ans.page_table, PAGE_SIZE) ||
	    ans.staging < MK_USER_WINDOW_START || ans.staging >= MK_USER_WINDOW_END) {
		mk_refuse(req->msg, "the LWK answered with addresses outside its memory");
		ret = -EIO;
		goto out_unlist;
	}
	p->page_table = ans.page_table;
	p->staging = ans.staging;
	p->state = MK_PROC_CREATED;

	__module_get(THIS_MODULE); /* for the file */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_put;
	}
	file = anon_inode_getfile("[mk-process]", &mk_proc_fops, p, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto out_put;
	}
	fd_install(fd, file);
	req->fd = fd;
	req->staging = p->staging;
	memset(&req->got, 0, sizeof(req->got));
	for (i = 0; i < 64; i++)
		if (cores & BIT_ULL(i))
			req->got.bits[mk_inst.core_cpu[i] / 64] |= BIT_ULL(mk_inst.core_cpu[i] % 64);
	return 0;

out_put:
	module_put(THIS_MODULE);
out_unlist:
	/* The LWK may hold a process for it: it goes when its KILL arrives. */
	spin_lock_irq(&mk_procs_lock);
	p->fd_open = false;
	spin_unlock_irq(&mk_procs_lock);
	if (p->state != MK_PROC_SPAWNING || ret == -ETIMEDOUT || ret == -ERESTARTSYS) {
		struct mk_msg_kill kill = {};

		kill.hdr = (struct mk_msg_hdr){ MK_MSG_KILL, 0, p->pid, 0, ++p->seq };
		kill.signal = SIGKILL;
		mk_chan_send(p->core, &kill, sizeof(kill));
		return ret; /* freed when the LWK reports the exit */
	}
	spin_lock_irq(&mk_procs_lock);
	list_del(&p->link);
	spin_unlock_irq(&mk_procs_lock);
out_free:
	mk_proc_free(p);
	return ret;
}

/* The programs for mkctl status. */
void mk_procs_status(struct mk_status *st)
{
	struct mk_boot_params *bp = READ_ONCE(mk_inst.bp);
	struct mk_proc *p;
	u32 n = 0;

	spin_lock_irq(&mk_procs_lock);
	list_for_each_entry(p, &mk_procs, link) {
		struct mk_proc_info *info = &st->procs[n];

		if (!p->fd_open || n == MK_MAX_PROCS)
			continue;
		info->pid = p->pid;
		info->state = p->state == MK_PROC_RUNNING ? 1 : p->state == MK_PROC_EXITED ? 2 : 0;
		info->cores = p->cores;
		if (bp && READ_ONCE(bp->cpus[p->core].pid) == p->pid)
			info->user_bytes = READ_ONCE(bp->cpus[p->core].user_bytes);
		memcpy(info->program, p->program, sizeof(info->program));
		n++;
	}
	spin_unlock_irq(&mk_procs_lock);
	st->nr_procs = n;
}

/*
 * The LWK is stopping: every process ends (SIGKILL), its window is emptied
 * before the memory goes back to Linux, and waiters wake up.
 */
void mk_procs_kill_all(void)
{
	struct mk_proc *p, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&mk_procs_mutex);
	spin_lock_irq(&mk_procs_lock);
	list_for_each_entry_safe(p, tmp, &mk_procs, link) {
		if (!p->fd_open)
			list_move(&p->link, &gone);
	}
	spin_unlock_irq(&mk_procs_lock);
	list_for_each_entry_safe(p, tmp, &gone, link) {
		list_del(&p->link);
		mk_proc_free(p);
	}
	/* The rest have an mkexec: drop their view, let them see the end. */
	spin_lock_irq(&mk_procs_lock);
	list_for_each_entry(p, &mk_procs, link) {
		if (READ_ONCE(p->state) != MK_PROC_EXITED)
			mk_proc_ended(p, SIGKILL, NULL);
	}
	spin_unlock_irq(&mk_procs_lock);
	list_for_each_entry(p, &mk_procs, link) {
		if (mmget_not_zero(p->mm)) {
			mk_proc_zap(p, p->mm, MK_USER_WINDOW_START,
				    MK_USER_WINDOW_END - MK_USER_WINDOW_START);
			mmput(p->mm);
		}
		wake_up(&p->wq);
	}
	mutex_unlock(&mk_procs_mutex);
	flush_work(&mk_procs_reaper);
}
