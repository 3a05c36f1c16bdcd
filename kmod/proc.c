// SPDX-License-Identifier: GPL-2.0
/*
 * LWK processes as Linux sees them: one per mkexec, through a process fd
 * (spawn.c creates it; window.c is the window mkexec maps).
 *
 * Messages from the LWK land in the process's inbox (doorbell interrupt).
 * mkexec takes them with MK_PROC_IOC_WAIT; requests to drop part of the
 * window (MK_MSG_UNMAP) are carried out on the way, in mkexec's context and
 * under its mmap lock for writing, so no fault can insert a stale page.
 * When mkexec goes away first, the process is killed and its remaining
 * messages are answered from the interrupt.
 */
#include <linux/fs.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "process.h"

LIST_HEAD(mk_procs);
DEFINE_SPINLOCK(mk_procs_lock);     /* the list and fd_open; taken in the interrupt */
static DEFINE_MUTEX(mk_procs_mutex);       /* release against mk_procs_kill_all */

/* Processes freed from the interrupt go through a work item. */
static LLIST_HEAD(mk_procs_dead);
static void mk_procs_reap(struct work_struct *work);
static DECLARE_WORK(mk_procs_reaper, mk_procs_reap);

struct mk_proc *mk_proc_find(pid_t pid)
{
	struct mk_proc *p;

	list_for_each_entry(p, &mk_procs, link)
		if (p->pid == pid)
			return p;
	return NULL;
}

void mk_proc_free(struct mk_proc *p)
{
	u32 i;

	/* Counts of an LWK that has ended since were reset by the next boot. */
	for (i = 0; i < MK_MAX_LWK_CPUS && i < 64; i++)
		if ((p->counted_cores & BIT_ULL(i)) && p->boot_gen == READ_ONCE(mk_inst.boot_gen)) {
			/* never below 0, should a boot reset them meanwhile */
			atomic_dec_if_positive(&mk_inst.core_users[i]);
			if (p->sole)
				atomic_dec_if_positive(&mk_inst.core_sole[i]);
		}
	mk_pins_release_all(&p->pins);
	mk_proc_drop_viewers(p);
	mk_proc_put_inode(p);
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
	mk_serve_wake_all(p);
}

static void mk_send_unmapped(u32 core, const struct mk_msg_unmap *req)
{
	struct mk_msg_unmap ack = *req;

	ack.hdr.type = MK_MSG_UNMAPPED;
	mk_chan_send(core, &ack, sizeof(ack));
}

/*
 * From the doorbell: a message for a process. false when its inbox is
 * full: the channel holds the message until mkexec takes one (nothing is
 * dropped).
 */
bool mk_proc_deliver(u32 core, const void *msg, u32 len)
{
	const struct mk_msg_hdr *h = msg;
	struct mk_proc *p;
	unsigned long flags;
	bool free = false, room;

	if (len < sizeof(*h))
		return true;
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
		return true;
	}
	spin_lock(&p->lock);
	if (mk_serve_take(p, core, msg, len)) {
		/* Straight to the server waiting for this thread: one wake-up. */
		spin_unlock(&p->lock);
		spin_unlock_irqrestore(&mk_procs_lock, flags);
		return true;
	}
	room = p->in_tail - p->in_head < MK_INBOX;
	if (room) {
		u32 slot = p->in_tail % MK_INBOX;

		memcpy(p->in_msg[slot], msg, len);
		p->in_len[slot] = len;
		p->in_core[slot] = core;
		p->in_tail++;
	} else {
		p->in_stalled = true;
	}
	spin_unlock(&p->lock);
	spin_unlock_irqrestore(&mk_procs_lock, flags);
	wake_up(&p->wq);
	return room;
}

