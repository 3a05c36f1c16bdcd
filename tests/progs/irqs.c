/* MK_SYS_CORE_IRQS: on the LWK, the interrupts of the caller's core do not
 * change while it computes for 200 ms, another LWK core's count can be read,
 * and a CPU that is no LWK core is EINVAL; on Linux the call is ENOSYS.
 * usage: irqs [OTHER_LWK_CPU] */
#include <errno.h>
#include <mk/proc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long before = syscall(MK_SYS_CORE_IRQS, -1L);
	if (before < 0 && errno == ENOSYS) {
		printf("not on the LWK (ENOSYS)\n");
		return 0;
	}
	if (before < 0) {
		perror("MK_SYS_CORE_IRQS");
		return 1;
	}
	volatile unsigned long x = 0;
	for (double end = now() + 0.2; now() < end;)
		for (int i = 0; i < 100000; i++)
			x += i;
	long after = syscall(MK_SYS_CORE_IRQS, -1L);
	printf("interrupts while computing: %ld\n", after - before);
	if (argc > 1) {
		long other = syscall(MK_SYS_CORE_IRQS, atol(argv[1]));
		printf("another LWK core's count: %s\n", other >= 0 ? "read" : "refused");
	}
	long bad = syscall(MK_SYS_CORE_IRQS, 0L);
	printf("CPU 0 (Linux's): %s\n", bad < 0 && errno == EINVAL ? "EINVAL" : "not refused");
	return 0;
}
