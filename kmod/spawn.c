// SPDX-License-Identifier: GPL-2.0
/*
 * Creating an LWK process (MK_IOC_SPAWN): its cores are chosen, an LWK core
 * creates it, and mkexec gets its process fd. Or a fork's child on the LWK
 * (MK_SPAWN_FORK): the LWK makes it from the image the parent's forking
 * thread left, and it runs at once. Also the programs' lines of
 * mkctl status.
 */
#include <linux/file.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/tsc.h>

#include "process.h"

static atomic64_t mk_proc_serials = ATOMIC64_INIT(0);

/* Counts p on cores (alone there if sole), under mk_part.lock. */
static void mk_count_cores(struct mk_proc *p, u64 cores, bool sole)
{
	u32 i;

	p->sole = sole;
	p->boot_gen = mk_inst.boot_gen;
	p->counted_cores = cores;
	for (i = 0; i < 64; i++)
		if (cores & BIT_ULL(i)) {
			atomic_inc(&mk_inst.core_users[i]);
			if (p->sole)
				atomic_inc(&mk_inst.core_sole[i]);
		}
}

/*
 * Chooses the process's cores (LWK indices) under mk_part.lock and counts
 * p on them: free ones, or with MK_SPAWN_SHARE_CORES the asked CPUs even
 * if other programs that share too run there (never one that did not ask
 * to share: a core given alone stays alone).
 */
