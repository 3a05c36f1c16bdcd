// SPDX-License-Identifier: GPL-2.0
/*
 * Booting and stopping the LWK on the partition (the protocol is described
 * in <mk/boot.h>), the doorbell ping and the debug commands.
 *
 * The LWK's first chunk with room starts with the boot area: the boot
 * parameters, the kernel log, one boot stack per core and the channel area;
 * the image follows, 2 MiB aligned. Cores start one at a time through the
 * trampoline page; the boot waits until every core is ready, and on any
 * failure stops the cores it started (INIT) and leaves the partition
 * reserved and reusable.
 */
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/apic.h>
#include <asm/tsc.h>

#include <mk/lwk_image.h>

#include "mk.h"

static unsigned int boot_timeout_ms = 10000;
module_param(boot_timeout_ms, uint, 0644);
MODULE_PARM_DESC(boot_timeout_ms, "how long mkctl boot waits for every LWK core (default 10000)");

#define MK_IMAGE_MAX_BYTES (64ULL << 20)
#define MK_CORE_START_MS 2000

MK_STATIC_ASSERT(sizeof(struct mk_boot_params) <= MK_PARAMS_BYTES, "boot params fit their slot");

struct mk_instance mk_inst;

bool mk_lwk_active(void)
{
	return READ_ONCE(mk_inst.state) != MK_STATE_FREE;
}

static u64 mk_boot_area_bytes(u32 nr_cpus)
{
	return ALIGN(MK_PARAMS_BYTES + MK_LOG_BYTES +
		     (u64)nr_cpus * (MK_STACK_BYTES + MK_CHAN_BYTES_PER_CORE), SZ_2M);
}

/* The first chunk that holds need bytes plus room for the LWK to work. */
static struct mk_chunk *mk_boot_chunk(u64 need)
{
	struct mk_chunk *c;

	list_for_each_entry(c, &mk_part.chunks, link)
		if (c->bytes >= need + SZ_2M)
			return c;
	return NULL;
}

static void mk_fill_params(struct mk_boot_params *bp, const struct mk_image_layout *l,
			   phys_addr_t area, u64 area_bytes, const char *cmdline)
{
	struct mk_log *log;
	struct mk_chunk *c;
	unsigned int cpu, i = 0, a, b;
	u64 stacks = area + MK_PARAMS_BYTES + MK_LOG_BYTES;

	bp->magic = MK_BOOT_MAGIC;
	bp->version = MK_BOOT_VERSION;
	bp->size = sizeof(*bp);
	bp->flags = x2apic_mode ? MK_BOOT_X2APIC : 0;
	/* Zeroed when reserved, and no LWK has written it since. */
	if (!mk_part.mem_used)
		bp->flags |= MK_BOOT_MEM_ZERO;
	mk_part.mem_used = true;
	bp->tsc_khz = tsc_khz;
	bp->boot_area_phys = area;
	bp->boot_area_size = area_bytes;
	bp->image_phys = area + area_bytes;
	bp->image_virt = l->virt_start;
	bp->image_size = l->virt_end - l->virt_start;
	bp->log_phys = area + MK_PARAMS_BYTES;
	bp->log_size = MK_LOG_BYTES;
	bp->doorbell_vector = mk_irq_vector();
	bp->doorbell_apic_id = mk_irq_apic_id();
	bp->linux_boot_ns = ktime_get_real_ns();
	strscpy(bp->cmdline, cmdline, sizeof(bp->cmdline));

	for_each_cpu(cpu, &mk_part.cpus) {
		struct mk_boot_cpu *bc = &bp->cpus[i];

		bc->linux_cpu = cpu;
		bc->apic_id = mk_apic_id(cpu);
		bc->node = cpu_to_node(cpu);
		bc->boot_stack_top = MK_LWK_DIRECT_BASE + stacks + (u64)(i + 1) * MK_STACK_BYTES;
		bc->state = MK_CPU_OFF;
		i++;
	}
	bp->nr_cpus = i;
	bp->channel_phys = stacks + (u64)i * MK_STACK_BYTES;
	bp->channel_size = (u64)i * MK_CHAN_BYTES_PER_CORE;

	i = 0;
	list_for_each_entry(c, &mk_part.chunks, link) {
		bp->chunks[i].phys = c->phys;
		bp->chunks[i].bytes = c->bytes;
		bp->chunks[i].node = c->node;
		i++;
	}
	bp->nr_chunks = i;
	bp->nr_nodes = min_t(unsigned int, nr_node_ids, MK_MAX_NODES);
	for (a = 0; a < bp->nr_nodes; a++)
		for (b = 0; b < bp->nr_nodes; b++)
			bp->distance[a][b] = node_online(a) && node_online(b) ? node_distance(a, b) : 0;

	log = phys_to_virt(bp->log_phys);
	log->magic = MK_LOG_MAGIC;
	log->size = MK_LOG_BYTES - sizeof(*log);
	log->head = 0;
	bp->lwk_state = MK_LWK_BOOTING;
}

