/* SPDX-License-Identifier: MIT */
/*
 * The /dev/mk ioctl interface between mk.ko and user space (mkctl, mkexec).
 *
 * Every argument struct starts with its own size; the module refuses a size
 * it does not know (EINVAL), so a mismatched pair of tools and module fails
 * loudly instead of misreading memory. Requests that can be refused carry a
 * msg buffer that the module fills with one line saying what was wrong and
 * what to do; the struct is copied back to user space even on failure.
 */
#ifndef MK_IOCTL_H
#define MK_IOCTL_H

#include "common.h"
#include "version.h"

#if defined(__KERNEL__)
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

#define MK_DEVICE_PATH "/dev/mk"
#define MK_SYSFS_PATH "/sys/kernel/mk"
#define MK_IOC_MAGIC 0xB7

/* A set of Linux CPU numbers: bit (n % 64) of bits[n / 64] is CPU n. */
struct mk_cpumask {
	__u64 bits[MK_CPUMASK_WORDS];
};

/* MK_IOC_VERSION: the module's release and ABI version. */
struct mk_version {
	__u32 size;          /* in: sizeof(struct mk_version) */
	__u16 abi_major;     /* out */
	__u16 abi_minor;     /* out */
	char release[32];    /* out: NUL-terminated MK_VERSION_STRING */
};
MK_STATIC_ASSERT(sizeof(struct mk_version) == 40, "mk_version layout");

/*
 * MK_IOC_RESERVE_CPUS: take the CPUs in cpus offline from Linux and record
 * them as mk's. All or nothing: if one CPU fails, those already taken are
 * given back and failed_cpu names the one that failed.
 * MK_IOC_RELEASE_CPUS: give back the CPUs in cpus (all of mk's if empty).
 */
struct mk_cpu_request {
	__u32 size;              /* in: sizeof(struct mk_cpu_request) */
	__s32 failed_cpu;        /* out: the CPU that was refused, or -1 */
	struct mk_cpumask cpus;  /* in */
	char msg[MK_MSG_LEN];    /* out: why it was refused */
};
MK_STATIC_ASSERT(sizeof(struct mk_cpu_request) == 8 + 128 + MK_MSG_LEN,
		 "mk_cpu_request layout");

#define MK_NODE_ANY (-1)         /* spread evenly over the nodes with memory */
#define MK_NODE_AUTO (-2)        /* spread over the nodes of mk's CPUs */
#define MK_MEM_ALL (~0ULL)       /* all that node can spare */

/* How the module looks for physically contiguous memory. */
enum mk_mem_policy {
	MK_MEM_CONTIG = 0,  /* large aligned ranges first (alloc_contig_range), then buddy */
	MK_MEM_BUDDY = 1,   /* buddy-allocator blocks only, merged when adjacent */
};

struct mk_mem_want {
	__u64 bytes;   /* rounded up to MK_CHUNK_MIN; MK_MEM_ALL for all */
	__s32 node;    /* a NUMA node, MK_NODE_ANY or MK_NODE_AUTO */
	__u32 pad;
};

/*
 * MK_IOC_RESERVE_MEM: reserve, zero and record physically contiguous chunks
 * (>= MK_CHUNK_MIN, aligned to it) as asked in want[0..nr). All or nothing.
 */
struct mk_mem_request {
	__u32 size;                 /* in: sizeof(struct mk_mem_request) */
	__u32 nr;                   /* in: entries used in want[] */
	__u32 policy;               /* in: enum mk_mem_policy */
	__s32 failed_node;          /* out: the node that could not be served, or -1 */
	__u64 reserved_bytes;       /* out: bytes this call reserved */
	struct mk_mem_want want[MK_MAX_NODES];
	char msg[MK_MSG_LEN];       /* out: why it was refused */
};
MK_STATIC_ASSERT(sizeof(struct mk_mem_request) == 24 + 16 * MK_MAX_NODES + MK_MSG_LEN,
		 "mk_mem_request layout");

/* Requests without arguments that can still be refused. */
struct mk_simple_request {
	__u32 size;
	__u32 flags;             /* in: 0 */
	char msg[MK_MSG_LEN];    /* out: why it was refused */
};

