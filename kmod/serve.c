// SPDX-License-Identifier: GPL-2.0
/*
 * Serving forwarded system calls with one wake-up each. An mkexec server
 * thread that serves LWK thread tid waits in MK_PROC_IOC_SERVE; the
 * doorbell hands tid's next call straight to it (mk_serve_take, under the
 * process's lock) and wakes that one task. Its reply and its next wait are
 * one ioctl, and it is registered as tid's waiter before the reply leaves,
 * so the thread's next call always finds it. Calls of a thread nobody waits
 * for go to the inbox and MK_PROC_IOC_WAIT, as before.
 */
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "process.h"

/* Servers waiting at once, per process: as many threads as make calls. */
#define MK_SERVE_MAX_WAITERS 4096

struct mk_serve_waiter {
	struct list_head link;       /* in mk_proc.waiters, under its lock */
	struct task_struct *task;
	s32 tid;
	bool filled;
	u32 core;
	struct mk_msg_syscall msg;
};

/* The core to answer a call from core on: that one, if it is the process's. */
u32 mk_proc_answer_core(struct mk_proc *p, u32 core)
{
	return core < 64 && (p->cores & BIT_ULL(core)) ? core : p->core;
}

int mk_proc_send_reply(struct mk_proc *p, const struct mk_proc_reply *req)
{
	struct mk_msg_reply m = {};

	m.hdr = (struct mk_msg_hdr){ MK_MSG_REPLY, 0, p->pid, req->tid, req->seq };
	m.ret = req->ret;
	return mk_chan_send(mk_proc_answer_core(p, req->core), &m, sizeof(m));
}

/*
 * From the doorbell, under p->lock: hands a system call to the server
 * waiting for its thread, if there is one. The waiter leaves the list here,
 * and is woken before the lock is let go, so it cannot have returned (its
 * record is on its stack) while it is used.
 */
bool mk_serve_take(struct mk_proc *p, u32 core, const void *msg, u32 len)
{
	const struct mk_msg_hdr *h = msg;
	struct mk_serve_waiter *w;

	if (h->type != MK_MSG_SYSCALL || len < sizeof(w->msg))
		return false;
	list_for_each_entry(w, &p->waiters, link) {
		if (w->tid != h->tid)
			continue;
		memcpy(&w->msg, msg, sizeof(w->msg));
		w->core = core;
		w->filled = true;
		list_del_init(&w->link);
		wake_up_process(w->task);
		return true;
	}
	return false;
}

/* The process ended or the LWK stopped: every waiter looks again. */
void mk_serve_wake_all(struct mk_proc *p)
{
	struct mk_serve_waiter *w;
	unsigned long flags;

	spin_lock_irqsave(&p->lock, flags);
	list_for_each_entry(w, &p->waiters, link)
		wake_up_process(w->task);
	spin_unlock_irqrestore(&p->lock, flags);
}

/*
 * MK_SERVE_POLL: spins on core's ring, keeping it awake, until the call
 * comes (0), the process or the LWK ends (-ESRCH), a signal (-EINTR) or
 * the timeout (-ETIMEDOUT); then the ring goes back to doorbells. Yields
 * the CPU whenever Linux wants it (cond_resched).
 */
static int mk_serve_poll(struct mk_proc *p, struct mk_serve_waiter *w, u32 core, int ret,
			 long timeout)
{
	unsigned long end = jiffies + (timeout == MAX_SCHEDULE_TIMEOUT ? 0 : timeout);

	while (!ret) {
		mk_chan_poll(core, true);
		if (READ_ONCE(w->filled))
			break;
		if (READ_ONCE(p->state) == MK_PROC_EXITED || !mk_lwk_active())
			ret = -ESRCH;
		else if (signal_pending(current))
			ret = -EINTR;
		else if (timeout != MAX_SCHEDULE_TIMEOUT && time_after(jiffies, end))
			ret = -ETIMEDOUT;
		cond_resched();
		cpu_relax();
	}
	mk_chan_poll(core, false);
	return READ_ONCE(w->filled) ? 0 : ret;
}

