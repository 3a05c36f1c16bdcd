/* pthreads on the LWK: N threads (one per core by default) with a mutex,
 * a condition variable and a barrier compute a sum with a known result;
 * then N threads map, fill, check and unmap memory at once (the address
 * space shared across cores); then many create/join cycles.
 * Usage: threads [N [CYCLES]] */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TERMS 3000000ULL

static int nthreads;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t all_done = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t start;
static unsigned long long total;
static int finished;
static unsigned long long cpus_seen[16];
static atomic_int cycles_run;

static void *sum_part(void *arg)
{
	long id = (long)arg;
	unsigned long long from = TERMS * id / nthreads + 1, to = TERMS * (id + 1) / nthreads, s = 0;

	pthread_barrier_wait(&start);
	for (unsigned long long i = from; i <= to; i++)
		s += i;
	int cpu = sched_getcpu();
	pthread_mutex_lock(&lock);
	total += s;
	if (cpu >= 0 && cpu < 1024)
		cpus_seen[cpu / 64] |= 1ULL << (cpu % 64);
	finished++;
	pthread_cond_signal(&all_done);
	pthread_mutex_unlock(&lock);
	return (void *)(from + to);
}

static void *churn(void *arg)
{
	long id = (long)arg, bad = 0;
	for (int round = 0; round < 100; round++) {
		size_t len = (size_t)(16 + (round + id) % 48) << 12;
		unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return (void *)1;
		memset(p, (int)(id + round), len);
		for (size_t i = 0; i < len; i += 4096)
			bad += p[i] != (unsigned char)(id + round);
		munmap(p, len);
	}
	return (void *)bad;
}

static void *tick(void *arg)
{
	(void)arg;
	atomic_fetch_add(&cycles_run, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	nthreads = argc > 1 ? atoi(argv[1]) : 0;
	int cycles = argc > 2 ? atoi(argv[2]) : 1000;
	if (nthreads <= 0) {
		cpu_set_t set;
		sched_getaffinity(0, sizeof set, &set);
		nthreads = CPU_COUNT(&set);
	}
	pthread_t t[64];
	if (nthreads > 64)
		nthreads = 64;
	pthread_barrier_init(&start, NULL, nthreads);
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, sum_part, (void *)i)) {
			perror("pthread_create");
			return 1;
		}
	pthread_mutex_lock(&lock);
	while (finished < nthreads)
		pthread_cond_wait(&all_done, &lock);
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < nthreads; i++) {
		void *r;
		pthread_join(t[i], &r);
		unsigned long long from = TERMS * i / nthreads + 1, to = TERMS * (i + 1) / nthreads;
		if ((unsigned long long)r != from + to) {
			fprintf(stderr, "thread %d returned %llu\n", i, (unsigned long long)r);
			return 1;
		}
	}
	for (long i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, churn, (void *)i);
	long churn_bad = 0;
	for (int i = 0; i < nthreads; i++) {
		void *r;
		pthread_join(t[i], &r);
		churn_bad += (long)r;
	}
	if (churn_bad) {
		fprintf(stderr, "memory mapped by threads at once read back wrong (%ld)\n", churn_bad);
		return 1;
	}
	/* Pinning: the main thread moves to each of its CPUs in turn. */
	cpu_set_t all, one;
	int pinned_ok = 1;
	sched_getaffinity(0, sizeof all, &all);
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(c, &one);
		if (sched_setaffinity(0, sizeof one, &one) || sched_getcpu() != c)
			pinned_ok = 0;
	}
	sched_setaffinity(0, sizeof all, &all);
	if (!pinned_ok) {
		fprintf(stderr, "sched_setaffinity did not move the thread\n");
		return 1;
	}
	int ncpus = 0;
	for (int i = 0; i < 16; i++)
		ncpus += __builtin_popcountll(cpus_seen[i]);
	for (int i = 0; i < cycles; i++) {
		pthread_t c;
		if (pthread_create(&c, NULL, tick, NULL) || pthread_join(c, NULL)) {
			fprintf(stderr, "create/join cycle %d failed\n", i);
			return 1;
		}
	}
	printf("threads: %d, sum %llu (expected %llu), cpus used %d, memory churn ok, create/join cycles %d\n", nthreads,
	       total, TERMS * (TERMS + 1) / 2, ncpus, atomic_load(&cycles_run));
	return total == TERMS * (TERMS + 1) / 2 && cycles_run == cycles ? 0 : 1;
}