/* One LWK core in struct mk_status. */
struct mk_lwk_cpu {
	__u32 linux_cpu;
	__u32 apic_id;
	__u32 state;             /* enum mk_cpu_state (<mk/boot.h>) */
	__s32 node;
	__u64 irqs;              /* interrupts the core has taken */
};

/* Where an LWK program is (mk.ko's record; struct mk_proc_info.state). */
enum mk_proc_state {
	MK_PROC_SPAWNING = 0,    /* the LWK is creating its process */
	MK_PROC_CREATED = 1,     /* created; its program is being loaded */
	MK_PROC_RUNNING = 2,
	MK_PROC_EXITED = 3,
};

/* A program running on the LWK, in struct mk_status. */
#define MK_MAX_PROCS 64
struct mk_proc_info {
	__s32 pid;               /* its mkexec's */
	__u32 state;             /* enum mk_proc_state */
	__u64 cores;             /* its LWK cores (indices into lwk_cpus) */
	__u64 user_bytes;        /* memory it has mapped (as the LWK reports it) */
	__u32 uid;               /* the user it runs as */
	char program[52];
};
MK_STATIC_ASSERT(sizeof(struct mk_proc_info) == 80, "mk_proc_info layout");

/*
 * MK_IOC_STATUS: the partition and the LWK. chunks points to room for
 * max_chunks entries (may be 0); nr_chunks is the full count even if it did
 * not fit.
 */
struct mk_status {
	__u32 size;                       /* in */
	__u32 state;                      /* out: enum mk_state */
	struct mk_cpumask cpus;           /* out: CPUs mk holds */
	__u64 mem_bytes;                  /* out: memory mk holds */
	__u64 node_bytes[MK_MAX_NODES];   /* out: of which on each node */
	__u64 chunks;                     /* in: user pointer to struct mk_mem_chunk[] */
	__u32 max_chunks;                 /* in */
	__u32 nr_chunks;                  /* out */
	/* The LWK, when one was booted: */
	__u64 uptime_ns;                  /* out: since it came up */
	__u64 boot_ns;                    /* out: how long booting took */
	__u64 lwk_free_bytes;             /* out: the LWK's free memory (as it reports it) */
	__u32 nr_lwk_cpus;                /* out */
	__u32 pad;
	struct mk_lwk_cpu lwk_cpus[MK_MAX_LWK_CPUS];   /* out */
	char panic[MK_PANIC_LEN];         /* out: the panic's one-line summary */
	char last_error[MK_MSG_LEN];      /* out: why the last boot failed */
	__u32 nr_procs;                   /* out: programs on the LWK */
	__u32 pad2;
	struct mk_proc_info procs[MK_MAX_PROCS];   /* out */
};
/* An ioctl's argument size has 14 bits. */
MK_STATIC_ASSERT(sizeof(struct mk_status) < (1 << 14), "mk_status fits an ioctl");

/*
 * MK_IOC_BOOT: boot the LWK image (ELF bytes at image) on the CPUs and
 * memory mk holds, and wait until every core is ready (or timeout_ms).
 */
struct mk_boot_request {
	__u32 size;
	__u32 timeout_ms;        /* in: 0 for the default */
	__u64 image;             /* in: user pointer to the image's bytes */
	__u64 image_size;        /* in */
	__u64 boot_ns;           /* out: from the ioctl to all cores ready */
	char cmdline[MK_CMDLINE_LEN];   /* in: the LWK's command line */
	char msg[MK_MSG_LEN];
};

/* MK_IOC_SHUTDOWN: stop the LWK's cores; flags says what else to do. */
#define MK_SHUTDOWN_KEEP (1U << 0)        /* keep the partition reserved */

/*
 * MK_IOC_LOG: read the LWK's kernel log from byte position pos (0: the
 * oldest byte still kept) into buf. The log is a stream: pos comes back
 * advanced; lost counts bytes overwritten before they could be read.
 */
struct mk_log_request {
	__u32 size;
	__u32 buf_size;          /* in */
	__u64 buf;               /* in: user pointer */
	__u64 pos;               /* in/out */
	__u64 bytes;             /* out: bytes copied */
	__u64 lost;              /* out */
	__u64 head;              /* out: bytes the LWK has written in all */
	char msg[MK_MSG_LEN];
};

