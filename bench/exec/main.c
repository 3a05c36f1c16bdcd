/* mk-exec-bench: starts a command N times (posix_spawn + waitpid) and
 * prints the wall time of each start-to-exit, as
 *   NAME SAMPLES MIN MEDIAN P99 MAX   (microseconds)
 * and "csv,NAME,I,US" per sample with --csv.
 * usage: mk-exec-bench [--csv] NAME N CMD [ARGS...] */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "bench_samples.h"

extern char **environ;

int main(int argc, char **argv)
{
	int csv = 0, i = 1;
	if (i < argc && strcmp(argv[i], "--csv") == 0) {
		csv = 1;
		i++;
	}
	if (argc - i < 3) {
		fprintf(stderr, "usage: mk-exec-bench [--csv] NAME N CMD [ARGS...]\n");
		return 2;
	}
	const char *name = argv[i];
	int n = atoi(argv[i + 1]);
	char **cmd = argv + i + 2;
	if (n <= 0) {
		fprintf(stderr, "mk-exec-bench: N must be positive\n");
		return 2;
	}
	double *t = calloc(n, sizeof *t);
	for (int k = 0; k < n; k++) {
		pid_t pid;
		double start = mk_now_us();
		int rc = posix_spawn(&pid, cmd[0], NULL, NULL, cmd, environ);
		if (rc != 0) {
			fprintf(stderr, "mk-exec-bench: %s: %s\n", cmd[0], strerror(rc));
			return 1;
		}
		int status;
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "mk-exec-bench: %s did not exit 0 (status %#x)\n", cmd[0], status);
			return 1;
		}
		t[k] = mk_now_us() - start;
		if (csv)
			printf("csv,%s,%d,%.0f\n", name, k, t[k]);
	}
	mk_print_samples(name, t, n);
	return 0;
}
