// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mk: a character device of class "mk". devtmpfs creates its node
 * root:<group> with <mode> (the module's group= and mode= parameters, for
 * nodes without udev; the udev rule installed with mk sets group "mk" by
 * name). Who may open it may run programs and read the status and the log;
 * control needs CAP_SYS_ADMIN besides (main.c, for each ioctl).
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/version.h>

#include "mk.h"

static uint group;
module_param(group, uint, 0444);
MODULE_PARM_DESC(group, "group id of /dev/mk (default 0; mk's udev rule sets group mk)");
static ushort mode = 0660;
module_param(mode, ushort, 0444);
MODULE_PARM_DESC(mode, "permissions of /dev/mk (default 0660)");

static dev_t mk_devt;
static struct cdev mk_cdev;
static struct class *mk_class;
static struct device *mk_dev;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static char *mk_devnode(const struct device *dev, umode_t *m, kuid_t *uid, kgid_t *gid)
#else
static char *mk_devnode(struct device *dev, umode_t *m, kuid_t *uid, kgid_t *gid)
#endif
{
	if (m)
		*m = mode;
	if (gid)
		*gid = make_kgid(&init_user_ns, group);
	return NULL;
}

static const struct device_type mk_dev_type = {
	.name = "mk",
	.devnode = mk_devnode,
};

static void mk_dev_release(struct device *dev)
{
	kfree(dev);
}

int mk_device_init(const struct file_operations *fops)
{
	int ret;

	if (mode & ~0666) {
		pr_err("mode=%#o: /dev/mk takes read and write bits only (like 0660)\n", mode);
		return -EINVAL;
	}
	if (!gid_valid(make_kgid(&init_user_ns, group))) {
		pr_err("group=%u is no valid group id\n", group);
		return -EINVAL;
	}
	ret = alloc_chrdev_region(&mk_devt, 0, 1, "mk");
	if (ret)
		return ret;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	mk_class = class_create("mk");
#else
	mk_class = class_create(THIS_MODULE, "mk");
#endif
	if (IS_ERR(mk_class)) {
		ret = PTR_ERR(mk_class);
		goto err_region;
	}
	mk_dev = kzalloc(sizeof(*mk_dev), GFP_KERNEL);
	ret = -ENOMEM;
	if (!mk_dev)
		goto err_class;
	device_initialize(mk_dev);
	mk_dev->devt = mk_devt;
	mk_dev->class = mk_class;
	mk_dev->type = &mk_dev_type;
	mk_dev->release = mk_dev_release;
	ret = dev_set_name(mk_dev, "mk");
	if (ret)
		goto err_dev;
	cdev_init(&mk_cdev, fops);
	mk_cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&mk_cdev, mk_dev);
	if (ret)
		goto err_dev;
	return 0;

err_dev:
	put_device(mk_dev);
err_class:
	class_destroy(mk_class);
err_region:
	unregister_chrdev_region(mk_devt, 1);
	return ret;
}

void mk_device_exit(void)
{
	cdev_device_del(&mk_cdev, mk_dev);
	put_device(mk_dev);
	class_destroy(mk_class);
	unregister_chrdev_region(mk_devt, 1);
}
