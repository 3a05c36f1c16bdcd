/* mk-cg: an MPI + OpenMP conjugate-gradient solver, the mini-app of the
 * benchmarks (bench/miniapp/run, docs/benchmarks.md). It solves the 2D
 * Poisson problem -Δu = 1 on an N×N grid with zero boundary (5-point
 * stencil, matrix-free), rows split into one slab per rank, each slab's
 * loops shared by the rank's OpenMP threads. Every iteration exchanges
 * halo rows with the neighbours (MPI_Sendrecv) and makes two global dot
 * products (MPI_Allreduce): the bulk-synchronous pattern in which one
 * delayed thread on one core delays every rank.
 *
 * Sums are made in a fixed order (per-thread partial sums added in thread
 * order, static schedules), so the iteration count and residual printed
 * are the same wherever the job runs with the same ranks and threads.
 *
 * usage: mk-cg LABEL [N [MAX_ITERATIONS [TOLERANCE]]]   (128, 1000, 1e-8)
 * Rank 0 prints the result, the time to solution, the distribution of
 * iteration times, and a line
 *   csv,LABEL,RANKS,THREADS,N,ITERATIONS,SECONDS,MEDIAN_US,P99_US,MAX_US
 * then "done LABEL". */
#include <math.h>
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct slab {
	int n;		/* grid side */
	int rows;	/* this rank's rows */
	int first;	/* its first row in the grid */
	int up, down;	/* neighbour ranks (MPI_PROC_NULL at the edges) */
};

/* v has rows + 2 rows of n: a halo row on each side. */
static double *row(double *v, const struct slab *s, int i) { return v + (size_t)(i + 1) * s->n; }

