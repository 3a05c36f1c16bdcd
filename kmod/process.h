/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An LWK process as mk.ko keeps it (one per mkexec), shared by the files
 * of its concerns: proc.c (the inbox and the process fd), window.c (the
 * window mkexec maps and the pin sink), spawn.c (creating it).
 */
#ifndef MK_KMOD_PROCESS_H
#define MK_KMOD_PROCESS_H

#include <linux/fs.h>
#include <linux/llist.h>
#include <linux/mm_types.h>
#include <linux/spinlock.h>

#include "mk.h"

#define MK_INBOX 64
#define MK_ANSWER_MS 10000
#define MK_PROC_VIEWERS 8

struct mk_proc {
	struct list_head link;       /* in mk_procs */
	struct llist_node dead;      /* in mk_procs_dead */
	pid_t pid;
	u64 serial;                  /* unique among the processes since mk.ko was loaded */
	u64 fork_parent;             /* a fork's child on the LWK: its parent's serial (0: none) */
	bool fork_lwk;               /* its forks make children on the LWK (MK_SPAWN_FORK_LWK) */
	struct mm_struct *mm;        /* mkexec's (mmgrab) */
	u32 core;                    /* where it lives: its first LWK core */
	u64 cores;
	u64 counted_cores;           /* its part of mk_inst.core_users, of boot boot_gen */
	u32 boot_gen;
	bool sole;                   /* counted in core_sole too (no sharing) */
	u64 staging;
	phys_addr_t page_table;      /* of the process, in LWK memory */
	enum mk_proc_state state;
	bool fd_open;
	char program[64];
	uid_t uid;                   /* its user, for mkctl status */
	struct mk_proc_event exit;   /* kind, status, fault: the end */
	spinlock_t lock;
	wait_queue_head_t wq;
	struct list_head waiters;    /* servers waiting for a thread's call (serve.c) */
	u32 in_head, in_tail;
	bool in_stalled;             /* a channel holds a message for it */
	u32 in_len[MK_INBOX];
	u32 in_core[MK_INBOX];       /* the LWK core each came from */
	u8 in_msg[MK_INBOX][MK_CHAN_PAYLOAD] __aligned(8);
	u32 seq;
	struct mk_pins pins;         /* Linux pages the LWK maps into the program */
	/*
	 * Held while mk.ko writes into a pin sink; taken before Linux says it
	 * has dropped a range (MK_MSG_UNMAPPED) and when the LWK stops, so no
	 * write reaches LWK memory that may be freed.
	 */
	struct mutex sink_lock;
	/*
	 * The vfork children of mkexec that map the window too while they run
	 * the program's code on Linux (their mm, mmgrab), under view_lock:
	 * every drop of the window's pages covers theirs.
	 */
	spinlock_t view_lock;
	struct mm_struct *viewers[MK_PROC_VIEWERS];
	/* The process fd's own inode (inode.c): the window is a mapping of it. */
	struct inode *inode;
};

extern struct list_head mk_procs;
extern spinlock_t mk_procs_lock;

/* proc.c */
extern const struct file_operations mk_proc_fops;
struct mk_proc *mk_proc_find(pid_t pid);
void mk_proc_free(struct mk_proc *p);
int mk_proc_next(struct mk_proc *p, u32 wanted, void *out, u32 out_size, long timeout,
		 u32 *from_core);

/* serve.c */
u32 mk_proc_answer_core(struct mk_proc *p, u32 core);
int mk_proc_send_reply(struct mk_proc *p, const struct mk_proc_reply *req);
bool mk_serve_take(struct mk_proc *p, u32 core, const void *msg, u32 len);
void mk_serve_wake_all(struct mk_proc *p);
long mk_proc_serve_cmd(struct mk_proc *p, struct mk_proc_serve __user *uarg);

/* window.c */
int mk_proc_mmap(struct file *file, struct vm_area_struct *vma);
void mk_proc_zap_all(struct mk_proc *p, u64 start, u64 len);
void mk_proc_drop_viewers(struct mk_proc *p);
int mk_proc_fill_sink(void *ctx, u64 sink, u32 id, u32 flags, struct page *const *pages,
		      unsigned long n);

/* inode.c */
struct file *mk_proc_file(struct mk_proc *p, const struct file_operations *fops);
void mk_proc_unmap_window(struct mk_proc *p, u64 start, u64 len);
void mk_proc_put_inode(struct mk_proc *p);

/* track.c */
long mk_track_refault_cmd(struct mk_proc *p, struct mk_proc_refault __user *uarg);
vm_fault_t mk_track_window_fault(struct mk_proc *p, struct vm_fault *vmf, bool write, bool *tracked);
vm_fault_t mk_track_window_mkwrite(struct mk_proc *p, struct vm_fault *vmf, bool *tracked);

#endif /* MK_KMOD_PROCESS_H */
