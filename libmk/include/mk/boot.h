/* SPDX-License-Identifier: MIT */
/*
 * The boot protocol between mk.ko and the LWK.
 *
 * 1. The LWK image is an ELF64 executable linked in the top 2 GiB
 *    (>= MK_LWK_KERNEL_BASE). Its lowest PT_LOAD segment starts with a
 *    struct mk_image_header naming the trampoline blob inside the image.
 * 2. mk.ko lays out the LWK's memory: the first chunk starts with the boot
 *    area (struct mk_boot_params, the kernel log, one boot stack per core,
 *    the channel area), then the image, 2 MiB aligned.
 * 3. mk.ko builds boot page tables: the first 2 MiB identity-mapped (for the
 *    trampoline), the image at its link address, and every chunk of LWK
 *    memory at MK_LWK_DIRECT_BASE + physical address. The top table lies
 *    below 4 GiB (the trampoline loads CR3 in 32-bit mode).
 * 4. For each LWK core in turn, mk.ko copies the trampoline into a page
 *    below 1 MiB, fills its struct mk_trampoline, and sends INIT-SIPI-SIPI.
 *    The trampoline goes real -> protected -> long mode and jumps to the
 *    image's entry with %rdi = boot params (direct-map address), %esi = the
 *    core's index, %rsp = its boot stack. The core marks itself
 *    MK_CPU_STARTED in the boot params; only then is the page reused.
 * 5. Each core reports MK_CPU_READY; the instance runs when all have.
 *
 * Shared fields are written by one side only; the comment on each says who.
 */
#ifndef MK_BOOT_H
#define MK_BOOT_H

/* Virtual layout of the LWK (also used by the boot page tables). */
#define MK_LWK_KERNEL_BASE 0xffffffff80000000ULL  /* -mcmodel=kernel range */
#define MK_LWK_DIRECT_BASE 0xffff800000000000ULL  /* LWK memory at + phys */

/* The trampoline page: fixed offsets, shared with the assembly. */
#define MK_TRAMP_MAGIC 0x504d5254U   /* "TRMP" */
#define MK_TRAMP_MAGIC_OFF 0x08
#define MK_TRAMP_CR3_OFF 0x0c
#define MK_TRAMP_GDTR_OFF 0x10       /* u16 limit, u32 base (page offset, relocated) */
#define MK_TRAMP_JMP32_OFF 0x18      /* u32 offset (relocated), u16 selector */
#define MK_TRAMP_JMP64_OFF 0x20      /* u32 offset (relocated), u16 selector */
#define MK_TRAMP_ENTRY_OFF 0x28
#define MK_TRAMP_PARAMS_OFF 0x30
#define MK_TRAMP_STACK_OFF 0x38
#define MK_TRAMP_INDEX_OFF 0x40
#define MK_TRAMP_GDT_OFF 0x48        /* 4 descriptors */
#define MK_TRAMP_MAX_SIZE 4096

/* Interrupt vectors the LWK owns on its cores. */
#define MK_LWK_VECTOR_DOORBELL 0xf0  /* Linux -> LWK: look at your mailbox */
#define MK_LWK_VECTOR_STOP 0xf1      /* LWK -> LWK: a core panicked, halt */
#define MK_LWK_VECTOR_TIMER 0xf2     /* the local APIC timer (armed for deadlines only) */
#define MK_LWK_VECTOR_RESCHED 0xf3   /* LWK -> LWK: a thread of yours was woken or killed */
#define MK_LWK_VECTOR_TLB 0xf4       /* LWK -> LWK: flush your TLB (a shared address space changed) */
#define MK_LWK_VECTOR_SPURIOUS 0xff

#ifndef __ASSEMBLY__

#include "common.h"

#define MK_IMAGE_MAGIC 0x474d494b574c4b4dULL   /* "MKLWKIMG" */
#define MK_IMAGE_VERSION 1

/* At the start of the image's lowest PT_LOAD segment. Written by the linker. */
struct mk_image_header {
	__u64 magic;
	__u32 version;
	__u32 size;             /* sizeof(struct mk_image_header) */
	__u64 trampoline;       /* virtual address of the trampoline blob, 4 KiB aligned */
	__u32 trampoline_size;  /* <= MK_TRAMP_MAX_SIZE */
	__u32 flags;            /* 0 */
};
MK_STATIC_ASSERT(sizeof(struct mk_image_header) == 32, "mk_image_header layout");

#define MK_BOOT_MAGIC 0x31544f4f424b4d00ULL    /* "\0MKBOOT1" */
#define MK_BOOT_VERSION 1
#define MK_MAX_BOOT_CHUNKS 1024

/* A core's life, as seen in struct mk_boot_cpu.state. */
enum mk_cpu_state {
	MK_CPU_OFF = 0,       /* not started (Linux) */
	MK_CPU_STARTING = 1,  /* SIPI sent (Linux) */
	MK_CPU_STARTED = 2,   /* running LWK code, trampoline left (LWK) */
	MK_CPU_READY = 3,     /* initialised, idle or working (LWK) */
	MK_CPU_PANICKED = 4,  /* took a fatal exception (LWK) */
	MK_CPU_HALTED = 5,    /* stopped because another core panicked (LWK) */
};

