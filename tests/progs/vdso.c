/* The vDSO as a program sees it: AT_SYSINFO_EHDR, its symbols and their
 * version, glibc's time and CPU calls (which use it), and the same values
 * from the system calls themselves. Prints what does not depend on the
 * machine, so the output under mkexec can be compared with Linux's.
 *   vdso                 the checks; exit 0 when all hold
 *   vdso realtime        print CLOCK_REALTIME through glibc (sec.nsec)
 * Built static (vdso) and dynamic (vdso_dynamic). */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int failed;
#define CHECK(cond, ...) do { if (!(cond)) { printf("FAIL: " __VA_ARGS__); printf("\n"); failed = 1; } } while (0)

static long long ns_of(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

/* Looks name@version up in the vDSO's dynamic symbol table (DT_HASH). */
static void *vdso_sym(const char *name, const char *version)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	uintptr_t bias = 0;
	const Elf64_Dyn *dyn = NULL;
	int loads = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !loads++)
			bias = base + ph[i].p_offset - ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
	}
	if (!dyn)
		return NULL;
	const Elf64_Sym *sym = NULL;
	const char *str = NULL;
	const Elf64_Word *hash = NULL;
	const Elf64_Versym *versym = NULL;
	const Elf64_Verdef *verdef = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		uintptr_t p = bias + dyn->d_un.d_ptr;
		switch (dyn->d_tag) {
		case DT_SYMTAB: sym = (const Elf64_Sym *)p; break;
		case DT_STRTAB: str = (const char *)p; break;
		case DT_HASH: hash = (const Elf64_Word *)p; break;
		case DT_VERSYM: versym = (const Elf64_Versym *)p; break;
		case DT_VERDEF: verdef = (const Elf64_Verdef *)p; break;
		}
	}
	if (!sym || !str || !hash || !versym || !verdef)
		return NULL;
	for (Elf64_Word i = 0; i < hash[1]; i++) {
		if (strcmp(str + sym[i].st_name, name) || sym[i].st_shndx == SHN_UNDEF)
			continue;
		/* Its version's name, from the definition with its index. */
		const Elf64_Verdef *d = verdef;
		for (;;) {
			if ((d->vd_ndx & 0x7fff) == (versym[i] & 0x7fff)) {
				const Elf64_Verdaux *a = (const Elf64_Verdaux *)((const char *)d + d->vd_aux);
				if (!strcmp(str + a->vda_name, version))
					return (void *)(bias + sym[i].st_value);
				break;
			}
			if (!d->vd_next)
				break;
			d = (const Elf64_Verdef *)((const char *)d + d->vd_next);
		}
	}
	return NULL;
}

