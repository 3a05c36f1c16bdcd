/* An MPI job that checks its own results: a ring of point-to-point
 * messages, an Allreduce with a known sum, a 1 MiB Bcast and a Barrier.
 * Rank 0 gathers one line a rank and prints them in order, then the CPUs
 * each rank may run on (which differ between Linux and the LWK).
 *   mpi_check              run the checks
 *   mpi_check crash R      rank R dereferences a null pointer after MPI_Init
 *   mpi_check sleep S      run the checks, then every rank sleeps S seconds
 *   mpi_check omp          and each rank's OpenMP team: its size, on how
 *                          many distinct CPUs its threads run at once */
#define _GNU_SOURCE
#include <mpi.h>
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LINE 160
#define BCAST (1 << 20)

/* The CPUs this process may run on, as a list ("2-3"). */
static void cpulist(char *out, size_t size)
{
	cpu_set_t set;
	size_t n = 0;
	out[0] = 0;
	if (sched_getaffinity(0, sizeof set, &set) != 0)
		return;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		int e = c;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, &set))
			e++;
		n += snprintf(out + n, size - n, n ? ",%d" : "%d", c);
		if (e > c)
			n += snprintf(out + n, size - n, "-%d", e);
		c = e;
	}
}

int main(int argc, char **argv)
{
	MPI_Init(&argc, &argv);
	int rank, size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (argc == 3 && !strcmp(argv[1], "crash") && rank == atoi(argv[2]))
		*(volatile int *)0 = 1;

	/* Ring: each rank sends its rank to the next one. */
	int from = -1, to = (rank + 1) % size, prev = (rank + size - 1) % size;
	MPI_Sendrecv(&rank, 1, MPI_INT, to, 1, &from, 1, MPI_INT, prev, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);

	long sq = (long)(rank + 1) * (rank + 1), sum = 0;
	MPI_Allreduce(&sq, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
	long want = (long)size * (size + 1) * (2 * size + 1) / 6;

	unsigned char *buf = malloc(BCAST);
	for (int i = 0; i < BCAST; i++)
		buf[i] = rank == 0 ? (unsigned char)(i * 7 + 3) : 0;
	MPI_Bcast(buf, BCAST, MPI_BYTE, 0, MPI_COMM_WORLD);
	int bad = 0;
	for (int i = 0; i < BCAST; i++)
		bad += buf[i] != (unsigned char)(i * 7 + 3);
	MPI_Barrier(MPI_COMM_WORLD);

	char line[LINE], cpus[64];
	snprintf(line, LINE, "rank %d of %d: ring got %d (%s), allreduce %ld (%s), bcast 1 MiB %s", rank, size, from,
		 from == prev ? "ok" : "WRONG", sum, sum == want ? "ok" : "WRONG", bad ? "WRONG" : "ok");
	if (argc == 2 && !strcmp(argv[1], "omp")) {
		/* Hybrid: every thread of the team computes a share and says,
		 * at a barrier (all running at once), where it is. */
		int team = 0;
		unsigned long used = 0;
		long total = 0;
#pragma omp parallel reduction(+ : total)
		{
#pragma omp single
			team = omp_get_num_threads();
#pragma omp barrier
			int cpu = sched_getcpu();
#pragma omp critical
			used |= 1UL << (cpu & 63);
#pragma omp for
			for (long i = 1; i <= 1000000; i++)
				total += i % 7;
		}
		size_t n = strlen(line);
		snprintf(line + n, LINE - n, "; %d OpenMP threads on %d CPUs, sum %s", team, __builtin_popcountl(used),
			 total == 2999998 ? "ok" : "WRONG");
	}
	cpulist(cpus, sizeof cpus);
	char *lines = rank == 0 ? malloc((size_t)size * LINE) : NULL;
	char *all_cpus = rank == 0 ? malloc((size_t)size * sizeof cpus) : NULL;
	MPI_Gather(line, LINE, MPI_CHAR, lines, LINE, MPI_CHAR, 0, MPI_COMM_WORLD);
	MPI_Gather(cpus, sizeof cpus, MPI_CHAR, all_cpus, sizeof cpus, MPI_CHAR, 0, MPI_COMM_WORLD);
	if (rank == 0) {
		for (int r = 0; r < size; r++)
			printf("%s\n", lines + (size_t)r * LINE);
		for (int r = 0; r < size; r++)
			printf("cpus of rank %d: %s\n", r, all_cpus + (size_t)r * sizeof cpus);
		fflush(stdout);
	}
	if (argc == 3 && !strcmp(argv[1], "sleep"))
		sleep(atoi(argv[2]));
	MPI_Finalize();
	return 0;
}