/* INIT every core that was started: they wait for a SIPI that never comes. */
/*
 * INIT to every LWK core, by Linux's own record (the LWK can write its boot
 * parameters: a count or APIC id read there could name a Linux CPU, a
 * state could hide a running core). INIT to a core that is already
 * stopped does nothing.
 */
static void mk_stop_cores(void)
{
	u32 i;

	for (i = 0; i < mk_inst.nr_cpus && i < MK_MAX_LWK_CPUS; i++)
		mk_apic_send_init(mk_inst.core_apic[i]);
}

/*
 * The LWK failed a duty Linux's memory depends on (dropping pages Linux is
 * about to free): its cores stop now (INIT), and it counts as panicked
 * ('mkctl shutdown' gives its CPUs and memory back).
 */
void mk_lwk_halt(const char *why)
{
	if (!mk_lwk_active())
		return;
	mk_stop_cores();
	if (cmpxchg(&mk_inst.state, MK_STATE_RUNNING, MK_STATE_PANICKED) == MK_STATE_RUNNING)
		pr_err("stopped the LWK's cores: %s; Linux is unaffected ('mkctl shutdown' gives the CPUs and memory back)\n",
		       why);
}

/* Starts core i through the trampoline; returns once it left the page. */
static int mk_start_core(struct mk_boot_params *bp, u32 i, u8 *tramp, phys_addr_t tramp_phys,
			 const u8 *blob, const struct mk_image_layout *l, char *msg)
{
	struct mk_boot_cpu *bc = &bp->cpus[i];
	unsigned long deadline;

	memset(tramp, 0, PAGE_SIZE);
	memcpy(tramp, blob, l->trampoline_size);
	if (*(u32 *)(tramp + MK_TRAMP_MAGIC_OFF) != MK_TRAMP_MAGIC) {
		mk_refuse(msg, "the LWK image's trampoline has no trampoline magic");
		return -ENOEXEC;
	}
	*(u32 *)(tramp + MK_TRAMP_CR3_OFF) = page_to_phys(mk_inst.tables.root);
	*(u32 *)(tramp + MK_TRAMP_GDTR_OFF + 2) += tramp_phys;
	*(u32 *)(tramp + MK_TRAMP_JMP32_OFF) += tramp_phys;
	*(u32 *)(tramp + MK_TRAMP_JMP64_OFF) += tramp_phys;
	*(u64 *)(tramp + MK_TRAMP_ENTRY_OFF) = l->entry;
	*(u64 *)(tramp + MK_TRAMP_PARAMS_OFF) = MK_LWK_DIRECT_BASE + mk_inst.boot_area_phys;
	*(u64 *)(tramp + MK_TRAMP_STACK_OFF) = bc->boot_stack_top;
	*(u32 *)(tramp + MK_TRAMP_INDEX_OFF) = i;
	WRITE_ONCE(bc->state, MK_CPU_STARTING);
	wmb(); /* the page and the parameters before the core can run */

	/* Cores started earlier run the LWK, which may write bp: Linux's own copies. */
	mk_apic_send_init(mk_inst.core_apic[i]);
	mk_apic_send_sipi(mk_inst.core_apic[i], tramp_phys);

	deadline = jiffies + msecs_to_jiffies(MK_CORE_START_MS);
	while (smp_load_acquire(&bc->state) == MK_CPU_STARTING) {
		if (time_after(jiffies, deadline) || fatal_signal_pending(current)) {
			/* Stopped before Linux's trampoline goes back: a late SIPI must not run it. */
			mk_apic_send_init(mk_inst.core_apic[i]);
			mk_refuse(msg, "LWK core %u (CPU %u, APIC id %u) did not start within %u ms",
				  i, mk_inst.core_cpu[i], mk_inst.core_apic[i], MK_CORE_START_MS);
			return -ETIMEDOUT;
		}
		usleep_range(20, 50);
	}
	return 0;
}

