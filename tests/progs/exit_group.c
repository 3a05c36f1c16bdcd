/* A thread ends the whole process while others compute and sleep: the
 * status is the one it gave, and no thread is left behind. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static void *spin(void *arg)
{
	(void)arg;
	for (volatile unsigned long i = 0;; i++)
		;
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		sleep(10);
	return NULL;
}

static void *ender(void *arg)
{
	(void)arg;
	usleep(100 * 1000);
	exit(7);
}

int main(void)
{
	pthread_t a, b, c;
	pthread_create(&a, NULL, spin, NULL);
	pthread_create(&b, NULL, sleeper, NULL);
	pthread_create(&c, NULL, ender, NULL);
	pthread_join(a, NULL); /* never returns */
	return 0;
}
