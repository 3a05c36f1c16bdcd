/* SPDX-License-Identifier: MIT */
/*
 * LWK processes: the address window shared with mkexec, and the messages
 * that create, serve and end a process (carried by the inter-kernel
 * channels, <mk/ring.h>).
 */
#ifndef MK_PROC_H
#define MK_PROC_H

#include "common.h"

/*
 * Every user mapping of an LWK process lies in [START, END). mkexec maps
 * the same range at the same addresses, so that pointers in forwarded system
 * calls are valid there unchanged. The range avoids what Linux gives mkexec
 * itself: its PIE at 0x55.. / 0x56.. and its libraries and stack at 0x7f...
 */
#define MK_USER_WINDOW_START 0x0000000000010000ULL
#define MK_USER_WINDOW_END 0x0000540000000000ULL

/*
 * Where mkctl keeps a copy of the sysfs topology (topology/ and cache/) of
 * each CPU it hands to mk, taken while the CPU is still online (Linux
 * removes those directories of an offline CPU): <DIR>/cpuN/topology/...
 * The LWK serves /sys/devices/system/cpu/cpuN/{topology,cache} of its own
 * cores from there, so that hwloc and others see their programs' cores.
 */
#define MK_CPU_SNAPSHOT_DIR "/run/mk/cpu"

/*
 * Bits mk.ko sets in a leaf entry of the process's page tables (in LWK
 * memory) before it maps that page into mkexec: "Linux may hold this page"
 * (a bit the CPU ignores), and the dirty bit if mkexec may write it. The
 * LWK asks Linux to drop its view (MK_MSG_UNMAP) only of ranges holding
 * the first, and takes a page without the second for one nobody wrote.
 */
#define MK_PTE_LINUX_MAPPED (1ULL << 9)
#define MK_PTE_DIRTY (1ULL << 6)

/*
 * A leaf of a page a fork left shared (copy-on-write): read-only for
 * everyone until a write copies it. A write by mkexec through the window
 * asks the LWK to copy it (MK_MSG_COW) instead of failing.
 */
#define MK_PTE_COW (1ULL << 54)
/*
 * The LWK asked mk.ko to drop its views of this page before it copies it
 * (MK_COW_DROP below); mk.ko clears the bit whenever it maps the page, so
 * that a view made after the drop is seen.
 */
#define MK_PTE_COW_ASKED (1ULL << 55)

/*
 * The frame-number sink of a shared mapping: pages of the process's own
 * page tables that the LWK maps for mk.ko alone (a leaf without the user
 * bit, with MK_PTE_PIN_SINK, and with MK_PTE_LINUX_MAPPED so that the
 * LWK's unmap of it waits for Linux). Neither the program nor mkexec can
 * reach it; mk.ko fills it once per pin (MK_PROC_IOC_PIN): nr first (the
 * sink is claimed), the frame numbers, flags, and id last. The LWK maps
 * only what a filled sink names, with the rights it names.
 */
#define MK_PTE_PIN_SINK (1ULL << 11)
#define MK_PIN_SINK_WRITABLE 1u
/*
 * MK_PIN_SINK_TRACKED: the pages are not pinned but tracked (a writable
 * shared mapping of a file on a file system that tracks dirty pages: ext4,
 * xfs): the sink names no frames. The LWK fills the region's leaves with
 * markers (below); a page is faulted in on first use (MK_SYS_REFAULT), and
 * mk.ko takes it out again, with the LWK's TLB flush (MK_MSG_FLUSH), before
 * Linux writes it back, truncates or reclaims it.
 */
#define MK_PIN_SINK_TRACKED 2u
struct mk_pin_sink {
	__u32 id;                /* 0 until mk.ko has written it all; then the pin */
	__u32 flags;             /* MK_PIN_SINK_WRITABLE: the pin allows writing */
	__u64 nr;                /* frame numbers that follow (0: not claimed yet) */
	__u64 pfns[];
};

