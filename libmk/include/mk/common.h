/* SPDX-License-Identifier: MIT */
/* Limits and types shared by the ioctl ABI and the boot protocol. */
#ifndef MK_COMMON_H
#define MK_COMMON_H

#include "types.h"

#define MK_MAX_CPUS 1024                 /* Linux CPU numbers the ABI can name */
#define MK_CPUMASK_WORDS (MK_MAX_CPUS / 64)
#define MK_MAX_NODES 64                  /* NUMA node numbers the ABI can name */
#define MK_MAX_LWK_CPUS 256              /* cores one LWK instance runs on */
#define MK_MSG_LEN 192
#define MK_CMDLINE_LEN 256
#define MK_PANIC_LEN 256

/* Memory is reserved in chunks of at least this size, aligned to it. */
#define MK_CHUNK_MIN (2ULL << 20)

/* A reserved, physically contiguous range on one NUMA node. */
struct mk_mem_chunk {
	__u64 phys;
	__u64 bytes;
	__s32 node;
	__u32 pad;
};
MK_STATIC_ASSERT(sizeof(struct mk_mem_chunk) == 24, "mk_mem_chunk layout");

/* mk's state, as shown by mkctl status and sysfs. */
enum mk_state {
	MK_STATE_FREE = 0,       /* nothing reserved */
	MK_STATE_RESERVED = 1,   /* CPUs and/or memory reserved, no LWK */
	MK_STATE_BOOTING = 2,    /* the LWK is starting */
	MK_STATE_RUNNING = 3,    /* every LWK core reported ready */
	MK_STATE_PANICKED = 4,   /* the LWK stopped on a fatal error */
};

#endif /* MK_COMMON_H */
