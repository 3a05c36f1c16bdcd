// SPDX-License-Identifier: GPL-2.0
/*
 * CPU partitioning: mk takes CPUs from Linux with remove_cpu() and gives
 * them back with add_cpu(). mk_part.cpus records exactly which CPUs mk
 * took; nothing else is ever given back.
 *
 * While mk holds a CPU, a hotplug "prepare" callback refuses to bring it
 * online, so an administrator writing 1 to .../cpuN/online cannot start
 * Linux on a core that mk owns. The prepare stage runs on the controlling
 * CPU before the target CPU is touched, so the refusal is harmless.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/bitmap.h>

#include "mk.h"

/* CPUs Linux must not bring online; set/cleared atomically, read lock-free. */
static struct cpumask mk_guard;
static int mk_cpuhp_state = -1;

static int mk_cpu_prepare(unsigned int cpu)
{
	if (!cpumask_test_cpu(cpu, &mk_guard))
		return 0;
	pr_warn("CPU %u is reserved by mk and stays offline; 'mkctl release --cpus %u' gives it back\n",
		cpu, cpu);
	return -EBUSY;
}

int mk_cpu_init(void)
{
	int ret;

	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "mk/cpu:guard",
					mk_cpu_prepare, NULL);
	if (ret < 0) {
		pr_err("cannot register the CPU hotplug guard (%d)\n", ret);
		return ret;
	}
	mk_cpuhp_state = ret;
	return 0;
}

void mk_cpu_exit(void)
{
	if (mk_cpuhp_state >= 0)
		cpuhp_remove_state_nocalls(mk_cpuhp_state);
	mk_cpuhp_state = -1;
}