/*
 * MK_IOC_PING: count round trips Linux -> LWK core -> Linux over the two
 * doorbells (Linux's IPI to the core, the core's IPI back to mk.ko's vector).
 */
struct mk_ping_request {
	__u32 size;
	__u32 count;             /* in */
	__s32 core;              /* in: LWK core index */
	__u32 done;              /* out: round trips completed */
	__u64 min_ns, avg_ns, max_ns;     /* out */
	__u64 lwk_doorbells;     /* out: doorbells the core has counted in all */
	__u64 linux_doorbells;   /* out: LWK -> Linux doorbells mk.ko has counted */
	char msg[MK_MSG_LEN];
};

/* MK_IOC_DEBUG: deliberate failures, to test that Linux survives them. */
enum mk_debug_op {
	MK_DEBUG_FAULT = 1,      /* make a core take a fatal page fault */
	MK_DEBUG_NMI = 2,        /* send a core an NMI: it logs where it was */
	MK_DEBUG_CORRUPT = 3,    /* make a core corrupt its boot parameters, its ring
				    to Linux and the programs' page tables */
};
struct mk_debug_request {
	__u32 size;
	__u32 op;                /* enum mk_debug_op */
	__s32 core;              /* LWK core index */
	__u32 pad;
	char msg[MK_MSG_LEN];
};

/*
 * MK_IOC_SPAWN: create an LWK process for the caller (mkexec) and return a
 * process fd for it. The process gets the LWK cores of the Linux CPUs in
 * cpus, or nr_cores free ones (1 if 0); staging_bytes of its memory wait
 * at staging for the program file and its strings (<mk/proc.h>).
 */
struct mk_spawn_request {
	__u32 size;
	__u32 nr_cores;          /* in */
	struct mk_cpumask cpus;  /* in: empty, or these Linux CPUs */
	__u64 staging_bytes;     /* in */
	__u64 stack_limit;       /* in: RLIMIT_STACK */
	__s32 fd;                /* out: the process fd */
	__u32 flags;             /* in: MK_SPAWN_*; out: MK_SPAWN_NEAR_PARENT if it applied */
	__u64 staging;           /* out: user address in the process */
	struct mk_cpumask got;   /* out: the Linux CPUs it runs on */
	char program[64];        /* in: the program's name, for mkctl status */
	char msg[MK_MSG_LEN];
	__s32 fork_fd;           /* in, MK_SPAWN_FORK: the parent's process fd */
	__u32 fork_image;        /* in, MK_SPAWN_FORK: the fork's image (<mk/proc.h> lwk_image) */
};

/* mk_spawn_request.flags: the asked CPUs may run other programs too (their
 * threads then take turns on them: mkexec --oversubscribe). */
#define MK_SPAWN_SHARE_CORES (1U << 0)
/*
 * The program's forks make their children on the LWK (mkexec --fork=same
 * or free): the LWK copies the address space for each, which a child of
 * mkexec's then takes with MK_SPAWN_FORK.
 */
#define MK_SPAWN_FORK_LWK (1U << 1)
/*
 * The new process is the child of the fork the process of fork_fd (whose
 * mkexec must be the caller's parent) is making: its cores are that
 * process's (shared with it), or with MK_SPAWN_FORK_FREE one LWK core no
 * program uses if there is one. staging_bytes, nr_cores and cpus are not
 * used; it starts at once (no MK_PROC_IOC_EXEC).
 */
#define MK_SPAWN_FORK (1U << 2)
#define MK_SPAWN_FORK_FREE (1U << 3)
/*
 * The next image of a fork's child on the LWK (its execve): if the caller's
 * parent is an LWK program's mkexec, on that program's cores as a fork's
 * child is (or a free core with MK_SPAWN_FORK_FREE), ending with it if its
 * mkexec is killed; else as without the flag (which the answer clears).
 */
#define MK_SPAWN_NEAR_PARENT (1U << 4)

