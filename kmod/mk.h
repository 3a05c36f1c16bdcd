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

#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/ktime.h>
#include <linux/sizes.h>

#include <mk/boot.h>
#include <mk/ioctl.h>
#include <mk/proc.h>
#include <mk/ring.h>

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
	bool mem_used;               /* an LWK ran in it: not all zero any more */
	/* Progress of a reservation in flight, read without the lock. */
	atomic64_t progress_done;
	atomic64_t progress_total;
};

extern struct mk_partition mk_part;

/* The boot area at the start of the LWK's first chunk (see boot.c). */
#define MK_PARAMS_BYTES SZ_64K
#define MK_LOG_BYTES SZ_512K
#define MK_STACK_BYTES SZ_32K

/* x86-64 page-table entry bits mk.ko reads or writes. */
#define MK_PT_P 0x1ULL
#define MK_PT_W 0x2ULL
#define MK_PT_U 0x4ULL
#define MK_PT_A 0x20ULL
#define MK_PT_PS 0x80ULL
#define MK_PT_ADDR 0x000ffffffffff000ULL
#define MK_PT_NX (1ULL << 63)

/* Boot page tables: pages mk.ko allocated, freed when the LWK stops. */
struct mk_boot_tables {
	struct page *root;           /* PML4, below 4 GiB */
	struct list_head pages;      /* every table page, root included */
};

/* Linux's end of one LWK core's two channels (<mk/proc.h>). */
struct mk_chan {
	struct mk_ring_rx rx;        /* LWK -> Linux, drained by the doorbell */
	struct mk_ring_tx tx;        /* Linux -> LWK */
	spinlock_t rx_lock;
	spinlock_t tx_lock;
	bool broken;                 /* the LWK corrupted it; nothing more is read */
	/* A message its process's inbox had no room for: delivered first, later. */
	u32 held_len;
	u8 held[MK_CHAN_PAYLOAD] __aligned(8);
};

/* A physical range of LWK memory (mk.ko's own copy, never the LWK's). */
struct mk_range {
	phys_addr_t start, end;
};

/* The LWK instance booted on the partition. Changed under mk_part.lock. */
struct mk_instance {
	enum mk_state state;         /* BOOTING, RUNNING, PANICKED; FREE when none */
	struct mk_boot_params *bp;   /* in LWK memory, through Linux's direct map */
	phys_addr_t boot_area_phys;
	u64 boot_area_size;
	u32 nr_cpus;
	struct mk_boot_tables tables;
	ktime_t running_since;
	u64 boot_ns;
	char last_error[MK_MSG_LEN];
	/* The LWK -> Linux doorbell: counted, and wakes whoever waits. */
	atomic64_t doorbells;
	wait_queue_head_t wait;
	/* Linux's own copies of what it told the LWK, to trust nothing it writes. */
	u32 core_cpu[MK_MAX_LWK_CPUS];      /* Linux CPU of each LWK core */
	u32 core_apic[MK_MAX_LWK_CPUS];     /* its APIC id */
	struct mk_range *ranges;            /* LWK memory, sorted */
	u32 nr_ranges;
	struct mk_chan *chans;              /* one per LWK core, while it runs */
	atomic_t core_users[MK_MAX_LWK_CPUS]; /* processes each core is given to */
	atomic_t core_sole[MK_MAX_LWK_CPUS];  /* ... of them not willing to share it */
	u32 boot_gen;                         /* counts boots: whose counts a process holds */
	struct work_struct event_work;      /* panic detection, log mirror */
	struct delayed_work mirror_work;    /* log mirror while the LWK runs */
	u64 mirror_pos;
};

extern struct mk_instance mk_inst;

/* A physically contiguous range of order-0 pages, each with refcount 1. */
struct mk_chunk {
	struct list_head link;
	phys_addr_t phys;
	u64 bytes;
	int node;
};

/*
 * Refuse a request: one line for the user (copied back in the request's
 * msg) and the same line in the kernel log (rate-limited: users can make
 * requests fail as often as they like).
 */