long mk_proc_serve_cmd(struct mk_proc *p, struct mk_proc_serve __user *uarg)
{
	struct mk_proc_serve req;
	struct mk_serve_waiter w = { .task = current }, *other;
	unsigned int waiting = 0;
	bool busy = false;
	struct mk_proc_event ev = { .size = sizeof(ev) };
	long timeout;
	bool filled;
	int ret = 0;

	if (copy_from_user(&req, uarg, offsetof(struct mk_proc_serve, ev)))
		return -EFAULT;
	if (req.size != sizeof(req) || (req.flags & ~(MK_SERVE_REPLY | MK_SERVE_POLL)) || req.tid <= 0)
		return -EINVAL;
	if ((req.flags & MK_SERVE_REPLY) &&
	    (req.reply.size != sizeof(req.reply) || req.reply.tid != req.tid))
		return -EINVAL;
	if (READ_ONCE(p->state) != MK_PROC_RUNNING)
		return -ESRCH;
	w.tid = req.tid;
	/*
	 * One server per thread, and a bounded list: the doorbell walks it
	 * with interrupts off. A server turned away still sends its reply
	 * (then -EBUSY): the thread's next call goes to the one that waits,
	 * or to MK_PROC_IOC_WAIT.
	 */
	spin_lock_irq(&p->lock);
	list_for_each_entry(other, &p->waiters, link) {
		if (other->tid == w.tid || ++waiting >= MK_SERVE_MAX_WAITERS) {
			busy = true;
			break;
		}
	}
	if (!busy)
		list_add(&w.link, &p->waiters);
	spin_unlock_irq(&p->lock);
	/* A poller keeps the ring awake before the reply leaves: the next call may follow at once. */
	if ((req.flags & MK_SERVE_POLL) && !busy)
		mk_chan_poll(mk_proc_answer_core(p, req.reply.core), true);
	if (req.flags & MK_SERVE_REPLY)
		ret = mk_proc_send_reply(p, &req.reply);
	if (busy)
		return ret ? ret : -EBUSY;
	timeout = req.timeout_ms ? msecs_to_jiffies(req.timeout_ms) : MAX_SCHEDULE_TIMEOUT;
	if (req.flags & MK_SERVE_POLL)
		ret = mk_serve_poll(p, &w, mk_proc_answer_core(p, req.reply.core), ret, timeout);
	/*
	 * A signal ends the wait (-EINTR; the reply is sent): the server
	 * comes back without the reply, and if the thread's next call came in
	 * between, it went to MK_PROC_IOC_WAIT and its new server, and this
	 * one is turned away (-EBUSY). Sleeping interruptibly keeps job
	 * control and the freezer working.
	 */
	while (!ret) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (READ_ONCE(w.filled))
			break;
		if (READ_ONCE(p->state) == MK_PROC_EXITED || !mk_lwk_active())
			ret = -ESRCH;
		else if (signal_pending(current))
			ret = -EINTR;
		else if (!timeout)
			ret = -ETIMEDOUT;
		else {	/* a second at most: the LWK may stop without a word */
			long slice = min_t(long, timeout, HZ);
			long left = schedule_timeout(slice);

			if (timeout != MAX_SCHEDULE_TIMEOUT)
				timeout -= slice - left;
		}
	}
	__set_current_state(TASK_RUNNING);
	/* A call that came after all is taken, whatever else happened. */
	spin_lock_irq(&p->lock);
	filled = w.filled;
	if (!filled)
		list_del(&w.link);
	spin_unlock_irq(&p->lock);
	if (!filled)
		return ret;
	ev.kind = MK_PROC_EVENT_SYSCALL;
	ev.tid = w.msg.hdr.tid;
	ev.seq = w.msg.hdr.seq;
	ev.core = w.core;
	ev.nr = w.msg.nr;
	memcpy(ev.args, w.msg.args, sizeof(ev.args));
	return copy_to_user(&uarg->ev, &ev, sizeof(ev)) ? -EFAULT : 0;
}
