/* mk-threads-bench: threads and timers as a program sees them, the same
 * static binary natively on Linux and under mkexec on the LWK.
 *   futex   one-way latency of a futex ping-pong between two threads pinned
 *           to two different CPUs of the process (round trip / 2), raw
 *           FUTEX_WAIT/FUTEX_WAKE with FUTEX_PRIVATE_FLAG, no spinning
 *   create  pthread_create + pthread_join of an empty thread, with glibc's
 *           default stack and with a 64 KiB one
 *   sleep   nanosleep overshoot (CLOCK_MONOTONIC elapsed - requested) for
 *           100 us, 1 ms and 10 ms
 * The CPUs are the process's own (sched_getaffinity): the first and the
 * last of them. Futex and create times come from the TSC, calibrated
 * against CLOCK_MONOTONIC; min, median, p99 and max in ns. A row the
 * kernel cannot provide prints "unsupported: why" instead of figures; every
 * futex wait has a timeout so that a lost wake-up cannot hang the program.
 * Usage: mk-threads-bench [futex|create|sleep|all] [ROUNDS]
 *   ROUNDS futex round trips (default 1000); create+join ROUNDS/5 each,
 *   sleeps ROUNDS/5 of 100 us, ROUNDS/10 of 1 ms, ROUNDS/40 of 10 ms. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"

static double ns_per_tick;

static int cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Samples already in ns (scale 1) or in TSC ticks (scale ns_per_tick). */
static void report(const char *name, int64_t *s, int n, double scale)
{
	qsort(s, (size_t)n, sizeof *s, cmp);
	printf("%-22s %8d %10.0f %10.0f %10.0f %10.0f\n", name, n, s[0] * scale, s[n / 2] * scale,
	       s[(n * 99) / 100] * scale, s[n - 1] * scale);
	fflush(stdout);
}

static void unsupported(const char *name, const char *why)
{
	printf("%-22s unsupported: %s\n", name, why);
	fflush(stdout);
}

static int cpu_first = -1, cpu_last = -1;

static int pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof set, &set);
}

/* ---- futex ping-pong --------------------------------------------------- */

enum { IDLE, PING, PONG, STOP };

static _Atomic uint32_t turn = IDLE;

/* Each wait gives up after 200 ms and looks again; a side that has seen no
 * progress for 10 s in all gives up for good. */
#define WAIT_SLICE_NS 200000000
#define WAIT_LIMIT_NS 10000000000ull

static long futex(_Atomic uint32_t *w, int op, uint32_t val, const struct timespec *to)
{
	return syscall(SYS_futex, w, op | FUTEX_PRIVATE_FLAG, val, to, NULL, 0);
}

/* 0 when *w == want; -ESTALE when stopped; else -errno of the failure. */
static int wait_for(_Atomic uint32_t *w, uint32_t want)
{
	uint64_t waited = 0;
	uint32_t v;
	while ((v = atomic_load(w)) != want) {
		if (v == STOP)
			return -ESTALE;
		struct timespec to = {0, WAIT_SLICE_NS};
		if (futex(w, FUTEX_WAIT, v, &to) == 0 || errno == EAGAIN || errno == EINTR)
			continue;
		if (errno != ETIMEDOUT)
			return -errno;
		waited += WAIT_SLICE_NS;
		if (waited >= WAIT_LIMIT_NS)
			return -ETIMEDOUT;
	}
	return 0;
}

static int wake(_Atomic uint32_t *w)
{
	return futex(w, FUTEX_WAKE, 1, NULL) < 0 ? -errno : 0;
}

static int partner_cpu = -1, partner_err;

static void *partner(void *arg)
{
	(void)arg;
	if (pin(cpu_last) == 0)
		partner_cpu = sched_getcpu();
	for (;;) {
		int r = wait_for(&turn, PING);
		if (r == 0) {
			atomic_store(&turn, PONG);
			r = wake(&turn);
		}
		if (r) {
			partner_err = r == -ESTALE ? 0 : r;
			return NULL;
		}
	}
}

static void bench_futex(int rounds)
{
	const char *name = "futex-one-way";
	const int warm = 20;
	int64_t *s = calloc((size_t)rounds, sizeof *s);
	char why[160];
	pthread_t th;
	int r = 0;

	if (!s || cpu_first == cpu_last) {
		unsupported(name, s ? "the process has only one CPU" : "out of memory");
		return;
	}
	if (pin(cpu_first)) {
		snprintf(why, sizeof why, "sched_setaffinity(CPU %d): %s", cpu_first, strerror(errno));
		unsupported(name, why);
		return;
	}
	if ((r = pthread_create(&th, NULL, partner, NULL))) {
		snprintf(why, sizeof why, "pthread_create: %s", strerror(r));
		unsupported(name, why);
		return;
	}
	for (int i = -warm; i < rounds; i++) {
		uint64_t a = mk_tsc_begin();
		atomic_store(&turn, PING);
		r = wake(&turn);
		if (!r)
			r = wait_for(&turn, PONG);
		uint64_t b = mk_tsc_end();
		if (r)
			break;
		if (i >= 0)
			s[i] = (int64_t)(b - a);
	}
	if (r) {
		/* The partner may be stuck in the kernel: leave it to exit(). */
		snprintf(why, sizeof why, "%s (%s)",
			 r == -ETIMEDOUT ? "no wake-up within 10 s" : strerror(-r),
			 partner_err ? strerror(-partner_err) : "partner reported nothing");
		unsupported(name, why);
		return;
	}
	atomic_store(&turn, STOP);
	wake(&turn);
	pthread_join(th, NULL);
	printf("# futex: main thread on CPU %d, partner on CPU %d (sched_getcpu); %d round trips after %d "
	       "warm-up, one way = round trip / 2\n",
	       sched_getcpu(), partner_cpu, rounds, warm);
	for (int i = 0; i < rounds; i++)
		s[i] /= 2;
	report(name, s, rounds, ns_per_tick);
	free(s);
}