static int mk_choose_cores(struct mk_spawn_request *req, struct mk_proc *p, u64 *cores)
{
	u32 i, want = req->nr_cores ? req->nr_cores : 1, n = 0;
	bool by_cpu = false, share = req->flags & MK_SPAWN_SHARE_CORES;

	if (READ_ONCE(mk_inst.state) != MK_STATE_RUNNING) { /* it ended meanwhile */
		mk_refuse(req->msg, "no LWK is running: boot one first (mkctl boot)");
		return -ENODEV;
	}

	*cores = 0;
	for (i = 0; i < MK_CPUMASK_WORDS; i++)
		by_cpu |= req->cpus.bits[i] != 0;
	for (i = 0; i < mk_inst.nr_cpus && i < 64; i++) {
		u32 cpu = mk_inst.core_cpu[i];
		bool asked = cpu < MK_MAX_CPUS && (req->cpus.bits[cpu / 64] & BIT_ULL(cpu % 64));

		if (by_cpu ? !asked : n == want)
			continue;
		if (atomic_read(share && by_cpu ? &mk_inst.core_sole[i] : &mk_inst.core_users[i])) {
			if (by_cpu) {
				if (share)
					mk_refuse(req->msg,
						  "CPU %u is running another LWK program, one that does not share it",
						  cpu);
				else
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
	mk_count_cores(p, *cores, !(share && by_cpu));
	return 0;
}

/*
 * The process of the fork that names a process fd (MK_SPAWN_FORK): only a
 * child of that process's mkexec may make it (mkexec forked, and its child
 * takes the LWK's image of the program's child). The file is held until
 * the spawn is over.
 */
static int mk_fork_parent(struct mk_spawn_request *req, struct file **filep, struct mk_proc **parentp)
{
	struct file *f = fget(req->fork_fd);
	struct task_struct *rp;
	struct mk_proc *parent;
	bool ours;

	if (!f || f->f_op != &mk_proc_fops) {
		if (f)
			fput(f);
		mk_refuse(req->msg, "a fork names the parent's process fd");
		return -EBADF;
	}
	parent = f->private_data;
	rcu_read_lock();
	rp = rcu_dereference(current->real_parent);
	ours = rp && READ_ONCE(rp->mm) == parent->mm && current->mm != parent->mm;
	rcu_read_unlock();
	if (!ours) {
		fput(f);
		mk_refuse(req->msg, "only a child of the program's mkexec makes its fork's child");
		return -EPERM;
	}
	if (READ_ONCE(parent->state) != MK_PROC_RUNNING) {
		fput(f);
		mk_refuse(req->msg, "the forking program is not running");
		return -ESRCH;
	}
	*filep = f;
	*parentp = parent;
	return 0;
}

/*
 * A fork's child runs on its parent's cores (taking turns with its
 * threads), or with MK_SPAWN_FORK_FREE on an LWK core no program uses, if
 * there is one, alone there. Under mk_part.lock.
 */
static int mk_choose_fork_cores(struct mk_spawn_request *req, u64 parent_cores, u32 parent_gen,
				struct mk_proc *p, u64 *cores)
{
	u32 i;

	if (READ_ONCE(mk_inst.state) != MK_STATE_RUNNING || parent_gen != mk_inst.boot_gen) {
		mk_refuse(req->msg, "the LWK the program ran on has ended");
		return -ENODEV;
	}
	if (req->flags & MK_SPAWN_FORK_FREE)
		for (i = 0; i < mk_inst.nr_cpus && i < 64; i++)
			if (!atomic_read(&mk_inst.core_users[i])) {
				*cores = BIT_ULL(i);
				mk_count_cores(p, *cores, true);
				return 0;
			}
	*cores = parent_cores;
	mk_count_cores(p, *cores, false);
	return 0;
}

/*
 * MK_SPAWN_NEAR_PARENT: the program's parent is an LWK program whose forks
 * make children on the LWK (the caller is the next image of such a child,
 * after its execve): its cores, boot and serial, if so. The caller's parent
 * must be that program's mkexec.
 */
static bool mk_near_parent(u64 *cores, u32 *gen, u64 *serial)
{
	struct task_struct *rp;
	struct mk_proc *q;
	bool found = false;

	rcu_read_lock();
	rp = rcu_dereference(current->real_parent);
	spin_lock_irq(&mk_procs_lock);
	list_for_each_entry(q, &mk_procs, link)
		if (rp && q->pid == task_tgid_nr(rp) && q->mm == READ_ONCE(rp->mm) && q->fd_open &&
		    q->fork_lwk && READ_ONCE(q->state) == MK_PROC_RUNNING) {
			*cores = q->cores;
			*gen = q->boot_gen;
			*serial = q->serial;
			found = true;
			break;
		}
	spin_unlock_irq(&mk_procs_lock);
	rcu_read_unlock();
	return found;
}

int mk_cmd_spawn(struct mk_spawn_request *req)
{
	struct mk_msg_spawn m = {};
	struct mk_msg_spawned ans;
	struct mk_proc *p, *parent = NULL;
	struct file *file, *parent_file = NULL;
	const u32 known = MK_SPAWN_SHARE_CORES | MK_SPAWN_FORK_LWK | MK_SPAWN_FORK | MK_SPAWN_FORK_FREE |
			  MK_SPAWN_NEAR_PARENT;
	const bool fork = req->flags & MK_SPAWN_FORK;
	bool near = false, started = false;
	u64 near_cores = 0, near_serial = 0;
	u32 near_gen = 0;
	ktime_t mono, real;
	u64 cores;
	u32 i;
	int ret, fd;

	req->msg[0] = '\0';
	if (READ_ONCE(mk_inst.state) != MK_STATE_RUNNING) {
		mk_refuse(req->msg, "no LWK is running: boot one first (mkctl boot)");
		return -ENODEV;
	}
	if (req->flags & ~known) {
		mk_refuse(req->msg, "unknown spawn flags %#x", req->flags & ~known);
		return -EINVAL;
	}
	if (!fork && (!req->staging_bytes || req->staging_bytes > (256ULL << 20))) {
		mk_refuse(req->msg, "a program of up to 256 MiB, with its arguments");
		return -E2BIG;
	}
	if (fork) {
		ret = mk_fork_parent(req, &parent_file, &parent);
		if (ret)
			return ret;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		if (parent_file)
			fput(parent_file);
		return -ENOMEM;
	}
	spin_lock_init(&p->lock);
	mutex_init(&p->sink_lock);
	spin_lock_init(&p->view_lock);
	init_waitqueue_head(&p->wq);
	INIT_LIST_HEAD(&p->waiters);
	mk_pins_init(&p->pins);
	p->pid = task_tgid_nr(current);
	p->serial = atomic64_inc_return(&mk_proc_serials);
	p->mm = current->mm;
	mmgrab(p->mm);
	p->fd_open = true;
	p->state = MK_PROC_SPAWNING;
	strscpy(p->program, req->program, sizeof(p->program));
	p->uid = from_kuid(&init_user_ns, current_uid());

	ret = mutex_lock_killable(&mk_part.lock);
	if (ret)
		goto out_free;
	if (!fork && (req->flags & MK_SPAWN_NEAR_PARENT))
		near = mk_near_parent(&near_cores, &near_gen, &near_serial);
	if (!near) /* out: whether it was so */
		req->flags &= ~MK_SPAWN_NEAR_PARENT;
	if (fork)
		ret = mk_choose_fork_cores(req, parent->cores, parent->boot_gen, p, &cores);
	else if (near)
		ret = mk_choose_fork_cores(req, near_cores, near_gen, p, &cores);
	else
		ret = mk_choose_cores(req, p, &cores);
	mutex_unlock(&mk_part.lock);
	if (ret)
		goto out_free;
	/* The child maps the pages of Linux's its parent maps, under the same pins. */
	if (fork) {
		ret = mk_pins_dup(&p->pins, &parent->pins);
		if (ret) {
			mk_refuse(req->msg, "no memory to share the parent's mappings");
			goto out_free;
		}
	}
	if (!cores) {
		mk_refuse(req->msg, "programs run on the LWK's first 64 cores only");
		ret = -EINVAL;
		goto out_free;
	}
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
	m.staging_bytes = fork ? 0 : req->staging_bytes;
	m.flags = (req->flags & MK_SPAWN_FORK_LWK ? MK_SPAWN_MSG_FORK_LWK : 0) | (fork ? MK_SPAWN_MSG_FORK : 0);
	m.fork_of = fork ? parent->pid : 0;
	m.fork_image = fork ? req->fork_image : 0;
	p->fork_parent = fork ? parent->serial : near_serial;
	p->fork_lwk = req->flags & MK_SPAWN_FORK_LWK;
	m.ppid = task_tgid_nr(current->real_parent);
	m.uid = from_kuid(&init_user_ns, current_uid());
	m.gid = from_kgid(&init_user_ns, current_gid());
	m.stack_limit = req->stack_limit;
	ret = mk_chan_send(p->core, &m, sizeof(m));
	/* A fork's child runs as soon as the LWK has made it. */
	started = fork && !ret;
	if (!ret)
		ret = mk_proc_next(p, BIT(MK_MSG_SPAWNED), &ans, sizeof(ans),
				   msecs_to_jiffies(MK_ANSWER_MS), NULL);
	if (!ret && ans.error) {
		ret = -ans.error;
		started = false;
	}
	if (ret) {
		mk_refuse(req->msg, "the LWK could not create the process (%d)", ret);
		goto out_unlist;
	}
	if (!mk_phys_in_lwk(ans.page_table, PAGE_SIZE) ||
	    (!fork && (ans.staging < MK_USER_WINDOW_START || ans.staging >= MK_USER_WINDOW_END))) {
		mk_refuse(req->msg, "the LWK answered with addresses outside its memory");
		ret = -EIO;
		goto out_unlist;
	}
	p->page_table = ans.page_table;
	p->staging = fork ? 0 : ans.staging;
	/* A fork's child runs already: no exec. */
	p->state = fork ? MK_PROC_RUNNING : MK_PROC_CREATED;
	if (parent_file)
		fput(parent_file);
	parent_file = NULL;

	__module_get(THIS_MODULE); /* for the file */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto out_put;
	}
	file = mk_proc_file(p, &mk_proc_fops);
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
	if (parent_file)
		fput(parent_file);
	parent_file = NULL;
	/* The LWK may hold a process for it: it goes when its KILL arrives. */
	spin_lock_irq(&mk_procs_lock);
	p->fd_open = false;
	spin_unlock_irq(&mk_procs_lock);
	if (p->state != MK_PROC_SPAWNING || ret == -ETIMEDOUT || ret == -ERESTARTSYS || started) {
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
	if (parent_file)
		fput(parent_file);
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
		info->state = p->state;
		info->cores = p->cores;
		if (bp && READ_ONCE(bp->cpus[p->core].pid) == p->pid)
			info->user_bytes = READ_ONCE(bp->cpus[p->core].user_bytes);
		info->uid = p->uid;
		strscpy(info->program, p->program, sizeof(info->program));
		n++;
	}
	spin_unlock_irq(&mk_procs_lock);
	st->nr_procs = n;
}

