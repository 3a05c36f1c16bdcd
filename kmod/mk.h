/* SPDX-License-Identifier: GPL-2.0 */
/* mk.ko internal interfaces between its files. */
#ifndef MK_KMOD_H
#define MK_KMOD_H

#undef pr_fmt
#define pr_fmt(fmt) "mk: " fmt

#include <linux/cpumask.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/atomic.h>
#include <linux/printk.h>

#include <mk/ioctl.h>

/*
 * What mk holds. Changed only under lock; every field records exactly what
 * mk took from Linux so that it gives back exactly that.
 */
struct mk_partition {
	struct mutex lock;
	struct cpumask cpus;         /* CPUs mk took offline and owns */
	struct list_head chunks;     /* struct mk_chunk, sorted by address */
	unsigned int nr_chunks;
	u64 mem_bytes;
	u64 node_bytes[MK_MAX_NODES];
	/* Progress of a reservation in flight, read without the lock. */
	atomic64_t progress_done;
	atomic64_t progress_total;
};

extern struct mk_partition mk_part;

/* A physically contiguous range of order-0 pages, each with refcount 1. */
struct mk_chunk {
	struct list_head link;
	phys_addr_t phys;
	u64 bytes;
	int node;
};

/*
 * Refuse a request: one line for the user (copied back in the request's
 * msg) and the same line in the kernel log.
 */
#define mk_refuse(msgbuf, fmt, ...)						\
	do {									\
		snprintf(msgbuf, MK_MSG_LEN, fmt, ##__VA_ARGS__);		\
		pr_warn(fmt "\n", ##__VA_ARGS__);				\
	} while (0)

/* cpu.c */
int mk_cpu_init(void);
void mk_cpu_exit(void);
int mk_cmd_reserve_cpus(struct mk_cpu_request *req);
int mk_cmd_release_cpus(struct mk_cpu_request *req);
void mk_cpus_release_all(void);
void mk_cpumask_to_abi(const struct cpumask *mask, struct mk_cpumask *abi);

/* mem.c */
int mk_cmd_reserve_mem(struct mk_mem_request *req);
int mk_cmd_release_mem(struct mk_simple_request *req);
void mk_mem_release_all(void);

/* sysfs.c */
int mk_sysfs_init(void);
void mk_sysfs_exit(void);

/* main.c */
enum mk_state mk_state(void);
const char *mk_state_name(enum mk_state state);

#endif /* MK_KMOD_H */
