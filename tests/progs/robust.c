/* A robust mutex whose owner thread exits while holding it: the thread
 * waiting for it gets EOWNERDEAD, makes it consistent, and it works again.
 * Prints one line; exit 0 when all went as on Linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static pthread_mutex_t m;
static volatile int held;

static void *owner(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	held = 1;
	struct timespec t = {0, 50 * 1000 * 1000};
	nanosleep(&t, NULL); /* the main thread waits for the mutex meanwhile */
	return NULL;         /* ends holding it */
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &a);
	pthread_t th;
	pthread_create(&th, NULL, owner, NULL);
	while (!held)
		sched_yield();
	int r = pthread_mutex_lock(&m);
	if (r != EOWNERDEAD) {
		printf("robust mutex: lock returned %d, not EOWNERDEAD\n", r);
		return 1;
	}
	pthread_mutex_consistent(&m);
	pthread_mutex_unlock(&m);
	pthread_join(th, NULL);
	if (pthread_mutex_lock(&m) != 0 || pthread_mutex_unlock(&m) != 0) {
		printf("robust mutex: unusable after being made consistent\n");
		return 1;
	}
	printf("robust mutex: EOWNERDEAD after its owner exited, consistent again\n");
	return 0;
}