/*
 * A call the LWK forwards to mkexec for its own sake (numbers no Linux
 * system call has). MK_SYS_MAP_SHARED (fd, offset, len, prot, sink, flags):
 * mkexec maps [offset, offset + len) of fd shared, pins its pages with
 * MK_PROC_IOC_PIN (those within the file's size) into the sink at `sink`
 * (struct mk_pin_sink) and keeps that mapping while the pin lasts; answers
 * (pages pinned << 32) | MK_MAP_SHARED_WRITABLE (if the pin allows
 * writing) | pin id (below 2^31), or -errno. The LWK believes the sink,
 * not the answer. flags MK_MAP_PRIVATE_RO: the pages of a private mapping
 * the program may not write (a library's code and read-only data): mapped
 * and pinned read-only whatever the descriptor allows, with PROT_EXEC if
 * asked (so that a noexec mount refuses it as Linux would). flags
 * MK_MAP_ANONYMOUS (fd and offset 0): new shared memory of Linux's instead
 * of a file (mkexec's own MAP_SHARED | MAP_ANONYMOUS mapping, shmem), for
 * the program's MAP_SHARED | MAP_ANONYMOUS: shared with its children.
 */
#define MK_MAP_SHARED_WRITABLE (1UL << 31)
#define MK_MAP_PRIVATE_RO 1UL
#define MK_MAP_ANONYMOUS 2UL
/*
 * MK_SYS_SHMAT (shmid, shmflg, len, 0, sink, 0): the same for SysV shared
 * memory: mkexec attaches the segment (read-only with SHM_RDONLY), pins
 * len bytes of it and detaches again; the same answer.
 */
#define MK_SYS_SHMAT 0x4d4b0002UL
#define MK_SYS_MAP_SHARED 0x4d4b0001UL

/*
 * MK_SYS_FORK (state, bytes, 0, 0, 0, 0): fork, vfork, or clone without
 * CLONE_VM, as a process of Linux's: mkexec copies the written pieces of
 * the regions the state lists out of the window into a child of its own
 * (the others are zero-filled there), which loads the
 * registers and continues as the program's child on Linux. Answers the
 * child's pid, or -errno. For a process spawned with MK_SPAWN_FORK_LWK
 * (mkexec --fork=same|free) a fork lists no regions and names an image in
 * lwk_image: the LWK has made the child's address space and registers, which a
 * child of mkexec's takes as its own LWK process (MK_SPAWN_FORK) while
 * the call waits; but a process with a tracked mapping lists its regions
 * (its children are Linux's). A vfork (flags CLONE_VM | CLONE_VFORK; no
 * regions listed) copies nothing: the child maps the window itself (mk.ko
 * allows that to a vfork child of mkexec's alone) and runs in the
 * program's memory; the answer comes once it has called execve or ended.
 * MK_SYS_EXECVE (dirfd, path, argv, envp, flags, state): execveat of the
 * program: mkexec checks the new program as execve would, takes the
 * program's signal dispositions and mask (only those fields of the state
 * are read) and execs itself to run the new program on the LWK in the same
 * process; the old LWK process ends with mkexec's old image. Answers
 * -errno if the new program cannot run (nothing changed).
 * mkexec checks every field: the state lies in the window, as do all the
 * regions, and nothing of it reaches mkexec's own memory.
 */
/*
 * MK_SYS_VM_ACCESS (pid): whether the program may read and write the
 * memory of pid, another program of the same LWK, with process_vm_readv/
 * writev (which the LWK then performs itself): mkexec answers 0 if Linux's
 * ptrace check allows it (PTRACE_MODE_ATTACH_REALCREDS, which a one-byte
 * process_vm_readv of pid's address 0 makes), else -EPERM or -ESRCH. The
 * LWK asks only for a process of the same user and group as mk.ko
 * recorded them (mkexec is the user's own program: its answer alone
 * proves nothing).
 */