/* On a process fd: MK_PROC_IOC_EXEC loads and starts the program. */
struct mk_proc_exec {
	__u32 size;
	__s32 error;             /* out: 0, or a positive errno */
	__u64 file_bytes;        /* in */
	__u64 strings_offset;    /* in: of the struct mk_spawn_strings in the staging area */
	__u64 interp_offset;     /* in: the ELF interpreter's file in the staging area (<mk/proc.h>) */
	__u64 interp_bytes;      /* in: 0 for a static program */
	char why[104];           /* out: why it did not start */
};

/* MK_PROC_IOC_WAIT: the next thing mkexec must do: a system call, or the end. */
enum mk_proc_event_kind {
	MK_PROC_EVENT_SYSCALL = 1,
	MK_PROC_EVENT_EXIT = 2,
	MK_PROC_EVENT_INTERRUPT = 3, /* interrupt the call (tid, seq) being performed */
};
struct mk_proc_event {
	__u32 size;
	__u32 kind;              /* out: enum mk_proc_event_kind */
	__s32 tid;
	__u32 seq;
	__u32 core;              /* SYSCALL: the LWK core that asked; the reply names it */
	__u32 pad;
	__u64 nr;
	__u64 args[6];
	__s32 status;            /* EXIT: as wait(2) encodes it */
	__u32 fault;             /* EXIT: enum mk_exit_fault (<mk/proc.h>) */
	__u64 fault_addr;
	__u64 fault_ip;
};

/* MK_PROC_IOC_REPLY: the result of the system call (tid, seq). */
struct mk_proc_reply {
	__u32 size;
	__s32 tid;
	__u32 seq;
	__u32 core;              /* mk_proc_event.core of the call */
	__s64 ret;
};

/*
 * MK_PROC_IOC_SERVE: one step of a server thread that serves LWK thread
 * tid. With MK_SERVE_REPLY it first sends reply (as MK_PROC_IOC_REPLY
 * does), having registered as tid's server before, so that the thread's
 * next call comes from the doorbell straight to this waiter: one wake-up of
 * one Linux thread per call. Then it waits up to timeout_ms (0: no limit)
 * for tid's next system call, into ev. Calls of threads no server waits for
 * go to MK_PROC_IOC_WAIT. 0, or -ETIMEDOUT, -EINTR (a signal; the reply was
 * sent, do not send it again), -ESRCH (the process ended: MK_PROC_IOC_WAIT
 * says how), -EBUSY (the reply was sent, but another server waits for tid,
 * or 4096 servers wait already: this one does not), -EINVAL (a reply for
 * another thread).
 */
#define MK_SERVE_REPLY 1u
/*
 * MK_SERVE_POLL: instead of sleeping, spin on the ring of the LWK core the
 * reply goes to (the thread's core) and keep it awake, so the LWK sends the
 * thread's next call without a doorbell and nothing needs waking: one Linux
 * CPU busy for as long as the wait lasts (mkexec --poll).
 */
#define MK_SERVE_POLL 2u
struct mk_proc_serve {
	__u32 size;
	__u32 flags;             /* in: MK_SERVE_REPLY, MK_SERVE_POLL */
	__s32 tid;               /* in: the LWK thread served */
	__u32 timeout_ms;        /* in */
	struct mk_proc_reply reply; /* in, with MK_SERVE_REPLY */
	struct mk_proc_event ev; /* out: the call */
};
MK_STATIC_ASSERT(sizeof(struct mk_proc_serve) == 144, "mk_proc_serve layout");

/* MK_PROC_IOC_SIGNAL: deliver a signal (1..64) to the LWK process. */
struct mk_proc_signal {
	__u32 size;
	__s32 signal;
	__s32 sender_pid;        /* si_pid, si_uid the program sees */
	__u32 sender_uid;
};

