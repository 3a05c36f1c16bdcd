/* CPU time as a program sees it: spinning counts, sleeping does not, each
 * thread has its own, and clock_gettime, getrusage, times and /proc/self/stat
 * agree. Spinning must count for at least a quarter of its wall time (an
 * emulated node on a loaded machine loses time between its slices), sleeping
 * for under a tenth of it. Prints one line a check ("yes" or what was seen
 * instead), so the output is the same on Linux and on the LWK.
 *   cputime [MS]   spin for MS milliseconds of wall time (default 300) */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

static double ms_of(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static volatile unsigned long sink;

static void spin(double ms)
{
	double end = ms_of(CLOCK_MONOTONIC) + ms;
	while (ms_of(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 1000; i++)
			sink += i;
}

static double spin_ms;

static void *spinner(void *arg)
{
	double t0 = ms_of(CLOCK_THREAD_CPUTIME_ID);
	spin(spin_ms);
	*(double *)arg = ms_of(CLOCK_THREAD_CPUTIME_ID) - t0;
	return NULL;
}

static void check(const char *what, int ok, double seen, double wanted)
{
	if (ok)
		printf("%s: yes\n", what);
	else
		printf("%s: no (%.1f ms, against %.1f ms)\n", what, seen, wanted);
}

static double rusage_ms(int who, struct rusage *ru)
{
	getrusage(who, ru);
	return (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1e3 + (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e3;
}

/* utime + stime of /proc/self/stat, in ms. */
static double stat_ms(void)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f || !fgets(buf, sizeof buf, f))
		return -1;
	fclose(f);
	char *p = strrchr(buf, ')');
	unsigned long utime, stime;
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
		return -1;
	return (utime + stime) * 1e3 / sysconf(_SC_CLK_TCK);
}

int main(int argc, char **argv)
{
	spin_ms = argc > 1 ? atof(argv[1]) : 300;

	double c0 = ms_of(CLOCK_PROCESS_CPUTIME_ID);
	spin(spin_ms);
	double spun = ms_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
	check("spinning counts as CPU time", spun >= 0.25 * spin_ms && spun <= 1.2 * spin_ms, spun, spin_ms);

	c0 = ms_of(CLOCK_PROCESS_CPUTIME_ID);
	struct timespec nap = {0, (long)(spin_ms * 1e6)};
	nanosleep(&nap, NULL);
	double slept = ms_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
	check("sleeping does not", slept < 0.1 * spin_ms, slept, spin_ms);

	double own[2];
	pthread_t t[2];
	c0 = ms_of(CLOCK_PROCESS_CPUTIME_ID);
	double main0 = ms_of(CLOCK_THREAD_CPUTIME_ID);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, spinner, &own[i]);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	double both = ms_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
	double waited = ms_of(CLOCK_THREAD_CPUTIME_ID) - main0;
	for (int i = 0; i < 2; i++)
		check("a thread's own CPU time is its spin", own[i] >= 0.25 * spin_ms && own[i] <= 1.2 * spin_ms, own[i],
		      spin_ms);
	check("the process's is its threads' together", both >= 0.9 * (own[0] + own[1]), both, own[0] + own[1]);
	check("joining them took the main thread no CPU time", waited < 0.2 * spin_ms, waited, spin_ms);

	struct rusage self, thread, children;
	double now = ms_of(CLOCK_PROCESS_CPUTIME_ID);
	double ru = rusage_ms(RUSAGE_SELF, &self);
	check("getrusage(RUSAGE_SELF) agrees with the clock", ru >= 0.9 * now && ru <= 1.1 * now + 20, ru, now);
	double rt = rusage_ms(RUSAGE_THREAD, &thread);
	check("RUSAGE_THREAD is the main thread's part", rt <= ru && rt >= 0.25 * spin_ms, rt, ru);
	check("RUSAGE_CHILDREN: no children", rusage_ms(RUSAGE_CHILDREN, &children) == 0, 0, 0);
	check("ru_maxrss is set", self.ru_maxrss > 0, self.ru_maxrss, 0);

	struct tms tm;
	clock_t ticks = times(&tm);
	double tms = (tm.tms_utime + tm.tms_stime) * 1e3 / sysconf(_SC_CLK_TCK);
	check("times() agrees", tms >= 0.9 * now - 20 && tms <= 1.1 * now + 20 && ticks != (clock_t)-1, tms, now);
	double st = stat_ms();
	check("/proc/self/stat agrees", st >= 0.9 * now - 20 && st <= 1.1 * now + 20, st, now);
	return 0;
}
