/* Cross-core wake-ups while the woken thread's core waits for Linux: one
 * thread sits in a forwarded read on the second core (so that core watches
 * its ring from Linux when idle), another thread there plays futex
 * ping-pong with the main thread on the first core. A wake-up the second
 * core misses leaves the game stuck for good.
 * Usage: wake_race ROUNDS. Prints "ROUNDS round trips" and exits 0. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int turn; /* 0: the main thread's, 1: the player's */
static long rounds;
static int cpus[2], pipefd[2];

static void futex_wait(atomic_int *w, int v)
{
	syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void futex_wake(atomic_int *w)
{
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(0, sizeof s, &s)) {
		perror("sched_setaffinity");
		exit(1);
	}
}

static void *reader(void *arg)
{
	(void)arg;
	pin(cpus[1]);
	char c;
	return (void *)(long)read(pipefd[0], &c, 1); /* until main writes, at the end */
}

static void *player(void *arg)
{
	(void)arg;
	pin(cpus[1]);
	for (long i = 0; i < rounds; i++) {
		while (atomic_load(&turn) != 1)
			futex_wait(&turn, 0);
		atomic_store(&turn, 0);
		futex_wake(&turn);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	rounds = argc > 1 ? atol(argv[1]) : 10000;
	cpu_set_t s;
	if (sched_getaffinity(0, sizeof s, &s) || CPU_COUNT(&s) < 2) {
		fprintf(stderr, "wake_race: needs 2 CPUs\n");
		return 2;
	}
	for (int c = 0, n = 0; n < 2; c++)
		if (CPU_ISSET(c, &s))
			cpus[n++] = c;
	if (pipe(pipefd))
		return 1;
	pin(cpus[0]);
	pthread_t r, p;
	pthread_create(&r, NULL, reader, NULL);
	pthread_create(&p, NULL, player, NULL);
	for (long i = 0; i < rounds; i++) {
		atomic_store(&turn, 1);
		futex_wake(&turn);
		while (atomic_load(&turn) != 0)
			futex_wait(&turn, 1);
	}
	pthread_join(p, NULL);
	if (write(pipefd[1], "x", 1) != 1)
		return 1;
	pthread_join(r, NULL);
	printf("%ld round trips\n", rounds);
	return 0;
}