#define MK_IOC_VERSION _IOWR(MK_IOC_MAGIC, 0x00, struct mk_version)
#define MK_IOC_STATUS _IOWR(MK_IOC_MAGIC, 0x01, struct mk_status)
#define MK_IOC_RESERVE_CPUS _IOWR(MK_IOC_MAGIC, 0x10, struct mk_cpu_request)
#define MK_IOC_RELEASE_CPUS _IOWR(MK_IOC_MAGIC, 0x11, struct mk_cpu_request)
#define MK_IOC_RESERVE_MEM _IOWR(MK_IOC_MAGIC, 0x12, struct mk_mem_request)
#define MK_IOC_RELEASE_MEM _IOWR(MK_IOC_MAGIC, 0x13, struct mk_simple_request)
#define MK_IOC_BOOT _IOWR(MK_IOC_MAGIC, 0x20, struct mk_boot_request)
#define MK_IOC_SHUTDOWN _IOWR(MK_IOC_MAGIC, 0x21, struct mk_simple_request)
#define MK_IOC_LOG _IOWR(MK_IOC_MAGIC, 0x22, struct mk_log_request)
#define MK_IOC_PING _IOWR(MK_IOC_MAGIC, 0x23, struct mk_ping_request)
#define MK_IOC_DEBUG _IOWR(MK_IOC_MAGIC, 0x24, struct mk_debug_request)
#define MK_IOC_SPAWN _IOWR(MK_IOC_MAGIC, 0x30, struct mk_spawn_request)
/*
 * MK_PROC_IOC_PIN: pin the pages of mkexec's own mapping [addr, addr + len)
 * (page-aligned: a MAP_SHARED mapping of the file the program maps), for
 * writing too with MK_PIN_WRITE, and write their page frame numbers into
 * the LWK's sink at `pfns` (struct mk_pin_sink, <mk/proc.h>: pages of the
 * process's page tables only mk.ko may write, each filled once).
 * The LWK maps those very pages into the program; mk.ko lets mkexec's
 * window reach them (with the rights pinned) and unpins them when the LWK
 * says it has unmapped them (MK_MSG_UNPIN) or the process ends.
 * Writable pins are for shared memory (tmpfs, shmem, hugetlbfs) only.
 * MK_PIN_TRACK: track the pages instead of pinning them (what a writable
 * shared mapping of any other file needs: Linux must still write the pages
 * back, truncate and reclaim them): mk.ko watches mkexec's mapping (an MMU
 * notifier), the sink gets MK_PIN_SINK_TRACKED and no frames, and the LWK
 * faults pages in with MK_PROC_IOC_REFAULT.
 */
#define MK_PIN_WRITE 1u
#define MK_PIN_TRACK 2u
struct mk_proc_pin {
	__u32 size;
	__u32 flags;             /* in: MK_PIN_WRITE */
	__u64 addr;              /* in */
	__u64 len;               /* in */
	__u64 pfns;              /* in: the sink (a window address) */
	__u32 id;                /* out: names the pin in MK_MSG_UNPIN */
	__u32 pad;
};

/*
 * MK_PROC_IOC_REFAULT: put the page of a tracked mapping at window address
 * addr (the LWK's leaf there names it) into the LWK's tables, faulted in
 * (for writing with MK_REFAULT_WRITE, if the mapping allows) in mkexec's
 * own mapping of the file. 0, -EFAULT (no page of the file there: past its
 * end), -EACCES (a write the mapping does not allow), -EINVAL (the leaf
 * names no tracked page of this process).
 */
#define MK_REFAULT_WRITE 1u
struct mk_proc_refault {
	__u32 size;
	__u32 flags;             /* in: MK_REFAULT_WRITE */
	__u64 addr;              /* in */
};

#define MK_PROC_IOC_EXEC _IOWR(MK_IOC_MAGIC, 0x40, struct mk_proc_exec)
#define MK_PROC_IOC_WAIT _IOWR(MK_IOC_MAGIC, 0x41, struct mk_proc_event)
#define MK_PROC_IOC_REPLY _IOW(MK_IOC_MAGIC, 0x42, struct mk_proc_reply)
#define MK_PROC_IOC_SIGNAL _IOW(MK_IOC_MAGIC, 0x43, struct mk_proc_signal)
#define MK_PROC_IOC_PIN _IOWR(MK_IOC_MAGIC, 0x44, struct mk_proc_pin)
#define MK_PROC_IOC_SERVE _IOWR(MK_IOC_MAGIC, 0x45, struct mk_proc_serve)
#define MK_PROC_IOC_REFAULT _IOW(MK_IOC_MAGIC, 0x46, struct mk_proc_refault)

#endif /* MK_IOCTL_H */
