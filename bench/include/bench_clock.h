/* Timing for the static C benchmarks that run both natively and under
 * mkexec (bench/syscall, bench/threads): the TSC, read serialised, and
 * its rate calibrated against CLOCK_MONOTONIC. One translation unit each. */
#ifndef MK_BENCH_CLOCK_H
#define MK_BENCH_CLOCK_H

#include <stdint.h>
#include <time.h>
#include <x86intrin.h>

static double ns_per_tick;

static inline uint64_t ticks(void)
{
	unsigned aux;
	_mm_lfence();
	uint64_t t = __rdtscp(&aux);
	_mm_lfence();
	return t;
}

static inline uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Sets ns_per_tick over 50 ms. */
static inline void calibrate(void)
{
	uint64_t n0 = mono_ns(), t0 = ticks();
	while (mono_ns() - n0 < 50000000u)
		;
	uint64_t n1 = mono_ns(), t1 = ticks();
	ns_per_tick = (double)(n1 - n0) / (double)(t1 - t0);
}

#endif
