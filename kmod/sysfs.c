// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mk: the partition, read-only, for administrators and scripts.
 *
 *   version          "RELEASE ABI_MAJOR.ABI_MINOR"
 *   state            free | reserved
 *   cpus             CPUs mk holds, in the kernel's list format ("2-3,6")
 *   memory           bytes of memory mk holds
 *   memory_nodes     one line per node holding mk memory: "NODE BYTES"
 *   memory_chunks    one line per chunk: "START END NODE BYTES" (hex START,
 *                    hex exclusive END); cut at one page, with a last line
 *                    "+N more" (mkctl status --json lists them all)
 *   reserve_progress "DONE TOTAL" bytes of a reservation in flight
 */
#include <linux/kobject.h>
#include <linux/sysfs.h>

#include "mk.h"

static struct kobject *mk_kobj;

static ssize_t version_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s %d.%d\n", MK_VERSION_STRING, MK_ABI_MAJOR, MK_ABI_MINOR);
}

static ssize_t state_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", mk_state_name(mk_state()));
}

static ssize_t cpus_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	ssize_t n;

	mutex_lock(&mk_part.lock);
	n = sysfs_emit(buf, "%*pbl\n", cpumask_pr_args(&mk_part.cpus));
	mutex_unlock(&mk_part.lock);
	return n;
}

static ssize_t memory_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	ssize_t n;

	mutex_lock(&mk_part.lock);
	n = sysfs_emit(buf, "%llu\n", mk_part.mem_bytes);
	mutex_unlock(&mk_part.lock);
	return n;
}

static ssize_t memory_nodes_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	ssize_t n = 0;
	int nid;

	mutex_lock(&mk_part.lock);
	for (nid = 0; nid < MK_MAX_NODES; nid++)
		if (mk_part.node_bytes[nid])
			n += sysfs_emit_at(buf, n, "%d %llu\n", nid, mk_part.node_bytes[nid]);
	mutex_unlock(&mk_part.lock);
	return n;
}

static ssize_t memory_chunks_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	const int line_max = 64;
	struct mk_chunk *c;
	unsigned int shown = 0;
	ssize_t n = 0;

	mutex_lock(&mk_part.lock);
	list_for_each_entry(c, &mk_part.chunks, link) {
		if (n + 2 * line_max > PAGE_SIZE)
			break;
		n += sysfs_emit_at(buf, n, "%#llx %#llx %d %llu\n", (u64)c->phys,
				   (u64)c->phys + c->bytes, c->node, c->bytes);
		shown++;
	}
	if (shown < mk_part.nr_chunks)
		n += sysfs_emit_at(buf, n, "+%u more\n", mk_part.nr_chunks - shown);
	mutex_unlock(&mk_part.lock);
	return n;
}

static ssize_t reserve_progress_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	/* Lock-free on purpose: it is read while a reservation holds the lock. */
	return sysfs_emit(buf, "%lld %lld\n", atomic64_read(&mk_part.progress_done),
			  atomic64_read(&mk_part.progress_total));
}

/* The Linux CPU that takes the LWK's doorbell: mkexec serves calls there. */
static ssize_t doorbell_cpu_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", mk_irq_cpu());
}

static struct kobj_attribute mk_attrs[] = {
	__ATTR_RO(version),
	__ATTR_RO(state),
	__ATTR_RO(cpus),
	__ATTR_RO(memory),
	__ATTR_RO(memory_nodes),
	__ATTR_RO(memory_chunks),
	__ATTR_RO(reserve_progress),
	__ATTR_RO(doorbell_cpu),
};

static struct attribute *mk_attr_list[ARRAY_SIZE(mk_attrs) + 1];

static const struct attribute_group mk_attr_group = {
	.attrs = mk_attr_list,
};

int mk_sysfs_init(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(mk_attrs); i++)
		mk_attr_list[i] = &mk_attrs[i].attr;
	mk_kobj = kobject_create_and_add("mk", kernel_kobj);
	if (!mk_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(mk_kobj, &mk_attr_group);
	if (ret) {
		kobject_put(mk_kobj);
		mk_kobj = NULL;
	}
	return ret;
}

void mk_sysfs_exit(void)
{
	if (!mk_kobj)
		return;
	sysfs_remove_group(mk_kobj, &mk_attr_group);
	kobject_put(mk_kobj);
	mk_kobj = NULL;
}