static int mk_start_cores(struct mk_boot_params *bp, const u8 *img, u64 size,
			  const struct mk_image_layout *l, char *msg)
{
	const u8 *blob = mk_image_trampoline(img, size, l);
	phys_addr_t tramp_phys;
	u8 *tramp;
	u32 i;
	int ret = 0;

	tramp = mk_lowmem_acquire(&tramp_phys);
	if (!tramp) {
		mk_refuse(msg, "cannot map the trampoline page");
		return -ENOMEM;
	}
	for (i = 0; i < mk_inst.nr_cpus && !ret; i++)
		ret = mk_start_core(bp, i, tramp, tramp_phys, blob, l, msg);
	mk_lowmem_release();
	return ret;
}

/* Waits until the LWK says it runs, panicked, or the time is up. */
static int mk_wait_running(struct mk_boot_params *bp, unsigned int timeout_ms, char *msg)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	u32 st;

	for (;;) {
		st = smp_load_acquire(&bp->lwk_state);
		if (st == MK_LWK_RUNNING)
			return 0;
		if (st == MK_LWK_PANICKED) {
			mk_refuse(msg, "the LWK panicked while booting: %.*s", MK_PANIC_LEN,
				  bp->panic);
			return -EIO;
		}
		if (time_after(jiffies, deadline)) {
			mk_refuse(msg, "the LWK did not report running within %u ms (mkctl log shows what it logged)",
				  timeout_ms);
			return -ETIMEDOUT;
		}
		if (wait_event_killable_timeout(mk_inst.wait,
						smp_load_acquire(&bp->lwk_state) != MK_LWK_BOOTING,
						msecs_to_jiffies(10)) < 0) {
			mk_refuse(msg, "interrupted while the LWK was booting");
			return -EINTR;
		}
	}
}

/* Adds the LWK's last log line to a failed boot's message, as room allows. */
static void mk_append_last_words(char *msg)
{
	char line[MK_MSG_LEN];
	size_t used = strlen(msg);

	mk_log_last_line(line, sizeof(line));
	if (line[0] && used + 16 < MK_MSG_LEN)
		snprintf(msg + used, MK_MSG_LEN - used, "; LWK log: %s", line);
}