#define MK_SYS_VM_ACCESS 0x4d4b0005UL
/*
 * MK_SYS_PAGE_NODE (pin, page, 0, 0, 0, 0): the NUMA node of page `page`
 * of pin `pin` (a page of Linux's the LWK maps): mkexec asks Linux about
 * its own mapping of the pin (move_pages). The node, or -errno.
 */
#define MK_SYS_PAGE_NODE 0x4d4b0006UL
/*
 * MK_SYS_REFAULT (addr, write, 0, 0, 0, 0): the program touched addr, a
 * page of a tracked mapping (MK_PIN_SINK_TRACKED) that is not there (or is
 * there read-only, and write is 1): mkexec asks mk.ko (MK_PROC_IOC_REFAULT),
 * which faults the page into mkexec's own mapping of the file and puts it
 * into the LWK's leaf. 0, or -errno (-EFAULT: past the end of the file,
 * the program's SIGBUS).
 */
#define MK_SYS_REFAULT 0x4d4b0007UL

/*
 * The leaves of a tracked mapping (bits mk.ko and the LWK agree on). A page
 * not there is a marker, an entry the CPU takes for absent (bit 0 clear):
 * MK_TRACK_MARKER, the pin (MK_PROC_IOC_PIN's id) and the page's index in
 * it, MK_PT_W if the program may write it, the NX bit if it may not run
 * it. A page there is Linux's page with MK_PTE_TRACKED (and the LWK's
 * "Linux's page" bit, 1 << 10); MK_PTE_TRACK_W: the program may write it
 * (the entry itself is writable only once a write faulted it in).
 */
#define MK_TRACK_MARKER (1ULL << 62)
#define MK_TRACK_ID_SHIFT 3
#define MK_TRACK_ID_MASK 0x7fffffffULL
#define MK_TRACK_INDEX_SHIFT 34
#define MK_TRACK_INDEX_MASK 0x3fffffULL  /* 16 GiB of 4 KiB pages */
#define MK_PTE_FOREIGN (1ULL << 10)  /* the LWK's own bit: a page of Linux's */
#define MK_PTE_TRACKED (1ULL << 52)
#define MK_PTE_TRACK_W (1ULL << 53)
#define MK_SYS_FORK 0x4d4b0003UL
#define MK_SYS_EXECVE 0x4d4b0004UL
#define MK_FORK_MAX_REGIONS 4096
struct mk_fork_region {
	__u64 start, len;        /* page-aligned, inside the window */
	__u32 prot;              /* PROT_READ | PROT_WRITE | PROT_EXEC */
	__u32 copy;              /* enum mk_fork_copy */
	__u32 pin;               /* MK_FORK_SHARE: the pin (MK_PROC_IOC_PIN's id) */
	__u32 reserved;          /* 0 */
	__u64 pin_offset;        /* MK_FORK_SHARE: where in the pin it begins */
};
enum mk_fork_copy {
	MK_FORK_ZERO = 0,        /* zero-filled in the child (never written) */
	MK_FORK_COPY = 1,        /* the child has a copy of its contents */
	MK_FORK_SHARE = 2,       /* Linux's pages of a shared mapping: the child shares them */
};
struct mk_fork_action {
	__u64 handler, flags, restorer, mask; /* as Linux's rt_sigaction takes it */
};
struct mk_fork_state {
	__u64 flags;             /* clone flags, the exit signal in the low byte */
	__u64 child_tid;         /* for CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID */
	/* the user registers of the call; rax is the child's 0 */
	__u64 r15, r14, r13, r12, r11, r10, r9, r8;
	__u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	__u64 rip, rflags, rsp;
	__u64 fs_base;
	__u64 sigmask;
	__u64 altstack_sp, altstack_size;
	__u32 altstack_flags;
	__u32 nr_regions;
	__u64 lwk_image;         /* not 0: the number of the LWK's image of the child (MK_SPAWN_FORK) */
	struct mk_fork_action actions[64];
	__u8 fxsave[512];        /* x87/SSE state, FXSAVE's format (16-byte aligned) */
	struct mk_fork_region regions[];
};

