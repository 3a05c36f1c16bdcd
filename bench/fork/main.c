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

#include "bench_samples.h"

extern char **environ;

static void report(const char *prefix, const char *name, double *t, int n)
{
	char full[96];
	snprintf(full, sizeof full, "%s-%s", prefix, name);
	mk_print_samples(full, t, n);
}

static void wait_ok(pid_t pid, const char *what)
{
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "mk-fork-bench: %s failed\n", what);
		exit(1);
	}
}

static char *prog[2];
static char *big;
static size_t big_len;

static pid_t fork_exit(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	return pid;
}

static pid_t fork_exec(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		execve(prog[0], prog, environ);
		_exit(127);
	}
	return pid;
}

static pid_t spawn(void)
{
	pid_t pid;
	return posix_spawn(&pid, prog[0], NULL, NULL, prog, environ) == 0 ? pid : -1;
}

static pid_t fork_big(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(big[big_len - 4096] == (char)(big_len - 4096) ? 0 : 1);
	return pid;
}

/* n children made by make, each waited for; its row. */
static void timed(const char *prefix, const char *name, int n, pid_t (*make)(void))
{
	double *t = calloc((size_t)n, sizeof *t);
	for (int k = 0; k < n; k++) {
		double s = mk_now_us();
		wait_ok(make(), name);
		t[k] = mk_now_us() - s;
	}
	report(prefix, name, t, n);
	free(t);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: mk-fork-bench PREFIX N PROGRAM [MIB [N_BIG]]\n");
		return 2;
	}
	const char *prefix = argv[1];
	int n = atoi(argv[2]);
	prog[0] = argv[3];
	long mib = argc > 4 ? atol(argv[4]) : 0;
	int n_big = argc > 5 ? atoi(argv[5]) : 3;
	if (n <= 0 || n_big <= 0)
		return 2;
	timed(prefix, "fork-exit", n, fork_exit);
	timed(prefix, "fork-exec-wait", n, fork_exec);
	timed(prefix, "posix-spawn", n, spawn);
	if (mib > 0) {
		big_len = (size_t)mib << 20;
		big = mmap(NULL, big_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (big == MAP_FAILED)
			return 1;
		for (size_t i = 0; i < big_len; i += 4096)
			big[i] = (char)i;
		char name[64];
		snprintf(name, sizeof name, "fork-exit-%ldMiB", mib);
		timed(prefix, name, n_big, fork_big);
	}
	return 0;
}
