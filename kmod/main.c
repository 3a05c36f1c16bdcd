// SPDX-License-Identifier: GPL-2.0
/*
 * mk.ko: module init/exit, the /dev/mk misc device and its ioctl switch.
 * Each command is implemented by one mk_cmd_*() in the file of its concern;
 * this file copies requests in and out and serialises partition changes.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
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
	u32 i = 0;

	lockdep_assert_held(&mk_part.lock);
	st->state = mk_state();
	mk_cpumask_to_abi(&mk_part.cpus, &st->cpus);
	st->mem_bytes = mk_part.mem_bytes;
	memcpy(st->node_bytes, mk_part.node_bytes, sizeof(st->node_bytes));
	st->nr_chunks = mk_part.nr_chunks;
	list_for_each_entry(c, &mk_part.chunks, link) {
		struct mk_mem_chunk mc = {
			.phys = c->phys, .bytes = c->bytes, .node = c->node,
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
 * Copies a request of the given size in (its first u32 must be that size),
 * runs the command under the partition lock if asked, and copies the
 * request back out even when the command failed, so its msg reaches the user.
 */
static long mk_run(void __user *arg, size_t size, bool locked, int (*cmd)(void *req))
{
	void *req;
	u32 usize;
	long ret;

	if (get_user(usize, (u32 __user *)arg))
		return -EFAULT;
	if (usize != size)
		return -EINVAL;
	req = memdup_user(arg, size);
	if (IS_ERR(req))
		return PTR_ERR(req);

	if (locked) {
		ret = mutex_lock_killable(&mk_part.lock);
		if (ret)
			goto out;
	}
	ret = cmd(req);
	if (locked)
		mutex_unlock(&mk_part.lock);

	if (copy_to_user(arg, req, size))
		ret = -EFAULT;
out:
	kfree(req);
	return ret;
}

static long mk_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MK_IOC_VERSION:
		return mk_run(uarg, sizeof(struct mk_version), false, mk_do_version);
	case MK_IOC_STATUS:
		return mk_run(uarg, sizeof(struct mk_status), true, mk_do_status);
	case MK_IOC_RESERVE_CPUS:
		return mk_run(uarg, sizeof(struct mk_cpu_request), true, mk_do_reserve_cpus);
	case MK_IOC_RELEASE_CPUS:
		return mk_run(uarg, sizeof(struct mk_cpu_request), true, mk_do_release_cpus);
	case MK_IOC_RESERVE_MEM:
		return mk_run(uarg, sizeof(struct mk_mem_request), true, mk_do_reserve_mem);
	case MK_IOC_RELEASE_MEM:
		return mk_run(uarg, sizeof(struct mk_simple_request), true, mk_do_release_mem);
	case MK_IOC_BOOT:
		return mk_run(uarg, sizeof(struct mk_boot_request), true, mk_do_boot);
	case MK_IOC_SHUTDOWN:
		return mk_run(uarg, sizeof(struct mk_simple_request), true, mk_do_shutdown);
	case MK_IOC_LOG:
		return mk_run(uarg, sizeof(struct mk_log_request), true, mk_do_log);
	case MK_IOC_PING:
		return mk_run(uarg, sizeof(struct mk_ping_request), true, mk_do_ping);
	case MK_IOC_DEBUG:
		return mk_run(uarg, sizeof(struct mk_debug_request), true, mk_do_debug);
	case MK_IOC_SPAWN:
		/* Not under the partition lock: it waits for the LWK's answer. */
		return mk_run(uarg, sizeof(struct mk_spawn_request), false, mk_do_spawn);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mk_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mk_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice mk_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mk",
	.fops = &mk_fops,
	.mode = 0600,
};

static int __init mk_init(void)
{
	int ret;

	ret = mk_boot_init();
	if (ret)
		return ret;
	ret = mk_lowmem_init();
	if (ret)
		return ret;
	ret = mk_cpu_init();
	if (ret)
		return ret;
	ret = mk_irq_init();
	if (ret)
		goto err_cpu;
	ret = mk_sysfs_init();
	if (ret) {
		pr_err("cannot create /sys/kernel/mk (%d)\n", ret);
		goto err_irq;
	}
	ret = misc_register(&mk_miscdev);
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
	return ret;
}

static void __exit mk_exit(void)
{
	misc_deregister(&mk_miscdev);
	mk_sysfs_exit();
	/* No LWK runs: it holds a module reference until shut down. */
	mutex_lock(&mk_part.lock);
	mk_cpus_release_all();
	mk_mem_release_all();
	mutex_unlock(&mk_part.lock);
	mk_boot_exit();
	mk_irq_exit();
	mk_cpu_exit();
	pr_info("unloaded\n");
}

module_init(mk_init);
module_exit(mk_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("mk developers");
MODULE_DESCRIPTION("mk multikernel: partitions cores and memory for a lightweight kernel");
MODULE_VERSION(MK_VERSION_STRING);
