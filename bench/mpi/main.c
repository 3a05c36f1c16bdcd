/* mk-mpi-bench: MPI between 2 ranks, measured by the ranks: ping-pong
 * latency (half the round trip) and bandwidth (a window of messages one
 * way, then a 0-byte ack) from 8 B to 4 MiB, MPI_Allreduce of one double
 * and MPI_Barrier. Rank 0 prints CSV rows
 *   csv,LABEL,TEST,BYTES,ITERATIONS,USEC,MBPS
 * (USEC: per message for latency, per call for the collectives; MBPS for
 * bandwidth) and, last, "done". Rank 0 flushes before MPI_Finalize, so a
 * job that hangs in it has still reported. usage: mk-mpi-bench LABEL [SCALE] */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rank;

static double pingpong(char *buf, int bytes, int iters)
{
	MPI_Barrier(MPI_COMM_WORLD);
	double t0 = MPI_Wtime();
	for (int i = 0; i < iters; i++) {
		if (rank == 0) {
			MPI_Send(buf, bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD);
			MPI_Recv(buf, bytes, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		} else {
			MPI_Recv(buf, bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			MPI_Send(buf, bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
		}
	}
	return (MPI_Wtime() - t0) / iters / 2 * 1e6;
}

static double bandwidth(char *buf, int bytes, int iters)
{
	enum { WINDOW = 16 };
	MPI_Request req[WINDOW];
	MPI_Status st[WINDOW];
	MPI_Barrier(MPI_COMM_WORLD);
	double t0 = MPI_Wtime();
	for (int i = 0; i < iters; i++) {
		for (int w = 0; w < WINDOW; w++) {
			if (rank == 0)
				MPI_Isend(buf, bytes, MPI_BYTE, 1, 2, MPI_COMM_WORLD, &req[w]);
			else
				MPI_Irecv(buf, bytes, MPI_BYTE, 0, 2, MPI_COMM_WORLD, &req[w]);
		}
		MPI_Waitall(WINDOW, req, st);
		if (rank == 0)
			MPI_Recv(NULL, 0, MPI_BYTE, 1, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		else
			MPI_Send(NULL, 0, MPI_BYTE, 0, 3, MPI_COMM_WORLD);
	}
	double s = MPI_Wtime() - t0;
	return (double)bytes * WINDOW * iters / s / 1e6;
}

int main(int argc, char **argv)
{
	MPI_Init(&argc, &argv);
	int size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (size != 2 || argc < 2) {
		if (rank == 0)
			fprintf(stderr, "usage: mpirun -np 2 mk-mpi-bench LABEL [SCALE]\n");
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
	const char *label = argv[1];
	double scale = argc > 2 ? atof(argv[2]) : 1.0;
	const int max = 4 << 20;
	char *buf = malloc(max);
	memset(buf, 1, max);
	static const int sizes[] = {8, 64, 512, 4096, 32768, 262144, 1 << 20, 4 << 20};
	for (unsigned k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		int bytes = sizes[k];
		int iters = (int)(scale * (bytes <= 4096 ? 1000 : bytes <= 262144 ? 200 : 20));
		if (iters < 2)
			iters = 2;
		pingpong(buf, bytes, iters / 10 + 1); /* warm-up */
		double lat = pingpong(buf, bytes, iters);
		double bw = bandwidth(buf, bytes, iters / 10 + 2);
		if (rank == 0) {
			printf("csv,%s,latency,%d,%d,%.3f,\n", label, bytes, iters, lat);
			printf("csv,%s,bandwidth,%d,%d,,%.1f\n", label, bytes, iters / 10 + 2, bw);
		}
	}
	int iters = (int)(scale * 1000);
	double x = rank, y;
	for (int i = 0; i < iters / 10; i++)
		MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	MPI_Barrier(MPI_COMM_WORLD);
	double t0 = MPI_Wtime();
	for (int i = 0; i < iters; i++)
		MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
	double ar = (MPI_Wtime() - t0) / iters * 1e6;
	t0 = MPI_Wtime();
	for (int i = 0; i < iters; i++)
		MPI_Barrier(MPI_COMM_WORLD);
	double bar = (MPI_Wtime() - t0) / iters * 1e6;
	if (rank == 0) {
		printf("csv,%s,allreduce,8,%d,%.3f,\n", label, iters, ar);
		printf("csv,%s,barrier,0,%d,%.3f,\n", label, iters, bar);
		printf("done %s\n", label);
		fflush(stdout);
	}
	free(buf);
	MPI_Finalize();
	return y == 1.0 ? 0 : 1;
}
