/* Allocates a heap (default 1 GiB), touches every page, and checks it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 1024;
	size_t bytes = mib << 20;
	struct timespec t0, t1;
	unsigned char *p = malloc(bytes);
	if (!p) {
		printf("bigheap: malloc of %zu MiB failed\n", mib);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < bytes; i += 4096)
		p[i] = (unsigned char)(i >> 12);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (size_t i = 0; i < bytes; i += 4096)
		if (p[i] != (unsigned char)(i >> 12)) {
			printf("bigheap: page %zu lost its value\n", i >> 12);
			return 1;
		}
	double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("bigheap ok: %zu MiB touched in %.1f ms\n", mib, ms);
	free(p);
	return 0;
}