#define mk_refuse(msgbuf, fmt, ...)						\
	do {									\
		snprintf(msgbuf, MK_MSG_LEN, fmt, ##__VA_ARGS__);		\
		pr_warn_ratelimited(fmt "\n", ##__VA_ARGS__);			\
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

/* lowmem.c: the page below 1 MiB the trampoline runs from */
int mk_lowmem_init(void);
void *mk_lowmem_acquire(phys_addr_t *phys);
void mk_lowmem_release(void);
void mk_lowmem_exit(void);

/* apic.c */
void mk_apic_send_init(u32 apic_id);
void mk_apic_send_sipi(u32 apic_id, phys_addr_t start);
void mk_apic_send_ipi(u32 apic_id, u8 vector);
void mk_apic_send_nmi(u32 apic_id);
u32 mk_apic_id(unsigned int cpu);

/* pgtable.c */
int mk_boot_tables_build(struct mk_boot_tables *t, u64 image_virt, u64 image_phys,
			 u64 image_size);
void mk_boot_tables_free(struct mk_boot_tables *t);

/* irq.c: the LWK -> Linux doorbell */
int mk_irq_init(void);
void mk_irq_exit(void);
u32 mk_irq_vector(void);
unsigned int mk_irq_cpu(void);          /* the Linux CPU that takes it */
u32 mk_irq_apic_id(void);

/* image.c */
struct mk_image_layout;
int mk_image_check(const u8 *img, u64 size, struct mk_image_layout *l, char *msg);
void mk_image_place(const u8 *img, const struct mk_image_layout *l, void *dst);
const u8 *mk_image_trampoline(const u8 *img, u64 size, const struct mk_image_layout *l);

/* boot.c */
int mk_boot_init(void);
void mk_boot_exit(void);
int mk_cmd_boot(struct mk_boot_request *req);
int mk_cmd_shutdown(struct mk_simple_request *req);
int mk_cmd_ping(struct mk_ping_request *req);
int mk_cmd_debug(struct mk_debug_request *req);
bool mk_lwk_active(void);
/* Stops the LWK's cores: it failed a duty Linux depends on (track.c). */
void mk_lwk_halt(const char *why);
void mk_lwk_status(struct mk_status *st);

/* channel.c */
int mk_chan_setup(struct mk_boot_params *bp);
void mk_chan_teardown(void);
int mk_chan_send(u32 core, const void *msg, u32 len);
bool mk_chan_drain(u32 budget);
void mk_chan_poll(u32 core, bool awake);
bool mk_phys_in_lwk(phys_addr_t phys, u64 len);

/* Linux pages mkexec pinned for its LWK process to map (pin.c). */
struct mk_pins {
	struct mutex lock;
	struct list_head list;       /* struct mk_pin */
	struct list_head tracked;    /* struct mk_track (track.c), under the process's sink_lock */
	struct xarray pfns;          /* pinned frame -> how many pins, how many writable */
	u32 next_id;
};

void mk_pins_init(struct mk_pins *pins);
/*
 * Writes a pin's frame numbers into the LWK's sink at window address sink
 * (struct mk_pin_sink): 0, or -errno when it is not a fresh sink of the
 * process.
 */
typedef int (*mk_pin_sink_fn)(void *ctx, u64 sink, u32 id, u32 flags, struct page *const *pages,
			      unsigned long n);
long mk_pin_cmd(struct mk_pins *pins, struct mk_proc_pin __user *uarg, mk_pin_sink_fn fill,
		void *ctx);
/* unmap: mkexec's mapping of the pin goes too (in mkexec's context). */
void mk_pin_release(struct mk_pins *pins, u32 id, bool unmap);
void mk_pins_release_all(struct mk_pins *pins);
int mk_pins_dup(struct mk_pins *to, struct mk_pins *from);
/* Whether a pin holds pfn; *writable: a writable one does. Any context. */
bool mk_pins_lookup(struct mk_pins *pins, unsigned long pfn, bool *writable);
/* Tracked mappings (track.c), under pins->lock; n pages. */
long mk_track_cmd(struct mk_pins *pins, struct mk_proc_pin *req, unsigned long n);
bool mk_track_release(struct mk_pins *pins, u32 id, bool unmap);
void mk_tracks_release_all(struct mk_pins *pins);

/* proc.c */
int mk_cmd_spawn(struct mk_spawn_request *req);
bool mk_proc_deliver(u32 core, const void *msg, u32 len);
void mk_procs_kill_all(void);
void mk_procs_status(struct mk_status *st);

/* log.c */
int mk_cmd_log(struct mk_log_request *req);
void mk_log_mirror(void);
void mk_log_dump(const char *why);
void mk_log_last_line(char *out, size_t len);

/* sysfs.c */
int mk_sysfs_init(void);
/* window.c: its locks, before anything runs. */
void mk_window_init(void);
void mk_sysfs_exit(void);

/* device.c: /dev/mk */
struct file_operations;
int mk_device_init(const struct file_operations *fops);
void mk_device_exit(void);

/* main.c */
enum mk_state mk_state(void);
const char *mk_state_name(enum mk_state state);

#endif /* MK_KMOD_H */