static void exchange(double *v, const struct slab *s)
{
	MPI_Sendrecv(row(v, s, 0), s->n, MPI_DOUBLE, s->up, 0, row(v, s, s->rows), s->n, MPI_DOUBLE, s->down, 0,
		     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	MPI_Sendrecv(row(v, s, s->rows - 1), s->n, MPI_DOUBLE, s->down, 1, row(v, s, -1), s->n, MPI_DOUBLE, s->up,
		     1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

/* q = A p on the slab (p's halo rows current). */
static void apply(const double *p, double *q, const struct slab *s)
{
	const int n = s->n;
#pragma omp parallel for schedule(static)
	for (int i = 0; i < s->rows; i++) {
		const double *c = row((double *)p, s, i), *u = c - n, *d = c + n;
		double *o = row(q, s, i);
		for (int j = 0; j < n; j++) {
			double w = j > 0 ? c[j - 1] : 0, e = j < n - 1 ? c[j + 1] : 0;
			o[j] = 4 * c[j] - u[j] - d[j] - w - e;
		}
	}
}

/* The global dot product of a and b, summed in a fixed order. */
static double dot(const double *a, const double *b, const struct slab *s, double *partial)
{
	const size_t len = (size_t)s->rows * s->n;
	const double *x = row((double *)a, s, 0), *y = row((double *)b, s, 0);
#pragma omp parallel
	{
		int t = omp_get_thread_num(), nt = omp_get_num_threads();
		size_t lo = len * t / nt, hi = len * (t + 1) / nt;
		double sum = 0;
		for (size_t k = lo; k < hi; k++)
			sum += x[k] * y[k];
		partial[t] = sum;
	}
	double local = 0, global = 0;
	for (int t = 0; t < omp_get_max_threads(); t++)
		local += partial[t];
	MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	return global;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int provided;
	MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
	int rank, size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	const char *label = argc > 1 ? argv[1] : "cg";
	const int n = argc > 2 ? atoi(argv[2]) : 128;
	const int max_iter = argc > 3 ? atoi(argv[3]) : 1000;
	const double tol = argc > 4 ? atof(argv[4]) : 1e-8;
	if (n < size || n < 2 || max_iter < 1) {
		if (rank == 0)
			fprintf(stderr, "mk-cg: N must be at least the number of ranks and 2\n");
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	struct slab s = {n, 0, 0, rank > 0 ? rank - 1 : MPI_PROC_NULL, rank < size - 1 ? rank + 1 : MPI_PROC_NULL};
	s.first = (int)((long)n * rank / size);
	s.rows = (int)((long)n * (rank + 1) / size) - s.first;
	const size_t cells = (size_t)(s.rows + 2) * n;
	double *x = calloc(cells, sizeof *x), *r = calloc(cells, sizeof *r), *p = calloc(cells, sizeof *p),
	       *q = calloc(cells, sizeof *q), *partial = calloc((size_t)omp_get_max_threads(), sizeof *partial);
	double *times = malloc((size_t)max_iter * sizeof *times);
	if (!x || !r || !p || !q || !partial || !times)
		MPI_Abort(MPI_COMM_WORLD, 3);
	/* x = 0, so r = b = 1 (scaled by h^2 into the stencil's units), p = r. */
	const double h2 = 1.0 / ((double)(n + 1) * (n + 1));
#pragma omp parallel for schedule(static)
	for (int i = 0; i < s.rows; i++)
		for (int j = 0; j < n; j++)
			row(r, &s, i)[j] = row(p, &s, i)[j] = h2;

	MPI_Barrier(MPI_COMM_WORLD);
	const double start = MPI_Wtime();
	double rr = dot(r, r, &s, partial);
	const double rr0 = rr;
	int iter = 0;
	while (iter < max_iter && sqrt(rr / rr0) > tol) {
		const double t0 = MPI_Wtime();
		exchange(p, &s);
		apply(p, q, &s);
		const double alpha = rr / dot(p, q, &s, partial);
		const size_t len = (size_t)s.rows * n;
		double *xs = row(x, &s, 0), *rs = row(r, &s, 0), *ps = row(p, &s, 0), *qs = row(q, &s, 0);
#pragma omp parallel for schedule(static)
		for (size_t k = 0; k < len; k++) {
			xs[k] += alpha * ps[k];
			rs[k] -= alpha * qs[k];
		}
		const double rr_new = dot(r, r, &s, partial);
		const double beta = rr_new / rr;
		rr = rr_new;
#pragma omp parallel for schedule(static)
		for (size_t k = 0; k < len; k++)
			ps[k] = rs[k] + beta * ps[k];
		times[iter++] = MPI_Wtime() - t0;
	}
	const double seconds = MPI_Wtime() - start;
	/* The solution's centre value, from the rank that holds it. */
	double centre = 0, centre_all = 0;
	if (n / 2 >= s.first && n / 2 < s.first + s.rows)
		centre = row(x, &s, n / 2 - s.first)[n / 2];
	MPI_Reduce(&centre, &centre_all, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
	if (rank == 0) {
		qsort(times, (size_t)iter, sizeof *times, by_value);
		const double median = times[iter / 2] * 1e6, p99 = times[(size_t)(iter * 0.99)] * 1e6,
			     max = times[iter - 1] * 1e6;
		printf("mk-cg: %dx%d grid, %d ranks x %d OpenMP threads\n", n, n, size, omp_get_max_threads());
		printf("%s %d iterations, relative residual %.6e, u(centre) %.9f\n",
		       sqrt(rr / rr0) <= tol ? "converged in" : "stopped after", iter, sqrt(rr / rr0), centre_all);
		printf("time to solution %.3f s; iteration median %.1f us, p99 %.1f us, max %.1f us (max/median %.2f)\n",
		       seconds, median, p99, max, max / median);
		printf("csv,%s,%d,%d,%d,%d,%.6f,%.1f,%.1f,%.1f\n", label, size, omp_get_max_threads(), n, iter, seconds,
		       median, p99, max);
		printf("done %s\n", label);
		fflush(stdout);
	}
	free(x), free(r), free(p), free(q), free(partial), free(times);
	MPI_Finalize();
	return 0;
}
