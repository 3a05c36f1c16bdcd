// SPDX-License-Identifier: GPL-2.0
/*
 * mk.ko: module init/exit and the /dev/mk ioctl table (device.c makes the
 * node). Each command is implemented by one mk_cmd_*() in the file of its
 * concern; this file checks the caller's privilege, copies requests in and
 * out and serialises partition changes.
 */
#include <linux/module.h>
#include <linux/capability.h>
#include <linux/security.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/string.h>

#include "mk.h"

struct mk_partition mk_part = {
	.lock = __MUTEX_INITIALIZER(mk_part.lock),
	.chunks = LIST_HEAD_INIT(mk_part.chunks),
};

enum mk_state mk_state(void)
{
	enum mk_state lwk = READ_ONCE(mk_inst.state);

	if (lwk != MK_STATE_FREE)
		return lwk;
	if (!cpumask_empty(&mk_part.cpus) || READ_ONCE(mk_part.mem_bytes))
		return MK_STATE_RESERVED;
	return MK_STATE_FREE;
}

const char *mk_state_name(enum mk_state state)
{
	switch (state) {
	case MK_STATE_FREE:
		return "free";
	case MK_STATE_RESERVED:
		return "reserved";
	case MK_STATE_BOOTING:
		return "booting";
	case MK_STATE_RUNNING:
		return "running";
	case MK_STATE_PANICKED:
		return "panicked";
	}
	return "unknown";
}

static int mk_cmd_version(struct mk_version *v)
{
	v->abi_major = MK_ABI_MAJOR;
	v->abi_minor = MK_ABI_MINOR;
	strscpy(v->release, MK_VERSION_STRING, sizeof(v->release));
	return 0;
}

static int mk_cmd_status(struct mk_status *st)
{
	struct mk_mem_chunk __user *out = u64_to_user_ptr(st->chunks);
	struct mk_chunk *c;
	/* Physical addresses are the administrator's to see. */
	bool admin = has_capability_noaudit(current, CAP_SYS_ADMIN);
	u32 i = 0;

	lockdep_assert_held(&mk_part.lock);
	st->state = mk_state();
	mk_cpumask_to_abi(&mk_part.cpus, &st->cpus);
	st->mem_bytes = mk_part.mem_bytes;
	memcpy(st->node_bytes, mk_part.node_bytes, sizeof(st->node_bytes));
	st->nr_chunks = mk_part.nr_chunks;
	list_for_each_entry(c, &mk_part.chunks, link) {
		struct mk_mem_chunk mc = {
			.phys = admin ? c->phys : 0, .bytes = c->bytes, .node = c->node,
		};

		if (i >= st->max_chunks)
			break;
		if (copy_to_user(&out[i], &mc, sizeof(mc)))
			return -EFAULT;
		i++;
	}
	mk_lwk_status(st);
	if (mk_lwk_active())
		mk_procs_status(st);
	return 0;
}

/* The typed commands, behind one signature for mk_run(). */
static int mk_do_version(void *r) { return mk_cmd_version(r); }
static int mk_do_status(void *r) { return mk_cmd_status(r); }
static int mk_do_reserve_cpus(void *r) { return mk_cmd_reserve_cpus(r); }
static int mk_do_release_cpus(void *r) { return mk_cmd_release_cpus(r); }
static int mk_do_reserve_mem(void *r) { return mk_cmd_reserve_mem(r); }
static int mk_do_release_mem(void *r) { return mk_cmd_release_mem(r); }
static int mk_do_boot(void *r) { return mk_cmd_boot(r); }
static int mk_do_shutdown(void *r) { return mk_cmd_shutdown(r); }
static int mk_do_log(void *r) { return mk_cmd_log(r); }
static int mk_do_ping(void *r) { return mk_cmd_ping(r); }
static int mk_do_debug(void *r) { return mk_cmd_debug(r); }
static int mk_do_spawn(void *r) { return mk_cmd_spawn(r); }

/*
 * Each command: its argument's size, where its msg is (0: none), whether
 * it runs under the partition lock, and what it takes beyond the right to
 * open /dev/mk: CAP_SYS_ADMIN for control, and no kernel lockdown for
 * what loads code into ring 0 (as kexec_load does) or drives the LWK's
 * cores directly.
 */
struct mk_ioctl {
	unsigned int cmd;
	u32 size;
	u32 msg;
	bool locked;
	bool admin;
	bool lockdown;
	const char *name;
	int (*run)(void *req);
};