/* MK_MSG_UNMAP in mkexec's context (or with its mm borrowed). */
static void mk_proc_unmap(struct mk_proc *p, const struct mk_msg_unmap *m, u32 core)
{
	mk_proc_zap_all(p, m->start, m->len);
	/* A pin sink in the range may be freed once answered: no write is in flight. */
	mutex_lock(&p->sink_lock);
	mk_send_unmapped(mk_proc_answer_core(p, core), m);
	mutex_unlock(&p->sink_lock);
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
int mk_proc_next(struct mk_proc *p, u32 wanted, void *out, u32 out_size, long timeout,
			u32 *from_core)
{
	u8 msg[MK_CHAN_PAYLOAD] __aligned(8);
	const struct mk_msg_hdr *h = (const void *)msg;
	u32 len = 0, core = 0;
	long left;

	for (;;) {
		bool got = false, stalled = false;

		spin_lock_irq(&p->lock);
		if (p->in_head != p->in_tail) {
			u32 slot = p->in_head % MK_INBOX;

			len = p->in_len[slot];
			core = p->in_core[slot];
			memcpy(msg, p->in_msg[slot], len);
			p->in_head++;
			got = true;
			stalled = p->in_stalled;
			p->in_stalled = false;
		}
		spin_unlock_irq(&p->lock);
		/* A channel held a message for lack of room: there is room now. */
		if (stalled)
			while (mk_chan_drain(MK_INBOX))
				cond_resched(); /* a ring left mid-way would never ring again */
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

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.size != sizeof(req))
		return -EINVAL;
	if (READ_ONCE(p->state) != MK_PROC_RUNNING)
		return -ESRCH;
	return mk_proc_send_reply(p, &req);
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
	case MK_PROC_IOC_SERVE:
		return mk_proc_serve_cmd(p, (void __user *)arg);
	case MK_PROC_IOC_PIN:
		if (READ_ONCE(p->state) != MK_PROC_RUNNING)
			return -ESRCH;
		return mk_pin_cmd(&p->pins, (void __user *)arg, mk_proc_fill_sink, p);
	case MK_PROC_IOC_REFAULT:
		if (READ_ONCE(p->state) != MK_PROC_RUNNING)
			return -ESRCH;
		return mk_track_refault_cmd(p, (void __user *)arg);
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

/*
 * Under mk_procs_lock, as mkexec's fd closes: what came after the last drain
 * is handled as the interrupt would (unmaps answered, an exit noted, the
 * rest dropped). true when a channel holds more for it.
 */
static bool mk_proc_drop_inbox(struct mk_proc *p)
{
	bool stalled;

	spin_lock(&p->lock);
	for (; p->in_head != p->in_tail; p->in_head++) {
		u32 slot = p->in_head % MK_INBOX;
		const struct mk_msg_hdr *h = (const void *)p->in_msg[slot];
		u32 len = p->in_len[slot];

		if (h->type == MK_MSG_UNMAP && len >= sizeof(struct mk_msg_unmap))
			mk_send_unmapped(p->in_core[slot], (const void *)h);
		if (h->type == MK_MSG_EXIT)
			WRITE_ONCE(p->state, MK_PROC_EXITED);
	}
	stalled = p->in_stalled;
	p->in_stalled = false;
	spin_unlock(&p->lock);
	return stalled;
}

/*
 * mkexec of p is gone while its program ran (killed): the program's forks'
 * children on the LWK, and theirs, end too (SIGKILL), as the program does,
 * so that a killed job leaves no LWK program behind. A program that ended
 * by itself, or one that called execve (its mkexec execs, the old process
 * goes with the old image's descriptor), leaves its children running, as
 * on Linux.
 */
static void mk_proc_kill_forks(struct mk_proc *p)
{
	pid_t pids[MK_MAX_PROCS];
	u64 serials[MK_MAX_PROCS];
	u32 cores[MK_MAX_PROCS], n = 0, done = 0, i;
	struct mk_proc *q;

	pids[n] = p->pid;
	serials[n] = p->serial;
	cores[n++] = p->core;
	spin_lock_irq(&mk_procs_lock);
	for (; done < n; done++)
		list_for_each_entry(q, &mk_procs, link) {
			enum mk_proc_state st = READ_ONCE(q->state);

			if (n < MK_MAX_PROCS && q->fork_parent == serials[done] && q->fd_open &&
			    (st == MK_PROC_RUNNING || st == MK_PROC_SPAWNING) && q->boot_gen == p->boot_gen) {
				pids[n] = q->pid;
				serials[n] = q->serial;
				cores[n++] = q->core;
			}
		}
	spin_unlock_irq(&mk_procs_lock);
	for (i = 1; i < n; i++) {
		struct mk_msg_kill kill = {};

		kill.hdr = (struct mk_msg_hdr){ MK_MSG_KILL, 0, pids[i], 0, 0 };
		kill.signal = SIGKILL;
		mk_chan_send(cores[i], &kill, sizeof(kill));
	}
}

/*
 * Whether mkexec of p has called execve (its process lives on, with
 * another memory) rather than ended: whichever task drops the last
 * reference to the process fd.
 */
static bool mk_proc_execed(struct mk_proc *p)
{
	struct task_struct *t;
	bool execed;

	rcu_read_lock();
	t = pid_task(find_pid_ns(p->pid, &init_pid_ns), PIDTYPE_PID);
	execed = t && !(READ_ONCE(t->flags) & PF_EXITING) && READ_ONCE(t->mm) && READ_ONCE(t->mm) != p->mm;
	rcu_read_unlock();
	return execed;
}

/* mkexec is gone: the process goes too. */
static int mk_proc_release(struct inode *inode, struct file *file)
{
	struct mk_proc *p = file->private_data;
	u8 msg[MK_CHAN_PAYLOAD] __aligned(8);
	struct mk_msg_kill kill = {};
	bool free, stalled;

	mutex_lock(&mk_procs_mutex);
	if (READ_ONCE(p->state) != MK_PROC_EXITED && mk_lwk_active()) {
		kill.hdr = (struct mk_msg_hdr){ MK_MSG_KILL, 0, p->pid, 0, ++p->seq };
		kill.signal = SIGKILL;
		mk_chan_send(p->core, &kill, sizeof(kill));
		/* Not for an execve of the program (its mkexec execs, same pid). */
		if (!mk_proc_execed(p))
			mk_proc_kill_forks(p);
		/*
		 * The inbox (unmaps answered, the rest dropped) while the
		 * doorbell still queues to it: the interrupt frees a process
		 * whose fd is closed when its exit comes, never under this.
		 */
		while (mk_proc_next(p, 0, msg, sizeof(msg), 0, NULL) == 0)
			;
	}
	spin_lock_irq(&mk_procs_lock);
	stalled = mk_proc_drop_inbox(p);
	/* From here the interrupt answers for it, and frees it at its exit. */
	p->fd_open = false;
	free = READ_ONCE(p->state) == MK_PROC_EXITED || !mk_lwk_active();
	if (free)
		list_del(&p->link);
	spin_unlock_irq(&mk_procs_lock);
	if (stalled) /* a channel held messages for lack of room: to the interrupt's path */
		while (mk_chan_drain(MK_INBOX))
			cond_resched();
	if (free)
		mk_proc_free(p);
	mutex_unlock(&mk_procs_mutex);
	module_put(THIS_MODULE);
	return 0;
}

const struct file_operations mk_proc_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mk_proc_ioctl,
	.mmap = mk_proc_mmap,
	.poll = mk_proc_poll,
	.release = mk_proc_release,
};

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
		/* No pin-sink write reaches the memory about to go back to Linux. */
		mutex_lock(&p->sink_lock);
		mutex_unlock(&p->sink_lock);
		mk_proc_zap_all(p, MK_USER_WINDOW_START, MK_USER_WINDOW_END - MK_USER_WINDOW_START);
		wake_up(&p->wq);
	}
	mutex_unlock(&mk_procs_mutex);
	flush_work(&mk_procs_reaper);
}
