/* The one TSC clock of every benchmark, C and C++ (bench/syscall,
 * bench/threads, bench/noise, bench/ring), natively and under mkexec.
 *
 * Reads are ordered so that the timed work cannot move across them (Intel,
 * "How to Benchmark Code Execution Times", 2010): an interval starts with
 * lfence; rdtsc; lfence and ends with rdtscp; lfence. The rate is
 * calibrated against CLOCK_MONOTONIC: each end of a busy-wait is the
 * clock read with the narrowest TSC bracket of a few tries, and the rate is
 * the median over the rounds. */
#ifndef MK_BENCH_CLOCK_H
#define MK_BENCH_CLOCK_H

#include <cpuid.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <x86intrin.h>

/* Start of a measured interval: earlier instructions have completed, later
 * ones have not started. */
static inline uint64_t mk_tsc_begin(void)
{
	_mm_lfence();
	uint64_t t = __rdtsc();
	_mm_lfence();
	return t;
}

/* End of a measured interval: rdtscp waits for the work before it; the
 * lfence keeps what follows from starting early. */
static inline uint64_t mk_tsc_end(void)
{
	unsigned aux;
	uint64_t t = __rdtscp(&aux);
	_mm_lfence();
	return t;
}

struct mk_tsc_features {
	bool rdtscp;
	bool invariant; /* constant rate, runs in all C-states */
};

/* From CPUID (no system call). */
static inline struct mk_tsc_features mk_tsc_features(void)
{
	struct mk_tsc_features f = {false, false};
	unsigned a, b, c, d;
	if (__get_cpuid(0x80000000, &a, &b, &c, &d)) {
		unsigned max_ext = a;
		if (max_ext >= 0x80000001 && __get_cpuid(0x80000001, &a, &b, &c, &d))
			f.rdtscp = d & (1u << 27);
		if (max_ext >= 0x80000007 && __get_cpuid(0x80000007, &a, &b, &c, &d))
			f.invariant = d & (1u << 8);
	}
	return f;
}

static inline int64_t mk_monotonic_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* A CLOCK_MONOTONIC reading and the TSC at that moment: the middle of the
 * narrowest TSC bracket around it of 8 tries. */
static inline void mk_tsc_paired_read(int64_t *ns, uint64_t *tsc)
{
	uint64_t best = UINT64_MAX;
	for (int i = 0; i < 8; i++) {
		uint64_t a = mk_tsc_begin();
		int64_t n = mk_monotonic_ns();
		uint64_t b = mk_tsc_end();
		if (b - a < best) {
			best = b - a;
			*ns = n;
			*tsc = a + (b - a) / 2;
		}
	}
}

/* TSC ticks per nanosecond of CLOCK_MONOTONIC: the median of `rounds`
 * (at most 15) busy-waits of `ms` milliseconds each. */
static inline double mk_tsc_ticks_per_ns(unsigned rounds, unsigned ms)
{
	double r[15];
	if (rounds < 1)
		rounds = 1;
	if (rounds > 15)
		rounds = 15;
	for (unsigned i = 0; i < rounds; i++) {
		int64_t n0 = 0, n1 = 0;
		uint64_t t0 = 0, t1 = 0;
		mk_tsc_paired_read(&n0, &t0);
		/* Busy-wait rather than sleep: no timer, no scheduler in the way. */
		while (mk_monotonic_ns() - n0 < (int64_t)ms * 1000000)
			;
		mk_tsc_paired_read(&n1, &t1);
		r[i] = (double)(t1 - t0) / (double)(n1 - n0);
		for (unsigned j = i; j > 0 && r[j] < r[j - 1]; j--) {
			double x = r[j];
			r[j] = r[j - 1];
			r[j - 1] = x;
		}
	}
	return r[rounds / 2];
}

#endif