#define MK_CMD_(c, type, msg_at, lock, adm, ld, fn)					\
	{ .cmd = c, .size = sizeof(type), .msg = msg_at, .locked = lock, .admin = adm,	\
	  .lockdown = ld, .name = #c, .run = fn }
#define MK_CMD(c, type, lock, adm, ld, fn) MK_CMD_(c, type, offsetof(type, msg), lock, adm, ld, fn)
#define MK_CMD_NO_MSG(c, type, lock, adm, ld, fn) MK_CMD_(c, type, 0, lock, adm, ld, fn)

static const struct mk_ioctl mk_ioctls[] = {
	/*     command, argument, lock, admin, lockdown, run */
	MK_CMD_NO_MSG(MK_IOC_VERSION, struct mk_version, false, false, false, mk_do_version),
	MK_CMD_NO_MSG(MK_IOC_STATUS, struct mk_status, true, false, false, mk_do_status),
	MK_CMD(MK_IOC_LOG, struct mk_log_request, true, false, false, mk_do_log),
	/* Not under the partition lock: it waits for the LWK's answer. */
	MK_CMD(MK_IOC_SPAWN, struct mk_spawn_request, false, false, false, mk_do_spawn),
	MK_CMD(MK_IOC_RESERVE_CPUS, struct mk_cpu_request, true, true, false, mk_do_reserve_cpus),
	MK_CMD(MK_IOC_RELEASE_CPUS, struct mk_cpu_request, true, true, false, mk_do_release_cpus),
	MK_CMD(MK_IOC_RESERVE_MEM, struct mk_mem_request, true, true, false, mk_do_reserve_mem),
	MK_CMD(MK_IOC_RELEASE_MEM, struct mk_simple_request, true, true, false, mk_do_release_mem),
	MK_CMD(MK_IOC_BOOT, struct mk_boot_request, true, true, true, mk_do_boot),
	MK_CMD(MK_IOC_SHUTDOWN, struct mk_simple_request, true, true, false, mk_do_shutdown),
	MK_CMD(MK_IOC_PING, struct mk_ping_request, true, true, false, mk_do_ping),
	MK_CMD(MK_IOC_DEBUG, struct mk_debug_request, true, true, true, mk_do_debug),
};

/* Why the caller may not run c: 0, or -EPERM with the reason in why. */
static int mk_may_run(const struct mk_ioctl *c, char *why)
{
	if (c->admin && !capable(CAP_SYS_ADMIN)) {
		snprintf(why, MK_MSG_LEN, "this needs CAP_SYS_ADMIN: mk's control is the administrator's");
		return -EPERM;
	}
	if (c->lockdown && security_locked_down(LOCKDOWN_KEXEC)) {
		snprintf(why, MK_MSG_LEN,
			 "the kernel is locked down: it loads no unsigned code into ring 0 (as kexec_load)");
		return -EPERM;
	}
	return 0;
}

/*
 * Copies a request of the command's size in (its first u32 must be that
 * size), runs the command if the caller may, under the partition lock if
 * it asks, and copies the request back out even when the command failed
 * or was refused, so its msg reaches the user.
 */
static long mk_run(const struct mk_ioctl *c, void __user *arg)
{
	void *req;
	u32 usize;
	long ret;

	if (get_user(usize, (u32 __user *)arg))
		return -EFAULT;
	if (usize != c->size)
		return -EINVAL;
	req = memdup_user(arg, c->size);
	if (IS_ERR(req))
		return PTR_ERR(req);

	if (c->msg) {
		char *msg = (char *)req + c->msg;

		msg[0] = '\0';
		ret = mk_may_run(c, msg);
		if (ret) {
			pr_notice_ratelimited("pid %d (uid %u): %s refused: %s\n", task_tgid_nr(current),
					      from_kuid(&init_user_ns, current_uid()), c->name, msg);
			goto copy_out;
		}
	} else {
		char why[MK_MSG_LEN];

		ret = mk_may_run(c, why);
		if (ret)
			goto out;
	}
	if (c->locked) {
		ret = mutex_lock_killable(&mk_part.lock);
		if (ret)
			goto out;
	}
	ret = c->run(req);
	if (c->locked)
		mutex_unlock(&mk_part.lock);
copy_out:
	if (copy_to_user(arg, req, c->size))
		ret = -EFAULT;
out:
	kfree(req);
	return ret;
}

static long mk_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mk_ioctls); i++)
		if (mk_ioctls[i].cmd == cmd)
			return mk_run(&mk_ioctls[i], (void __user *)arg);
	return -ENOTTY;
}

static const struct file_operations mk_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mk_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static int __init mk_init(void)
{
	int ret;

	mk_window_init();
	ret = mk_boot_init();
	if (ret)
		return ret;
	ret = mk_lowmem_init();
	if (ret)
		goto err_boot;
	ret = mk_cpu_init();
	if (ret)
		goto err_lowmem;
	ret = mk_irq_init();
	if (ret)
		goto err_cpu;
	ret = mk_sysfs_init();
	if (ret) {
		pr_err("cannot create /sys/kernel/mk (%d)\n", ret);
		goto err_irq;
	}
	ret = mk_device_init(&mk_fops);
	if (ret) {
		pr_err("cannot register /dev/mk (%d)\n", ret);
		goto err_sysfs;
	}
	pr_info("version %s loaded (ABI %d.%d)\n", MK_VERSION_STRING, MK_ABI_MAJOR,
		MK_ABI_MINOR);
	return 0;

err_sysfs:
	mk_sysfs_exit();
err_irq:
	mk_irq_exit();
err_cpu:
	mk_cpu_exit();
err_lowmem:
	mk_lowmem_exit();
err_boot:
	mk_boot_exit();
	return ret;
}

static void __exit mk_exit(void)
{
	mk_device_exit();
	mk_sysfs_exit();
	/* No LWK runs: it holds a module reference until shut down. */
	mutex_lock(&mk_part.lock);
	mk_cpus_release_all();
	mk_mem_release_all();
	mutex_unlock(&mk_part.lock);
	mk_boot_exit();
	mk_irq_exit();
	mk_cpu_exit();
	mk_lowmem_exit();
	pr_info("unloaded\n");
}

module_init(mk_init);
module_exit(mk_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("mk developers");
MODULE_DESCRIPTION("mk multikernel: partitions cores and memory for a lightweight kernel");
MODULE_VERSION(MK_VERSION_STRING);