#ifndef VDSO_STATIC
static int seen_vdso;
static int on_object(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size, (void)data;
	if (info->dlpi_addr && !strcmp(info->dlpi_name, "linux-vdso.so.1"))
		seen_vdso = 1;
	return 0;
}
#endif

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "realtime")) {
		struct timespec t;
		clock_gettime(CLOCK_REALTIME, &t);
		printf("%lld.%09ld\n", (long long)t.tv_sec, t.tv_nsec);
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("AT_SYSINFO_EHDR: %s\n", getauxval(AT_SYSINFO_EHDR) ? "set" : "missing");
	if (!getauxval(AT_SYSINFO_EHDR))
		return 1;
	const char *names[] = {"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time",
		"__vdso_clock_getres", "__vdso_getcpu"};
	void *fn[5];
	for (int i = 0; i < 5; i++) {
		fn[i] = vdso_sym(names[i], "LINUX_2.6");
		printf("%s@LINUX_2.6: %s\n", names[i], fn[i] ? "found" : "missing");
	}

	/* Each clock through glibc, through the vDSO's own entry and through
	 * the system call: in order, and the two system calls around the
	 * others within 1 ms of each other in one of 20 tries (an emulated CPU
	 * can lose its host CPU for longer between any two instructions). */
	const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME,
		CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_TAI};
	int (*vgettime)(clockid_t, struct timespec *) = (int (*)(clockid_t, struct timespec *))fn[0];
	for (unsigned i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		long long slack = clocks[i] == CLOCK_REALTIME_COARSE || clocks[i] == CLOCK_MONOTONIC_COARSE ? 20000000 : 0;
		long long closest = -1;
		for (int try = 0; try < 20 && (closest < 0 || closest >= 1000000 + slack); try++) {
			struct timespec a, b, c, d;
			int ra = syscall(SYS_clock_gettime, clocks[i], &a);
			int rb = clock_gettime(clocks[i], &b);
			int rc = vgettime ? vgettime(clocks[i], &c) : -1;
			int rd = syscall(SYS_clock_gettime, clocks[i], &d);
			CHECK(!ra && !rb && !rc && !rd, "clock %d: %d %d %d %d", clocks[i], ra, rb, rc, rd);
			CHECK(ns_of(a) <= ns_of(b) + slack && ns_of(b) <= ns_of(c) + slack && ns_of(c) <= ns_of(d) + slack,
				"clock %d out of order: %lld %lld %lld %lld", clocks[i], ns_of(a), ns_of(b), ns_of(c),
				ns_of(d));
			if (closest < 0 || ns_of(d) - ns_of(a) < closest)
				closest = ns_of(d) - ns_of(a);
		}
		CHECK(closest < 1000000 + slack, "clock %d: never within 1 ms (closest %lld ns)", clocks[i], closest);
	}
	printf("clocks agree with the system call, in order\n");

	/* 200,000 reads of CLOCK_MONOTONIC never go back, with a system call
	 * every 100. */
	struct timespec prev;
	clock_gettime(CLOCK_MONOTONIC, &prev);
	int backwards = 0;
	for (int i = 0; i < 200000; i++) {
		struct timespec now;
		if (i % 100 == 0)
			syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now);
		else
			clock_gettime(CLOCK_MONOTONIC, &now);
		backwards += ns_of(now) < ns_of(prev);
		prev = now;
	}
	CHECK(!backwards, "CLOCK_MONOTONIC went back %d times", backwards);
	printf("CLOCK_MONOTONIC never went back\n");

	/* gettimeofday and time against the clock. */
	struct timespec t0, t1;
	struct timeval tv;
	struct timezone tz = {1, 1};
	clock_gettime(CLOCK_REALTIME, &t0);
	int rg = gettimeofday(&tv, &tz);
	time_t secs = time(NULL);
	clock_gettime(CLOCK_REALTIME, &t1);
	CHECK(!rg && tz.tz_minuteswest == 0 && tz.tz_dsttime == 0, "gettimeofday: %d, tz %d %d", rg,
		tz.tz_minuteswest, tz.tz_dsttime);
	long long us = tv.tv_sec * 1000000LL + tv.tv_usec;
	CHECK(us >= ns_of(t0) / 1000 && us <= ns_of(t1) / 1000, "gettimeofday %lld outside [%lld, %lld]", us,
		ns_of(t0) / 1000, ns_of(t1) / 1000);
	CHECK(secs >= t0.tv_sec && secs <= t1.tv_sec, "time %lld outside [%lld, %lld]", (long long)secs,
		(long long)t0.tv_sec, (long long)t1.tv_sec);
	printf("gettimeofday and time agree with the clock\n");

	/* The resolution of the clocks the vDSO keeps, and of one it leaves to
	 * the kernel. */
	struct timespec res;
	CHECK(!clock_getres(CLOCK_MONOTONIC, &res) && res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000,
		"clock_getres(CLOCK_MONOTONIC)");
	CHECK(!clock_getres(CLOCK_PROCESS_CPUTIME_ID, &res), "clock_getres(CLOCK_PROCESS_CPUTIME_ID)");
	struct timespec cpu;
	CHECK(!clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) && ns_of(cpu) > 0, "CLOCK_THREAD_CPUTIME_ID");
	printf("clock_getres fine; the CPU-time clocks still answer\n");

	/* getcpu: the vDSO's entry and the system call name the same CPU and
	 * node (the thread is held on one CPU). */
	cpu_set_t one;
	CPU_ZERO(&one);
	unsigned c0 = 0, n0 = 0, c1 = 1u << 31, n1 = 1u << 31;
	syscall(SYS_getcpu, &c0, &n0, NULL);
	CPU_SET(c0, &one);
	sched_setaffinity(0, sizeof one, &one);
	syscall(SYS_getcpu, &c0, &n0, NULL);
	int (*vgetcpu)(unsigned *, unsigned *, void *) = (int (*)(unsigned *, unsigned *, void *))fn[4];
	CHECK(vgetcpu && !vgetcpu(&c1, &n1, NULL), "__vdso_getcpu failed");
	CHECK(c0 == c1 && n0 == n1, "getcpu: the system call says CPU %u node %u, the vDSO CPU %u node %u", c0, n0,
		c1, n1);
	CHECK(sched_getcpu() == (int)c0, "sched_getcpu says %d, getcpu %u", sched_getcpu(), c0);
	printf("getcpu agrees with the system call\n");

#ifndef VDSO_STATIC
	dl_iterate_phdr(on_object, NULL);
	printf("the dynamic linker lists linux-vdso.so.1: %s\n", seen_vdso ? "yes" : "no");
	CHECK(seen_vdso, "glibc did not take the vDSO");
#endif
	printf("%s\n", failed ? "vdso: FAILED" : "vdso: ok");
	return failed;
}
