/* mk-fork-bench: the cost of new processes, measured by the program that
 * makes them (natively on Linux, or under mkexec on the LWK): fork + _exit
 * + waitpid, fork + execve + waitpid of a program, posix_spawn + waitpid,
 * and fork + _exit of a process with MIB MiB touched. Prints per test
 *   NAME SAMPLES MIN MEDIAN P99 MAX   (microseconds)
 * usage: mk-fork-bench PREFIX N PROGRAM [MIB [N_BIG]] */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *prefix, const char *name, double *t, int n)
{
	qsort(t, n, sizeof *t, cmp);
	printf("%s-%s %d %.0f %.0f %.0f %.0f\n", prefix, name, n, t[0], t[n / 2], t[(n * 99) / 100], t[n - 1]);
}

static void wait_ok(pid_t pid, const char *what)
{
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "mk-fork-bench: %s failed\n", what);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: mk-fork-bench PREFIX N PROGRAM [MIB [N_BIG]]\n");
		return 2;
	}
	const char *prefix = argv[1];
	int n = atoi(argv[2]);
	char *prog[] = {argv[3], NULL};
	long mib = argc > 4 ? atol(argv[4]) : 0;
	int n_big = argc > 5 ? atoi(argv[5]) : 3;
	if (n <= 0 || n_big <= 0)
		return 2;
	double *t = calloc(n > n_big ? n : n_big, sizeof *t);

	for (int k = 0; k < n; k++) {
		double s = now_us();
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		wait_ok(pid, "fork");
		t[k] = now_us() - s;
	}
	report(prefix, "fork-exit", t, n);
	for (int k = 0; k < n; k++) {
		double s = now_us();
		pid_t pid = fork();
		if (pid == 0) {
			execve(prog[0], prog, environ);
			_exit(127);
		}
		wait_ok(pid, "fork+exec");
		t[k] = now_us() - s;
	}
	report(prefix, "fork-exec-wait", t, n);
	for (int k = 0; k < n; k++) {
		double s = now_us();
		pid_t pid;
		if (posix_spawn(&pid, prog[0], NULL, NULL, prog, environ) != 0)
			pid = -1;
		wait_ok(pid, "posix_spawn");
		t[k] = now_us() - s;
	}
	report(prefix, "posix-spawn", t, n);
	if (mib > 0) {
		size_t len = (size_t)mib << 20;
		char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return 1;
		for (size_t i = 0; i < len; i += 4096)
			m[i] = (char)i;
		for (int k = 0; k < n_big; k++) {
			double s = now_us();
			pid_t pid = fork();
			if (pid == 0)
				_exit(m[len - 4096] == (char)(len - 4096) ? 0 : 1);
			wait_ok(pid, "fork of the big process");
			t[k] = now_us() - s;
		}
		char name[64];
		snprintf(name, sizeof name, "fork-exit-%ldMiB", mib);
		report(prefix, name, t, n_big);
	}
	return 0;
}
