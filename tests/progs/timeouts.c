/* Timeouts on the LWK: nanosleep, a futex wait and a condition-variable
 * wait each last at least what was asked, by CLOCK_MONOTONIC. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(void)
{
	int bad = 0;
	double t0 = now_ms();
	struct timespec d = {0, 50 * 1000 * 1000};
	nanosleep(&d, NULL);
	double slept = now_ms() - t0;
	printf("nanosleep 50 ms: %s\n", slept >= 50 ? "at least 50 ms" : "too short");
	bad |= slept < 50;

	uint32_t word = 0;
	struct timespec to = {0, 20 * 1000 * 1000};
	t0 = now_ms();
	long r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &to, NULL, 0);
	int e = errno;
	double waited = now_ms() - t0;
	printf("futex wait 20 ms: %s, %s\n", r == -1 && e == ETIMEDOUT ? "ETIMEDOUT" : "not ETIMEDOUT",
	       waited >= 20 ? "at least 20 ms" : "too short");
	bad |= !(r == -1 && e == ETIMEDOUT) || waited < 20;

	r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 1, &to, NULL, 0);
	printf("futex wait on a changed word: %s\n", r == -1 && errno == EAGAIN ? "EAGAIN" : "not EAGAIN");
	bad |= !(r == -1 && errno == EAGAIN);

	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec abs;
	clock_gettime(CLOCK_REALTIME, &abs);
	abs.tv_nsec += 30 * 1000 * 1000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&m);
	t0 = now_ms();
	int rc = pthread_cond_timedwait(&c, &m, &abs);
	waited = now_ms() - t0;
	pthread_mutex_unlock(&m);
	printf("condition wait 30 ms: %s, %s\n", rc == ETIMEDOUT ? "ETIMEDOUT" : "not ETIMEDOUT",
	       waited >= 29 ? "at least 30 ms" : "too short");
	bad |= rc != ETIMEDOUT || waited < 29;
	return bad;
}