/* ---- thread create + join ---------------------------------------------- */

static void *empty(void *arg) { return arg; }

/* stack: 0 for glibc's default (8 MiB, RLIMIT_STACK), else its size. */
static void bench_create(const char *name, size_t stack, int n)
{
	int64_t *s = calloc((size_t)n, sizeof *s);
	pthread_attr_t attr;
	char why[160];

	if (!s) {
		unsupported(name, "out of memory");
		return;
	}
	pthread_attr_init(&attr);
	if (stack)
		pthread_attr_setstacksize(&attr, stack);
	for (int i = -5; i < n; i++) {
		pthread_t th;
		uint64_t a = mk_tsc_begin();
		int r = pthread_create(&th, &attr, empty, NULL);
		if (!r)
			r = pthread_join(th, NULL);
		uint64_t b = mk_tsc_end();
		if (r) {
			snprintf(why, sizeof why, "pthread_create/join: %s", strerror(r));
			unsupported(name, why);
			return;
		}
		if (i >= 0)
			s[i] = (int64_t)(b - a);
	}
	report(name, s, n, ns_per_tick);
	pthread_attr_destroy(&attr);
	free(s);
}

/* glibc gives an exiting thread's unused stack back with madvise(MADV_DONTNEED);
 * the 64 KiB variant shows what that costs against the default stack. */
static void bench_creates(int rounds)
{
	printf("# create+join: creator on CPU %d, the process's CPUs %d..%d allowed; %d threads after 5 "
	       "warm-up, default stack, then 64 KiB stacks\n",
	       sched_getcpu(), cpu_first, cpu_last, rounds / 5);
	bench_create("create+join", 0, rounds / 5);
	bench_create("create+join-64K-stack", 65536, rounds / 5);
}

/* ---- nanosleep overshoot ------------------------------------------------ */

static void bench_sleep(const char *name, long req_ns, int n)
{
	int64_t *s = calloc((size_t)n, sizeof *s);
	struct timespec req = {req_ns / 1000000000, req_ns % 1000000000};
	char why[160];

	if (!s) {
		unsupported(name, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		uint64_t a = (uint64_t)mk_monotonic_ns();
		int r = nanosleep(&req, NULL);
		uint64_t b = (uint64_t)mk_monotonic_ns();
		if (r) {
			snprintf(why, sizeof why, "nanosleep: %s", strerror(errno));
			unsupported(name, why);
			return;
		}
		s[i] = (int64_t)(b - a) - req_ns;
	}
	report(name, s, n, 1.0);
	free(s);
}

static void bench_sleeps(int rounds)
{
	int n100 = rounds / 5, n1 = rounds / 10, n10 = rounds / 40;
	pin(cpu_last);
	printf("# nanosleep: on CPU %d, overshoot = CLOCK_MONOTONIC elapsed - requested; %d x 100 us, %d x 1 ms, "
	       "%d x 10 ms\n",
	       sched_getcpu(), n100, n1, n10);
	bench_sleep("nanosleep-100us-over", 100000, n100);
	bench_sleep("nanosleep-1ms-over", 1000000, n1);
	bench_sleep("nanosleep-10ms-over", 10000000, n10);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "all";
	int rounds = argc > 2 ? atoi(argv[2]) : 1000;
	int all = !strcmp(what, "all");
	cpu_set_t set;

	if (rounds < 40 || (!all && strcmp(what, "futex") && strcmp(what, "create") && strcmp(what, "sleep"))) {
		fprintf(stderr, "usage: mk-threads-bench [futex|create|sleep|all] [ROUNDS >= 40]\n");
		return 2;
	}
	if (sched_getaffinity(0, sizeof set, &set)) {
		perror("mk-threads-bench: sched_getaffinity");
		return 1;
	}
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set)) {
			if (cpu_first < 0)
				cpu_first = c;
			cpu_last = c;
		}
	ns_per_tick = 1.0 / mk_tsc_ticks_per_ns(3, 20);
	printf("# TSC: %.3f ns per tick (calibrated against CLOCK_MONOTONIC: median of 3 x 20 ms); first CPU %d, last CPU %d\n", ns_per_tick,
	       cpu_first, cpu_last);
	printf("%-22s %8s %10s %10s %10s %10s\n", "operation", "samples", "min_ns", "median_ns", "p99_ns", "max_ns");
	fflush(stdout);
	/* create first: before anything is pinned, the creator may use both CPUs. */
	if (all || !strcmp(what, "create"))
		bench_creates(rounds);
	if (all || !strcmp(what, "futex"))
		bench_futex(rounds);
	if (all || !strcmp(what, "sleep"))
		bench_sleeps(rounds);
	return 0;
}