int mk_cmd_boot(struct mk_boot_request *req)
{
	struct mk_image_layout l;
	struct mk_boot_params *bp;
	struct mk_chunk *chunk;
	u64 area_bytes, need, nr_cpus;
	ktime_t start = ktime_get();
	u32 i;
	u8 *img;
	int ret;

	lockdep_assert_held(&mk_part.lock);
	req->msg[0] = '\0';
	if (mk_lwk_active()) {
		mk_refuse(req->msg, "an LWK is already %s: mkctl shutdown first",
			  mk_state_name(mk_inst.state));
		return -EBUSY;
	}
	nr_cpus = cpumask_weight(&mk_part.cpus);
	if (!nr_cpus || !mk_part.mem_bytes) {
		mk_refuse(req->msg, "nothing to boot on: reserve CPUs and memory first (mkctl boot --cpus LIST --mem SIZE does both)");
		return -EINVAL;
	}
	if (nr_cpus > MK_MAX_LWK_CPUS || mk_part.nr_chunks > MK_MAX_BOOT_CHUNKS) {
		mk_refuse(req->msg, "an LWK runs on at most %d CPUs and %d memory chunks",
			  MK_MAX_LWK_CPUS, MK_MAX_BOOT_CHUNKS);
		return -EINVAL;
	}
	if (!req->image_size || req->image_size > MK_IMAGE_MAX_BYTES) {
		mk_refuse(req->msg, "an LWK image of %llu bytes: it must be 1 byte to %llu MiB",
			  req->image_size, MK_IMAGE_MAX_BYTES >> 20);
		return -EINVAL;
	}
	img = vmalloc(req->image_size);
	if (!img)
		return -ENOMEM;
	if (copy_from_user(img, u64_to_user_ptr(req->image), req->image_size)) {
		ret = -EFAULT;
		goto out_img;
	}
	ret = mk_image_check(img, req->image_size, &l, req->msg);
	if (ret)
		goto out_img;

	area_bytes = mk_boot_area_bytes(nr_cpus);
	need = area_bytes + (l.virt_end - l.virt_start);
	chunk = mk_boot_chunk(need);
	if (!chunk) {
		mk_refuse(req->msg, "the LWK needs a memory chunk of at least %llu MiB (boot area %llu MiB, image %llu MiB, 2 MiB to work): reserve more memory",
			  (need + SZ_2M) >> 20, area_bytes >> 20, (l.virt_end - l.virt_start) >> 20);
		ret = -ENOMEM;
		goto out_img;
	}

	/* Nothing has changed so far; from here on, failures undo. */
	mk_inst.boot_area_phys = chunk->phys;
	mk_inst.boot_area_size = area_bytes;
	memset(phys_to_virt(chunk->phys), 0, need);
	bp = phys_to_virt(chunk->phys);
	mk_fill_params(bp, &l, chunk->phys, area_bytes, req->cmdline);
	mk_image_place(img, &l, phys_to_virt(bp->image_phys));
	mk_inst.nr_cpus = bp->nr_cpus;
	mk_inst.mirror_pos = 0;
	mk_inst.last_error[0] = '\0';
	for (i = 0; i < bp->nr_cpus; i++) {
		mk_inst.core_cpu[i] = bp->cpus[i].linux_cpu;
		mk_inst.core_apic[i] = bp->cpus[i].apic_id;
	}
	for (i = 0; i < MK_MAX_LWK_CPUS; i++) {
		atomic_set(&mk_inst.core_users[i], 0);
		atomic_set(&mk_inst.core_sole[i], 0);
	}
	WRITE_ONCE(mk_inst.boot_gen, mk_inst.boot_gen + 1);
	ret = mk_chan_setup(bp);
	if (ret) {
		mk_refuse(req->msg, "cannot set up the channels with the LWK (%d)", ret);
		goto out_img;
	}
	ret = mk_boot_tables_build(&mk_inst.tables, l.virt_start, bp->image_phys, bp->image_size);
	if (ret) {
		mk_chan_teardown();
		mk_refuse(req->msg, "no memory for the boot page tables");
		goto out_img;
	}
	WRITE_ONCE(mk_inst.bp, bp);
	WRITE_ONCE(mk_inst.state, MK_STATE_BOOTING);
	schedule_delayed_work(&mk_inst.mirror_work, msecs_to_jiffies(100));

	ret = mk_start_cores(bp, img, req->image_size, &l, req->msg);
	if (!ret)
		ret = mk_wait_running(bp, req->timeout_ms ? req->timeout_ms : boot_timeout_ms,
				      req->msg);
	if (ret) {
		mk_stop_cores();
		/* Work that runs from now on sees no LWK and returns. */
		WRITE_ONCE(mk_inst.state, MK_STATE_FREE);
		cancel_delayed_work_sync(&mk_inst.mirror_work);
		cancel_work_sync(&mk_inst.event_work);
		mk_log_dump("the boot failed");
		if (ret == -ETIMEDOUT)
			mk_append_last_words(req->msg);
		mk_chan_teardown();
		mk_boot_tables_free(&mk_inst.tables);
		strscpy(mk_inst.last_error, req->msg, sizeof(mk_inst.last_error));
		goto out_img;
	}
	mk_inst.boot_ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	mk_inst.running_since = ktime_get();
	req->boot_ns = mk_inst.boot_ns;
	/* The LWK runs on mk's CPUs and memory: mk.ko stays until shutdown. */
	__module_get(THIS_MODULE);
	/* It may have panicked right after saying it runs. */
	cmpxchg(&mk_inst.state, MK_STATE_BOOTING, MK_STATE_RUNNING);
	schedule_work(&mk_inst.event_work);
	pr_info("LWK running on CPUs %*pbl with %llu MiB, booted in %llu us\n",
		cpumask_pr_args(&mk_part.cpus), mk_part.mem_bytes >> 20, mk_inst.boot_ns / 1000);
out_img:
	vfree(img);
	return ret;
}