/*
 * Calls the LWK answers for a program itself (numbers no Linux system call
 * has: ENOSYS on Linux, so a program can tell where it runs).
 * MK_SYS_CORE_IRQS (cpu): the interrupts the LWK core that is Linux CPU
 * `cpu` has taken since the LWK booted, or the calling thread's core's for
 * cpu = -1; EINVAL if the CPU is no LWK core. Answered on the core, without
 * an interrupt: benchmarks read it at the start and the end of a measured
 * interval.
 */
#define MK_SYS_CORE_IRQS 0x4d4b0100UL

#endif /* MK_PROC_H */

#ifndef MK_PROC_MESSAGES
#define MK_PROC_MESSAGES

/*
 * The channel area (struct mk_boot_params.channel_phys) holds, per LWK core,
 * two rings of MK_CHAN_SLOTS slots of MK_CHAN_SLOT_SIZE bytes each:
 *   core i, LWK -> Linux: channel_phys + i * MK_CHAN_BYTES_PER_CORE
 *   core i, Linux -> LWK: ... + MK_CHAN_RING_BYTES
 * mk.ko initialises them before the LWK boots; both sides attach and
 * validate. LWK -> Linux carries forwarded system calls and the answers to
 * Linux's requests; Linux -> LWK carries replies and requests (spawn, exec,
 * kill). The LWK core is the only producer of its outbound ring and the only
 * consumer of its inbound one; mk.ko serialises its own side with locks.
 */
#define MK_CHAN_BYTES_PER_CORE (64 * 1024)
#define MK_CHAN_RING_BYTES (32 * 1024)
#define MK_CHAN_SLOT_SIZE 128   /* 120 bytes of payload: a forwarded call fits */
#define MK_CHAN_SLOTS 128
#define MK_CHAN_PAYLOAD (MK_CHAN_SLOT_SIZE - 8)

enum mk_msg_type {
	/* Linux -> LWK */
	MK_MSG_SPAWN = 1,        /* create a process; answered by MK_MSG_SPAWNED */
	MK_MSG_EXEC = 2,         /* load and start it; answered by MK_MSG_EXECED */
	MK_MSG_REPLY = 3,        /* the result of a forwarded system call */
	MK_MSG_KILL = 4,         /* end a process (its mkexec is gone) */
	MK_MSG_UNMAPPED = 5,     /* Linux dropped its view of a range (MK_MSG_UNMAP) */
	MK_MSG_SIGNAL = 6,       /* a signal for the process (sent to its mkexec) */
	MK_MSG_FLUSH = 7,        /* flush the process's TLBs for a range (answered in struct mk_boot_cpu) */
	MK_MSG_COW = 8,          /* copy a copy-on-write page mkexec writes (answered in struct mk_boot_cpu) */
	/* LWK -> Linux */
	MK_MSG_SPAWNED = 16,
	MK_MSG_EXECED = 17,
	MK_MSG_SYSCALL = 18,     /* a system call for mkexec to perform */
	MK_MSG_EXIT = 19,        /* the process ended */
	MK_MSG_UNMAP = 20,       /* drop mkexec's view of a range before it is reused */
	MK_MSG_INTERRUPT = 21,   /* a signal came: cut the forwarded call (tid, seq) short */
	MK_MSG_UNPIN = 22,       /* the LWK has unmapped a pin's pages everywhere: unpin them */
};

struct mk_msg_hdr {
	__u16 type;              /* enum mk_msg_type */
	__u16 flags;
	__s32 pid;               /* the process (its mkexec's pid) */
	__s32 tid;               /* the thread, where it matters */
	__u32 seq;               /* matches a reply to its request */
};
MK_STATIC_ASSERT(sizeof(struct mk_msg_hdr) == 16, "mk_msg_hdr layout");

