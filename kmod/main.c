// SPDX-License-Identifier: GPL-2.0
/*
 * mk.ko: module init/exit, the /dev/mk misc device and its ioctl switch.
 * Each command is implemented by one mk_cmd_*() in the file of its concern.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <linux/string.h>

#include <mk/ioctl.h>

#include "mk.h"

static long mk_cmd_version(void __user *arg)
{
	struct mk_version v;
	u32 size;

	if (get_user(size, (u32 __user *)arg))
		return -EFAULT;
	if (size != sizeof(v))
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.abi_major = MK_ABI_MAJOR;
	v.abi_minor = MK_ABI_MINOR;
	strscpy(v.release, MK_VERSION_STRING, sizeof(v.release));
	if (copy_to_user(arg, &v, sizeof(v)))
		return -EFAULT;
	return 0;
}

static long mk_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MK_IOC_VERSION:
		return mk_cmd_version(uarg);
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

	ret = misc_register(&mk_miscdev);
	if (ret) {
		pr_err("cannot register /dev/mk (%d)\n", ret);
		return ret;
	}
	pr_info("version %s loaded (ABI %d.%d)\n", MK_VERSION_STRING, MK_ABI_MAJOR,
		MK_ABI_MINOR);
	return 0;
}

static void __exit mk_exit(void)
{
	misc_deregister(&mk_miscdev);
	pr_info("unloaded\n");
}

module_init(mk_init);
module_exit(mk_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("mk developers");
MODULE_DESCRIPTION("mk multikernel: partitions cores and memory for a lightweight kernel");
MODULE_VERSION(MK_VERSION_STRING);