/* Commands Linux leaves in a core's mailbox before ringing its doorbell. */
enum mk_lwk_cmd {
	MK_LWK_CMD_NONE = 0,
	MK_LWK_CMD_FAULT = 1,   /* debug: take a page fault in the kernel */
	MK_LWK_CMD_CORRUPT = 2, /* debug: corrupt what Linux reads (a hostile LWK) */
};

/* One LWK core; two cache lines so each side writes its own. */
struct mk_boot_cpu {
	/* Written by Linux before boot, and its mailbox afterwards. */
	__u32 linux_cpu;
	__u32 apic_id;
	__s32 node;
	__u32 pad0;
	__u64 boot_stack_top;    /* virtual */
	__u64 ping_seq;          /* Linux: sequence of the last ping sent */
	__u32 cmd;               /* Linux: enum mk_lwk_cmd, with cmd_seq */
	__u32 cmd_seq;
	__u64 pad1[3];
	/* Written by the LWK. */
	__u32 state;             /* enum mk_cpu_state */
	__u32 cmd_done;          /* cmd_seq of the last command handled */
	__u64 pong_seq;          /* sequence of the last ping answered */
	__u64 irqs;              /* interrupts taken on this core */
	__u64 doorbells;         /* Linux -> LWK doorbells taken */
	__u64 ready_tsc;         /* TSC when it became ready */
	__s32 pid;               /* the process on this core, 0 if none */
	__u32 pad2;
	__u64 user_bytes;        /* memory that process has mapped */
	__u32 flush_done;        /* seq of the last MK_MSG_FLUSH this core carried out */
	__u32 cow_done;          /* (seq << 2) | answer of the last MK_MSG_COW (<mk/proc.h>) */
};
MK_STATIC_ASSERT(sizeof(struct mk_boot_cpu) == 128, "mk_boot_cpu layout");

/* The instance's state as the LWK reports it (struct mk_boot_params.lwk_state). */
enum mk_lwk_state {
	MK_LWK_BOOTING = 0,
	MK_LWK_RUNNING = 1,
	MK_LWK_PANICKED = 2,
};

/*
 * The kernel log: a byte ring the LWK writes and Linux reads without
 * stopping it. head counts every byte ever written; byte n lives at
 * data[n % size]. The LWK advances head with a release store after writing
 * the bytes; a reader that finds head moved more than size past what it
 * copied lost the overwritten part.
 */
struct mk_log {
	__u64 magic;             /* MK_LOG_MAGIC */
	__u64 size;              /* bytes of data[] (Linux) */
	__u64 head;              /* LWK */
	__u64 pad[5];
	/* __u8 data[size] follows */
};
#define MK_LOG_MAGIC 0x474f4c4b4d000001ULL

/* At the start of the LWK's first chunk. */
struct mk_boot_params {
	__u64 magic;             /* MK_BOOT_MAGIC */
	__u32 version;           /* MK_BOOT_VERSION */
	__u32 size;              /* sizeof(struct mk_boot_params) */

	/* Written by Linux before boot. */
	__u32 nr_cpus;
	__u32 nr_chunks;
	__u32 nr_nodes;          /* node ids below this appear in distance[] */
	__u32 flags;             /* MK_BOOT_X2APIC ... */
	__u64 tsc_khz;
	__u64 boot_area_phys;    /* this block */
	__u64 boot_area_size;
	__u64 image_phys;        /* where the image's lowest 2 MiB page lies */
	__u64 image_virt;        /* its virtual address */
	__u64 image_size;        /* bytes mapped for the image, 2 MiB multiple */
	__u64 log_phys;          /* struct mk_log */
	__u64 log_size;          /* including the header */
	__u64 channel_phys;      /* the inter-kernel channel area */
	__u64 channel_size;
	__u32 doorbell_vector;   /* LWK -> Linux: fixed IPI with this vector ... */
	__u32 doorbell_apic_id;  /* ... to this physical APIC id */
	__u64 linux_boot_ns;     /* Linux's CLOCK_REALTIME when the boot began */
	char cmdline[MK_CMDLINE_LEN];
	__u8 distance[MK_MAX_NODES][MK_MAX_NODES];   /* NUMA distances (SLIT) */
	struct mk_mem_chunk chunks[MK_MAX_BOOT_CHUNKS];

	/* Written by the LWK. */
	__u32 lwk_state;         /* enum mk_lwk_state */
	__u32 panic_cpu;         /* index of the core that panicked first */
	__u64 boot_tsc;          /* TSC when the first core entered */
	char panic[MK_PANIC_LEN];   /* one-line summary of the panic */
	__u64 free_bytes;        /* the LWK's free memory, updated as it changes */
	__u64 pad[3];

	struct mk_boot_cpu cpus[MK_MAX_LWK_CPUS];
};

#define MK_BOOT_X2APIC (1U << 0)     /* Linux runs its APICs in x2APIC mode */
#define MK_BOOT_MEM_ZERO (1U << 1)   /* the chunks hold only zeros (but the boot area and image) */

#endif /* __ASSEMBLY__ */
#endif /* MK_BOOT_H */