/*
 * MK_MSG_SPAWN: create process pid on the LWK cores in cores (a mask of
 * core indices, at most 64), with a staging area of staging_bytes in its
 * address space for mkexec to fill with the program file and a struct
 * mk_spawn_strings. The clock triple lets the LWK tell Linux's time.
 * With MK_SPAWN_MSG_FORK the process is instead the child of the fork that
 * process fork_of's thread is in (its copy of the address space, its
 * registers): it starts at once, with no staging area. MK_SPAWN_MSG_FORK_LWK:
 * the process's forks make such images (mkexec --fork=same|free).
 */
#define MK_SPAWN_MSG_FORK_LWK (1U << 0)
#define MK_SPAWN_MSG_FORK (1U << 1)
struct mk_msg_spawn {
	struct mk_msg_hdr hdr;
	__u64 cores;
	__u64 staging_bytes;
	__s32 ppid;              /* getppid() of the program */
	__u32 uid, gid;
	__u32 flags;             /* MK_SPAWN_MSG_FORK_LWK, MK_SPAWN_MSG_FORK */
	__u64 stack_limit;       /* RLIMIT_STACK (bytes) */
	__u64 clock_tsc;         /* TSC at ... */
	__u64 clock_mono_ns;     /* ... this CLOCK_MONOTONIC ... */
	__u64 clock_real_ns;     /* ... and this CLOCK_REALTIME */
	__u64 start_ticks;       /* when mkexec started, in clock ticks since boot (/proc/<pid>/stat) */
	__s32 fork_of;           /* MK_SPAWN_MSG_FORK: the parent process */
	__u32 fork_image;        /* ... and its image of the child (mk_fork_state.lwk_image) */
};
MK_STATIC_ASSERT(sizeof(struct mk_msg_spawn) <= MK_CHAN_PAYLOAD, "spawn fits a slot");

/* MK_MSG_SPAWNED: the process exists (error 0) or not (a positive errno). */
struct mk_msg_spawned {
	struct mk_msg_hdr hdr;
	__s32 error;
	__u32 pad;
	__u64 staging;           /* user address of the staging area */
	__u64 page_table;        /* physical address of the process's top page table */
};

/*
 * MK_MSG_EXEC: the staging area holds the program file (file_bytes) at its
 * start; for a dynamically linked program its ELF interpreter's file
 * (interp_bytes at interp_offset, page-aligned, after the program), then
 * (8-byte aligned) a struct mk_spawn_strings.
 */
struct mk_msg_exec {
	struct mk_msg_hdr hdr;
	__u64 file_bytes;
	__u64 strings_offset;    /* of the struct mk_spawn_strings in the staging area */
	__u64 interp_offset;     /* 0 and 0: no interpreter */
	__u64 interp_bytes;
};
MK_STATIC_ASSERT(sizeof(struct mk_msg_exec) <= MK_CHAN_PAYLOAD, "exec fits a slot");

struct mk_spawn_strings {
	__u32 argc;
	__u32 envc;
	__u32 bytes;             /* of strings[] */
	__u32 path_bytes;        /* the program's path, first in strings[], NUL included */
	__u8 random[16];         /* AT_RANDOM */
	char uname[6][65];       /* sysname, nodename, release, version, machine, domainname */
	char pad[2];
	__u32 exe_bytes;         /* the program's absolute path, second in strings[], NUL included */
	__u32 pad2;
	__u64 sigmask;           /* the signals it starts with blocked (bit sig - 1) */
	__u64 sig_ignored;       /* and ignored (inherited through execve) */
	/*
	 * char strings[bytes]: path (as found: AT_EXECFN), its absolute path
	 * (/proc/self/exe), then argc arguments, then envc variables, each
	 * NUL-terminated.
	 */
};

/* MK_MSG_EXECED: running (error 0), or why not (a positive errno, and a message). */
struct mk_msg_execed {
	struct mk_msg_hdr hdr;
	__s32 error;
	char why[MK_CHAN_PAYLOAD - 20];
};
MK_STATIC_ASSERT(sizeof(struct mk_msg_execed) <= MK_CHAN_PAYLOAD, "execed fits a slot");