void mk_cpumask_to_abi(const struct cpumask *mask, struct mk_cpumask *abi)
{
	unsigned int cpu;

	memset(abi, 0, sizeof(*abi));
	for_each_cpu(cpu, mask)
		if (cpu < MK_MAX_CPUS)
			abi->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

/*
 * Converts the request's mask to a cpumask, refusing CPUs this machine does
 * not have. Returns the number of CPUs or a negative errno.
 */
static int mk_cpumask_from_abi(struct mk_cpu_request *req, struct cpumask *mask)
{
	unsigned int cpu;
	int n = 0;

	cpumask_clear(mask);
	for (cpu = 0; cpu < MK_MAX_CPUS; cpu++) {
		if (!(req->cpus.bits[cpu / 64] & (1ULL << (cpu % 64))))
			continue;
		if (cpu >= nr_cpu_ids || !cpu_possible(cpu)) {
			req->failed_cpu = cpu;
			mk_refuse(req->msg, "CPU %u does not exist (this node has CPUs %*pbl)",
				  cpu, cpumask_pr_args(cpu_possible_mask));
			return -EINVAL;
		}
		cpumask_set_cpu(cpu, mask);
		n++;
	}
	return n;
}

/* Gives one CPU back to Linux; on failure mk keeps it (and says so). */
static int mk_give_back_cpu(unsigned int cpu)
{
	int ret;

	cpumask_clear_cpu(cpu, &mk_guard);
	ret = add_cpu(cpu);
	if (ret) {
		cpumask_set_cpu(cpu, &mk_guard);
		pr_err("cannot give CPU %u back to Linux: add_cpu() failed (%d); mk keeps it\n",
		       cpu, ret);
		return ret;
	}
	cpumask_clear_cpu(cpu, &mk_part.cpus);
	return 0;
}

/* Checks a reservation of want before anything changes. */
static int mk_check_reserve(struct mk_cpu_request *req, const struct cpumask *want,
			    struct cpumask *left)
{
	unsigned int cpu;

	if (cpumask_test_cpu(0, want)) {
		req->failed_cpu = 0;
		mk_refuse(req->msg, "CPU 0 cannot be reserved: Linux needs its boot CPU");
		return -EINVAL;
	}
	for_each_cpu(cpu, want) {
		req->failed_cpu = cpu;
		if (cpumask_test_cpu(cpu, &mk_part.cpus)) {
			mk_refuse(req->msg, "CPU %u is already reserved by mk", cpu);
			return -EBUSY;
		}
		if (cpu == mk_irq_cpu()) {
			mk_refuse(req->msg,
				  "CPU %u takes the LWK's doorbell interrupts: it stays Linux's (load mk with doorbell_cpu= to move them)",
				  cpu);
			return -EINVAL;
		}
		if (!cpu_online(cpu)) {
			mk_refuse(req->msg,
				  "CPU %u is offline but not reserved by mk: bring it online first (echo 1 > /sys/devices/system/cpu/cpu%u/online)",
				  cpu, cpu);
			return -EBUSY;
		}
	}
	req->failed_cpu = -1;
	cpumask_andnot(left, cpu_online_mask, want);
	if (cpumask_empty(left)) {
		mk_refuse(req->msg, "reserving CPUs %*pbl would leave Linux without an online CPU",
			  cpumask_pr_args(want));
		return -EINVAL;
	}
	return 0;
}

int mk_cmd_reserve_cpus(struct mk_cpu_request *req)
{
	cpumask_var_t want, taken, left;
	unsigned int cpu;
	int ret = -ENOMEM;

	lockdep_assert_held(&mk_part.lock);
	req->failed_cpu = -1;
	if (!zalloc_cpumask_var(&want, GFP_KERNEL))
		return -ENOMEM;
	if (!zalloc_cpumask_var(&taken, GFP_KERNEL))
		goto out_want;
	if (!zalloc_cpumask_var(&left, GFP_KERNEL))
		goto out_taken;

	ret = mk_cpumask_from_abi(req, want);
	if (ret == 0) {
		mk_refuse(req->msg, "no CPUs given");
		ret = -EINVAL;
	}
	if (ret < 0)
		goto out;
	ret = mk_check_reserve(req, want, left);
	if (ret)
		goto out;

	for_each_cpu(cpu, want) {
		ret = remove_cpu(cpu);
		if (ret) {
			/* device_offline() returns 1 if someone else offlined it. */
			if (ret > 0)
				ret = -EBUSY;
			req->failed_cpu = cpu;
			mk_refuse(req->msg, "cannot take CPU %u from Linux: remove_cpu() failed (%d)",
				  cpu, ret);
			goto undo;
		}
		cpumask_set_cpu(cpu, taken);
		cpumask_set_cpu(cpu, &mk_part.cpus);
		cpumask_set_cpu(cpu, &mk_guard);
	}
	pr_info("reserved CPUs %*pbl\n", cpumask_pr_args(taken));
	goto out;

undo:
	for_each_cpu(cpu, taken)
		mk_give_back_cpu(cpu);
out:
	free_cpumask_var(left);
out_taken:
	free_cpumask_var(taken);
out_want:
	free_cpumask_var(want);
	return ret;
}

int mk_cmd_release_cpus(struct mk_cpu_request *req)
{
	cpumask_var_t want, given;
	unsigned int cpu;
	int ret, first_err = 0;

	lockdep_assert_held(&mk_part.lock);
	req->failed_cpu = -1;
	if (!zalloc_cpumask_var(&want, GFP_KERNEL))
		return -ENOMEM;
	if (!zalloc_cpumask_var(&given, GFP_KERNEL)) {
		free_cpumask_var(want);
		return -ENOMEM;
	}
	ret = mk_cpumask_from_abi(req, want);
	if (ret < 0)
		goto out;
	if (ret == 0)
		cpumask_copy(want, &mk_part.cpus);
	if (mk_lwk_active()) {
		mk_refuse(req->msg, "the LWK is %s on mk's CPUs: mkctl shutdown first",
			  mk_state_name(mk_state()));
		ret = -EBUSY;
		goto out;
	}
	for_each_cpu(cpu, want) {
		if (!cpumask_test_cpu(cpu, &mk_part.cpus)) {
			req->failed_cpu = cpu;
			mk_refuse(req->msg, "CPU %u is not reserved by mk (mk holds %*pbl)", cpu,
				  cpumask_pr_args(&mk_part.cpus));
			ret = -EINVAL;
			goto out;
		}
	}

	for_each_cpu(cpu, want) {
		ret = mk_give_back_cpu(cpu);
		if (ret && !first_err) {
			first_err = ret;
			req->failed_cpu = cpu;
			snprintf(req->msg, MK_MSG_LEN,
				 "cannot give CPU %u back to Linux: add_cpu() failed (%d); mk still holds it",
				 cpu, ret);
		}
		if (!ret)
			cpumask_set_cpu(cpu, given);
	}
	if (!cpumask_empty(given))
		pr_info("released CPUs %*pbl\n", cpumask_pr_args(given));
	ret = first_err;
out:
	free_cpumask_var(given);
	free_cpumask_var(want);
	return ret;
}

/* Module exit: every CPU mk holds goes back. */
void mk_cpus_release_all(void)
{
	unsigned int cpu;

	for_each_cpu(cpu, &mk_part.cpus)
		mk_give_back_cpu(cpu);
	if (!cpumask_empty(&mk_part.cpus))
		pr_err("CPUs %*pbl could not be given back and stay offline\n",
		       cpumask_pr_args(&mk_part.cpus));
}