/* Stops the LWK if one is up. */
static void mk_stop(void)
{
	if (!mk_lwk_active())
		return;
	mk_stop_cores();
	/* Work that runs from now on sees no LWK and returns. */
	WRITE_ONCE(mk_inst.state, MK_STATE_FREE);
	cancel_delayed_work_sync(&mk_inst.mirror_work);
	cancel_work_sync(&mk_inst.event_work);
	/* Programs end; mkexec's views of LWK memory go before the memory does. */
	mk_procs_kill_all();
	mk_chan_teardown();
	mk_log_mirror();
	mk_boot_tables_free(&mk_inst.tables);
	module_put(THIS_MODULE);
	pr_info("LWK stopped\n");
}

int mk_cmd_shutdown(struct mk_simple_request *req)
{
	struct mk_cpu_request *all;
	int ret = 0;

	lockdep_assert_held(&mk_part.lock);
	if (req->flags & ~MK_SHUTDOWN_KEEP) {
		mk_refuse(req->msg, "unknown shutdown flags %#x", req->flags);
		return -EINVAL;
	}
	mk_stop();
	if (req->flags & MK_SHUTDOWN_KEEP)
		return 0;
	all = kzalloc(sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	if (!cpumask_empty(&mk_part.cpus))
		ret = mk_cmd_release_cpus(all);
	if (ret)
		strscpy(req->msg, all->msg, sizeof(req->msg));
	kfree(all);
	mk_mem_release_all();
	return ret;
}

static int mk_check_core(s32 core, char *msg)
{
	if (READ_ONCE(mk_inst.state) != MK_STATE_RUNNING) {
		mk_refuse(msg, "no LWK is running (state %s)", mk_state_name(mk_state()));
		return -EINVAL;
	}
	if (core < 0 || core >= mk_inst.nr_cpus) {
		mk_refuse(msg, "LWK core %d does not exist (cores 0-%u)", core, mk_inst.nr_cpus - 1);
		return -EINVAL;
	}
	return 0;
}

#define MK_PING_MAX_S 10

int mk_cmd_ping(struct mk_ping_request *req)
{
	struct mk_boot_cpu *bc;
	u64 total = 0, seq, t0, dt;
	unsigned long deadline;
	long left;
	int ret;

	lockdep_assert_held(&mk_part.lock);
	ret = mk_check_core(req->core, req->msg);
	if (ret)
		return ret;
	if (!req->count || req->count > 1000000) {
		mk_refuse(req->msg, "a ping count of 1 to 1000000, not %u", req->count);
		return -EINVAL;
	}
	bc = &mk_inst.bp->cpus[req->core];
	req->done = 0;
	req->min_ns = U64_MAX;
	req->max_ns = 0;
	/*
	 * The partition's lock is held: a ping ends at any signal, and after
	 * MK_PING_MAX_S at most (a million round trips under emulation would
	 * keep every other command of mk.ko waiting for minutes).
	 */
	deadline = jiffies + MK_PING_MAX_S * HZ;
	while (req->done < req->count) {
		if (signal_pending(current)) {
			mk_refuse(req->msg, "interrupted after %u of %u round trips", req->done, req->count);
			ret = -EINTR;
			break;
		}
		if (time_after(jiffies, deadline)) {
			mk_refuse(req->msg, "stopped after %u s: %u of %u round trips", MK_PING_MAX_S,
				  req->done, req->count);
			ret = -ETIMEDOUT;
			break;
		}
		seq = READ_ONCE(bc->ping_seq) + 1;
		smp_store_release(&bc->ping_seq, seq);
		t0 = ktime_get_ns();
		mk_apic_send_ipi(mk_inst.core_apic[req->core], MK_LWK_VECTOR_DOORBELL);
		left = wait_event_interruptible_timeout(mk_inst.wait,
							smp_load_acquire(&bc->pong_seq) == seq ||
							READ_ONCE(mk_inst.state) != MK_STATE_RUNNING,
							HZ);
		if (left < 0)
			continue; /* a signal: reported above */
		if (!left || smp_load_acquire(&bc->pong_seq) != seq) {
			mk_refuse(req->msg, "LWK core %d did not answer ping %u within a second",
				  req->core, req->done + 1);
			ret = -ETIMEDOUT;
			break;
		}
		dt = ktime_get_ns() - t0;
		total += dt;
		req->min_ns = min(req->min_ns, dt);
		req->max_ns = max(req->max_ns, dt);
		req->done++;
	}
	if (!req->done)
		req->min_ns = 0;
	req->avg_ns = req->done ? div_u64(total, req->done) : 0;
	req->lwk_doorbells = READ_ONCE(bc->doorbells);
	req->linux_doorbells = atomic64_read(&mk_inst.doorbells);
	return ret;
}

int mk_cmd_debug(struct mk_debug_request *req)
{
	struct mk_boot_cpu *bc;
	unsigned long deadline;
	int ret;

	lockdep_assert_held(&mk_part.lock);
	if (req->op != MK_DEBUG_FAULT && req->op != MK_DEBUG_NMI && req->op != MK_DEBUG_CORRUPT) {
		mk_refuse(req->msg, "unknown debug operation %u", req->op);
		return -EINVAL;
	}
	ret = mk_check_core(req->core, req->msg);
	if (ret)
		return ret;
	if (req->op == MK_DEBUG_NMI) {
		pr_info("sending LWK core %d an NMI (debug)\n", req->core);
		mk_apic_send_nmi(mk_inst.core_apic[req->core]);
		return 0;
	}
	bc = &mk_inst.bp->cpus[req->core];
	if (req->op == MK_DEBUG_CORRUPT) {
		pr_warn("making LWK core %d corrupt what Linux reads, on purpose (debug)\n", req->core);
		WRITE_ONCE(bc->cmd, MK_LWK_CMD_CORRUPT);
		smp_store_release(&bc->cmd_seq, bc->cmd_seq + 1);
		mk_apic_send_ipi(mk_inst.core_apic[req->core], MK_LWK_VECTOR_DOORBELL);
		return 0;
	}
	pr_warn("making LWK core %d take a page fault on purpose (debug)\n", req->core);
	WRITE_ONCE(bc->cmd, MK_LWK_CMD_FAULT);
	smp_store_release(&bc->cmd_seq, bc->cmd_seq + 1);
	mk_apic_send_ipi(mk_inst.core_apic[req->core], MK_LWK_VECTOR_DOORBELL);
	deadline = jiffies + 2 * HZ;
	while (READ_ONCE(mk_inst.state) != MK_STATE_PANICKED) {
		if (time_after(jiffies, deadline)) {
			mk_refuse(req->msg, "LWK core %d did not take the fault within 2 s", req->core);
			return -ETIMEDOUT;
		}
		if (wait_event_killable_timeout(mk_inst.wait,
						READ_ONCE(mk_inst.state) == MK_STATE_PANICKED,
						HZ / 10) < 0)
			return -EINTR;
	}
	return 0;
}

void mk_lwk_status(struct mk_status *st)
{
	struct mk_boot_params *bp = mk_inst.bp;
	u32 i;

	strscpy(st->last_error, mk_inst.last_error, sizeof(st->last_error));
	if (!mk_lwk_active() || !bp)
		return;
	st->state = mk_inst.state;
	st->boot_ns = mk_inst.boot_ns;
	if (mk_inst.state != MK_STATE_BOOTING)
		st->uptime_ns = ktime_to_ns(ktime_sub(ktime_get(), mk_inst.running_since));
	st->nr_lwk_cpus = mk_inst.nr_cpus;
	st->lwk_free_bytes = READ_ONCE(bp->free_bytes);
	for (i = 0; i < mk_inst.nr_cpus; i++) {
		st->lwk_cpus[i].linux_cpu = mk_inst.core_cpu[i];
		st->lwk_cpus[i].apic_id = mk_inst.core_apic[i];
		st->lwk_cpus[i].node = bp->cpus[i].node;
		st->lwk_cpus[i].state = READ_ONCE(bp->cpus[i].state);
		st->lwk_cpus[i].irqs = READ_ONCE(bp->cpus[i].irqs);
	}
	if (mk_inst.state == MK_STATE_PANICKED) {
		memcpy(st->panic, bp->panic, sizeof(st->panic));
		st->panic[sizeof(st->panic) - 1] = '\0';
	}
}

/* After a doorbell: did the LWK panic? Never takes mk_part.lock. */
static void mk_event(struct work_struct *work)
{
	struct mk_boot_params *bp = READ_ONCE(mk_inst.bp);
	char panic[MK_PANIC_LEN];

	if (!bp || !mk_lwk_active())
		return;
	if (smp_load_acquire(&bp->lwk_state) == MK_LWK_PANICKED &&
	    (cmpxchg(&mk_inst.state, MK_STATE_RUNNING, MK_STATE_PANICKED) == MK_STATE_RUNNING)) {
		memcpy(panic, bp->panic, sizeof(panic));
		panic[sizeof(panic) - 1] = '\0';
		mk_log_mirror();
		pr_err("the LWK panicked: %s; Linux is unaffected ('mkctl log' has the report, 'mkctl shutdown' gives the CPUs and memory back)\n",
		       panic);
	}
}

static void mk_mirror(struct work_struct *work)
{
	mk_log_mirror();
	if (mk_lwk_active())
		schedule_delayed_work(&mk_inst.mirror_work, msecs_to_jiffies(250));
}

int mk_boot_init(void)
{
	mk_inst.state = MK_STATE_FREE;
	init_waitqueue_head(&mk_inst.wait);
	INIT_WORK(&mk_inst.event_work, mk_event);
	INIT_DELAYED_WORK(&mk_inst.mirror_work, mk_mirror);
	return 0;
}

void mk_boot_exit(void)
{
	cancel_delayed_work_sync(&mk_inst.mirror_work);
	cancel_work_sync(&mk_inst.event_work);
}
