/* mk-syscall-bench: the cost of system calls as a program sees it, the same
 * static binary natively on Linux and under mkexec on the LWK. Local calls
 * (getpid, clock_gettime, mmap+munmap of 2 MiB untouched and touched,
 * mprotect of a page the program wrote and of one Linux wrote),
 * forwarded ones on the LWK (getuid, write to /dev/null), and the first
 * touch of a large mapping; with FILE..., the first write to every page of
 * a new 16 MiB file through a MAP_SHARED mapping (a /dev/shm file: pinned
 * on the LWK; an ext4 file: tracked, a fault per page).
 * Times from the TSC, calibrated against CLOCK_MONOTONIC; per-call min,
 * median and p99 in ns.
 * Usage: mk-syscall-bench [ITERATIONS [TOUCH_MIB [FILE...]]] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bench_clock.h"

static double ns_per_tick;

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *name, const char *kind, uint64_t *t, int n)
{
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("%-22s %-9s %8d %10.0f %10.0f %10.0f\n", name, kind, n, t[0] * ns_per_tick,
	       t[n / 2] * ns_per_tick, t[(n * 99) / 100] * ns_per_tick);
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 2000;
	long touch_mib = argc > 2 ? atol(argv[2]) : 1024;
	uint64_t *t = calloc((size_t)iters, sizeof *t);
	int devnull = open("/dev/null", O_WRONLY);
	char byte = 'x';
	struct timespec ts;

	if (!t || devnull < 0 || iters < 10) {
		fprintf(stderr, "mk-syscall-bench: bad arguments or no /dev/null\n");
		return 2;
	}
	ns_per_tick = 1.0 / mk_tsc_ticks_per_ns(3, 20);
	printf("# TSC: %.3f ns per tick (calibrated against CLOCK_MONOTONIC: median of 3 x 20 ms)\n", ns_per_tick);
	printf("%-22s %-9s %8s %10s %10s %10s\n", "operation", "kind", "calls", "min_ns", "median_ns", "p99_ns");

	for (int i = 0; i < iters; i++) {
		uint64_t a = mk_tsc_begin();
		syscall(SYS_getpid);
		t[i] = mk_tsc_end() - a;
	}
	report("getpid", "local", t, iters);
	for (int i = 0; i < iters; i++) {
		uint64_t a = mk_tsc_begin();
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
		t[i] = mk_tsc_end() - a;
	}
	report("clock_gettime(syscall)", "local", t, iters);
	for (int i = 0; i < iters; i++) {
		uint64_t a = mk_tsc_begin();
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t[i] = mk_tsc_end() - a;
	}
	report("clock_gettime(libc)", "local", t, iters);
	int maps = iters / 10;
	/* Untouched, then with one byte written (Linux then allocates and
	 * clears one 4 KiB page; the LWK, which maps 2 MiB pages, a 2 MiB one). */
	for (int touch = 0; touch < 2; touch++) {
		for (int i = 0; i < maps; i++) {
			uint64_t a = mk_tsc_begin();
			char *p = mmap(NULL, 2u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED) {
				perror("mmap");
				return 1;
			}
			if (touch)
				p[0] = 1;
			munmap(p, 2u << 20);
			t[i] = mk_tsc_end() - a;
		}
		report(touch ? "mmap+touch+munmap 2M" : "mmap+munmap 2M", "local", t, maps);
	}
	/* One 4 KiB page made read-only and writable again (both calls per
	 * sample): a page only the program wrote, then one that Linux wrote
	 * too (a read into it), which on the LWK means Linux holds the page
	 * and must be asked to drop its view at each change of rights. */
	char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int zero = open("/dev/zero", O_RDONLY);
	if (page == MAP_FAILED || zero < 0) {
		perror("mk-syscall-bench: mmap or /dev/zero");
		return 1;
	}
	page[0] = 1;
	for (int linux_wrote = 0; linux_wrote < 2; linux_wrote++) {
		if (linux_wrote && read(zero, page, 64) != 64) {
			perror("mk-syscall-bench: read from /dev/zero");
			return 1;
		}
		for (int i = 0; i < maps; i++) {
			uint64_t a = mk_tsc_begin();
			if (mprotect(page, 4096, PROT_READ) || mprotect(page, 4096, PROT_READ | PROT_WRITE)) {
				perror("mk-syscall-bench: mprotect");
				return 1;
			}
			t[i] = mk_tsc_end() - a;
		}
		report(linux_wrote ? "mprotect 4K x2, linux" : "mprotect 4K x2", "local", t, maps);
	}
	for (int i = 0; i < iters; i++) {
		uint64_t a = mk_tsc_begin();
		syscall(SYS_getuid);
		t[i] = mk_tsc_end() - a;
	}
	report("getuid", "forwarded", t, iters);
	for (int i = 0; i < iters; i++) {
		uint64_t a = mk_tsc_begin();
		if (write(devnull, &byte, 1) != 1)
			return 1;
		t[i] = mk_tsc_end() - a;
	}
	report("write /dev/null", "forwarded", t, iters);

	size_t len = (size_t)touch_mib << 20;
	uint64_t a = mk_tsc_begin();
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap of the first-touch area");
		return 1;
	}
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
	double ms = (mk_tsc_end() - a) * ns_per_tick / 1e6;
	munmap(p, len);
	printf("first touch %ld MiB: %.1f ms (mmap + one byte per 4 KiB page), %.2f GiB/s\n", touch_mib, ms,
	       touch_mib / 1024.0 / (ms / 1e3));

	for (int f = 3; f < argc; f++) {
		const size_t flen = 16 << 20;
		int fd = open(argv[f], O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, (off_t)flen) != 0) {
			perror(argv[f]);
			return 1;
		}
		a = mk_tsc_begin();
		char *q = mmap(NULL, flen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (q == MAP_FAILED) {
			perror("mmap of the shared file");
			return 1;
		}
		for (size_t off = 0; off < flen; off += 4096)
			q[off] = 1;
		ms = (mk_tsc_end() - a) * ns_per_tick / 1e6;
		munmap(q, flen);
		close(fd);
		unlink(argv[f]);
		printf("shared file touch %s: %.1f ms (16 MiB: mmap + one byte per 4 KiB page)\n", argv[f], ms);
	}
	return 0;
}