/* MK_MSG_SYSCALL / MK_MSG_REPLY */
struct mk_msg_syscall {
	struct mk_msg_hdr hdr;
	__u64 nr;
	__u64 args[6];
};
MK_STATIC_ASSERT(sizeof(struct mk_msg_syscall) <= MK_CHAN_PAYLOAD, "syscall fits a slot");

struct mk_msg_reply {
	struct mk_msg_hdr hdr;
	__s64 ret;               /* the value, or -errno */
};

/*
 * MK_MSG_EXIT: status as wait(2) encodes it (exit code << 8, or the
 * signal); for a fault, where it happened.
 */
enum mk_exit_fault {
	MK_EXIT_FAULT_NONE = 0,
	MK_EXIT_FAULT_ADDR = 1,  /* a fault: fault_addr and fault_ip are valid */
	MK_EXIT_FAULT_IP = 2,    /* a signal that dumps core (abort): fault_ip is valid */
};
struct mk_msg_exit {
	struct mk_msg_hdr hdr;
	__s32 status;
	__u32 fault;             /* enum mk_exit_fault */
	__u64 fault_addr;
	__u64 fault_ip;
};

/* MK_MSG_UNMAP / MK_MSG_UNMAPPED: [start, start + len) of pid's window. */
struct mk_msg_unmap {
	struct mk_msg_hdr hdr;
	__u64 start;
	__u64 len;
};

/*
 * MK_MSG_UNPIN: no page of pin id (MK_PROC_IOC_PIN) is mapped by the LWK
 * any more, and Linux has dropped mkexec's view of them (MK_MSG_UNMAP).
 */
struct mk_msg_unpin {
	struct mk_msg_hdr hdr;
	__u32 id;
	__u32 pad;
};

/*
 * MK_MSG_FLUSH: mk.ko took leaves of a tracked mapping of pid out of its
 * tables ([start, start + len)); once no core holds a translation of them,
 * the core it was sent to writes the message's seq (numbered per core) into
 * its struct mk_boot_cpu's flush_done: an answer no queue can hold up.
 */
struct mk_msg_flush {
	struct mk_msg_hdr hdr;
	__u64 start;
	__u64 len;
};

/*
 * MK_MSG_COW: mkexec writes the page at va of pid (through the window) and
 * the LWK's leaf is copy-on-write (MK_PTE_COW). The core it was sent to
 * copies it (or makes it writable, when nobody else maps it any more) and
 * writes (seq << 2) | answer into its struct mk_boot_cpu's cow_done.
 * MK_COW_DROP: Linux may map the old page (MK_PTE_LINUX_MAPPED; the LWK
 * sets MK_PTE_COW_ASKED): mk.ko drops every view of the 2 MiB around va
 * and asks again with MK_COW_DROPPED in hdr.flags; the LWK copies the
 * page if no view was made since (MK_PTE_COW_ASKED still set).
 * MK_COW_BUSY: a thread of the process is changing its memory; ask again
 * later (without holding anything the thread may wait for).
 */
#define MK_COW_DONE 0u
#define MK_COW_BUSY 1u
#define MK_COW_DROP 2u
#define MK_COW_FAILED 3u
#define MK_COW_DROPPED 1u
struct mk_msg_cow {
	struct mk_msg_hdr hdr;
	__u64 va;
};

/* MK_MSG_KILL: end pid with this signal as its status. */
struct mk_msg_kill {
	struct mk_msg_hdr hdr;
	__s32 signal;
	__u32 pad;
};

/*
 * MK_MSG_SIGNAL: deliver signal to pid (as kill(2) from sender_pid,
 * sender_uid would). MK_MSG_INTERRUPT: the thread tid waits for the reply
 * to its forwarded call seq and a signal came for it: Linux interrupts the
 * call (it then answers -EINTR, or its result if it was done).
 */
struct mk_msg_signal {
	struct mk_msg_hdr hdr;
	__s32 signal;
	__s32 code;              /* si_code: SI_USER (0), SI_KERNEL ... */
	__s32 sender_pid;
	__u32 sender_uid;
};

#endif /* MK_PROC_MESSAGES */
