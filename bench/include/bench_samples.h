/* Wall-clock samples for the benchmarks that time whole operations
 * (process start-up, fork): microseconds of CLOCK_MONOTONIC, and one row
 *   NAME SAMPLES MIN MEDIAN P99 MAX
 * of a sorted set. */
#ifndef MK_BENCH_SAMPLES_H
#define MK_BENCH_SAMPLES_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double mk_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static inline int mk_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Sorts t[0..n) and prints its row. */
static inline void mk_print_samples(const char *name, double *t, int n)
{
	qsort(t, (size_t)n, sizeof *t, mk_cmp_double);
	printf("%-24s %6d %10.0f %10.0f %10.0f %10.0f\n", name, n, t[0], t[n / 2], t[(int)(n * 0.99)], t[n - 1]);
}

#endif
