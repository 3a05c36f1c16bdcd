/* mk-omp-cg: conjugate gradients on the 2-D Poisson equation (5-point
 * Laplacian on an N x N grid, zero boundary, right-hand side all ones),
 * with OpenMP: each iteration is a matrix-vector product, two dot products
 * and three vector updates, so a barrier every few microseconds of work —
 * what makes OpenMP sensitive to how threads share cores. The same static
 * binary natively and under mkexec (bench/threads/run).
 * Usage: mk-omp-cg NAME [N [ITERATIONS [SOLVES]]]
 * Prints "NAME SOLVES MIN MEDIAN P99 MAX" (ns per solve) and a "#" line with
 * the threads, the CPUs and the residual, which is the same for every
 * thread count (the sums are reduced in a fixed order per thread count,
 * so it is checked to 1e-9 relative, not bit for bit). */
#define _GNU_SOURCE
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"

static int n;

/* y = A x for the 5-point Laplacian (4 on the diagonal, -1 off it). */
static void laplacian(const double *x, double *y)
{
#pragma omp for schedule(static)
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			double v = 4 * x[i * n + j];
			if (i > 0) v -= x[(i - 1) * n + j];
			if (i < n - 1) v -= x[(i + 1) * n + j];
			if (j > 0) v -= x[i * n + j - 1];
			if (j < n - 1) v -= x[i * n + j + 1];
			y[i * n + j] = v;
		}
}

static double dot(const double *a, const double *b, long m)
{
	static double sum;
#pragma omp single
	sum = 0;
	double mine = 0;
#pragma omp for schedule(static)
	for (long k = 0; k < m; k++)
		mine += a[k] * b[k];
#pragma omp atomic
	sum += mine;
#pragma omp barrier
	return sum;
}

/* One solve from x = 0; returns the final residual norm. */
static double solve(int iterations, double *x, double *r, double *p, double *q)
{
	const long m = (long)n * n;
	double rr_final = 0;
#pragma omp parallel
	{
#pragma omp for schedule(static)
		for (long k = 0; k < m; k++) {
			x[k] = 0;
			r[k] = 1;
			p[k] = 1;
		}
		double rr = dot(r, r, m);
		for (int it = 0; it < iterations; it++) {
			laplacian(p, q);
			double alpha = rr / dot(p, q, m);
#pragma omp for schedule(static)
			for (long k = 0; k < m; k++) {
				x[k] += alpha * p[k];
				r[k] -= alpha * q[k];
			}
			double rr_new = dot(r, r, m);
			double beta = rr_new / rr;
			rr = rr_new;
#pragma omp for schedule(static)
			for (long k = 0; k < m; k++)
				p[k] = r[k] + beta * p[k];
		}
#pragma omp single
		rr_final = rr;
	}
	return sqrt(rr_final);
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mk-omp-cg NAME [N [ITERATIONS [SOLVES]]]\n");
		return 2;
	}
	n = argc > 2 ? atoi(argv[2]) : 128;
	int iterations = argc > 3 ? atoi(argv[3]) : 50;
	int solves = argc > 4 ? atoi(argv[4]) : 5;
	if (n < 8 || n > 4096 || iterations < 1 || solves < 1 || solves > 1000) {
		fprintf(stderr, "mk-omp-cg: bad arguments\n");
		return 2;
	}
	const long m = (long)n * n;
	double *v = malloc(4 * m * sizeof *v);
	uint64_t *t = malloc(solves * sizeof *t);
	if (!v || !t)
		return 1;
	double ns_per_tick = 1.0 / mk_tsc_ticks_per_ns(3, 20);
	double residual = 0;
	for (int s = 0; s < solves; s++) {
		uint64_t a = mk_tsc_begin();
		residual = solve(iterations, v, v + m, v + 2 * m, v + 3 * m);
		t[s] = (uint64_t)((mk_tsc_end() - a) * ns_per_tick);
	}
	qsort(t, solves, sizeof *t, cmp);
	printf("%-22s %8d %10llu %10llu %10llu %10llu\n", argv[1], solves, (unsigned long long)t[0],
	       (unsigned long long)t[solves / 2], (unsigned long long)t[(solves * 99) / 100],
	       (unsigned long long)t[solves - 1]);
	printf("# %s: %d threads on %d CPUs, %dx%d grid, %d iterations, residual %.9e\n", argv[1],
	       omp_get_max_threads(), omp_get_num_procs(), n, n, iterations, residual);
	free(v);
	free(t);
	return 0;
}
