// SPDX-License-Identifier: GPL-2.0
/*
 * Each process fd has an inode of its own, on mk.ko's own pseudo file
 * system (as DRM does for its devices), instead of the one inode all
 * anonymous files share: the window mkexec maps is then a mapping of that
 * inode alone, and unmap_mapping_range() drops the window's pages in a
 * range from every mm that maps it (mkexec's, its vfork children's) in any
 * context, without the mmap lock — what the tracked mappings' notifier
 * needs (track.c).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "process.h"

#define MK_FS_MAGIC 0x6d6b6673 /* "mkfs" */

static struct vfsmount *mk_mnt;
static int mk_mnt_count;

static int mk_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, MK_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type mk_fs_type = {
	.name = "mk",
	.owner = THIS_MODULE,
	.init_fs_context = mk_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/*
 * A new process fd for p, on an inode of its own (p holds a reference to it
 * until it is freed: mk_proc_put_inode).
 */
struct file *mk_proc_file(struct mk_proc *p, const struct file_operations *fops)
{
	struct inode *inode;
	struct file *file;
	int ret;

	ret = simple_pin_fs(&mk_fs_type, &mk_mnt, &mk_mnt_count);
	if (ret)
		return ERR_PTR(ret);
	inode = alloc_anon_inode(mk_mnt->mnt_sb);
	if (IS_ERR(inode)) {
		simple_release_fs(&mk_mnt, &mk_mnt_count);
		return ERR_CAST(inode);
	}
	/* As anon_inode_getfile: the file's last fput drops this reference. */
	__module_get(fops->owner);
	file = alloc_file_pseudo(inode, mk_mnt, "[mk-process]", O_RDWR, fops);
	if (IS_ERR(file)) {
		module_put(fops->owner);
		iput(inode);
		simple_release_fs(&mk_mnt, &mk_mnt_count);
		return file;
	}
	file->private_data = p;
	ihold(inode);
	p->inode = inode;
	return file;
}

/* Drops the window's pages in [start, start + len) wherever it is mapped. */
void mk_proc_unmap_window(struct mk_proc *p, u64 start, u64 len)
{
	u64 end = start + len;

	if (!p->inode || end < start || start >= MK_USER_WINDOW_END || end <= MK_USER_WINDOW_START)
		return;
	start = max_t(u64, start, MK_USER_WINDOW_START);
	end = min_t(u64, end, MK_USER_WINDOW_END);
	/* The window is mapped at offset 0 = MK_USER_WINDOW_START. */
	unmap_mapping_range(p->inode->i_mapping, start - MK_USER_WINDOW_START, end - start, 1);
}

void mk_proc_put_inode(struct mk_proc *p)
{
	if (!p->inode)
		return;
	iput(p->inode);
	p->inode = NULL;
	simple_release_fs(&mk_mnt, &mk_mnt_count);
}
