/*
 * Memory calls the LWK handles itself: brk, mmap (anonymous, fixed, with
 * hints, 2 MiB aligned and not), munmap (whole and partial), mprotect,
 * mremap, madvise. Fills memory with a pattern, checks it back, and prints
 * a checksum that does not depend on where memory landed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MiB (1024UL * 1024)

static uint64_t sum;

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i += 61)
		p[i] = (unsigned char)(i * 7 + seed);
}

/* Checks bytes [from, to) of a mapping filled from its start. */
static int check_range(const unsigned char *p, size_t from, size_t to, unsigned seed, const char *what)
{
	for (size_t i = (from + 60) / 61 * 61; i < to; i += 61) {
		if (p[i] != (unsigned char)(i * 7 + seed)) {
			printf("memstress: %s: byte %zu is %u\n", what, i, p[i]);
			return 1;
		}
		sum += p[i];
	}
	return 0;
}

static int check(const unsigned char *p, size_t n, unsigned seed, const char *what)
{
	for (size_t i = 0; i < n; i += 61) {
		if (p[i] != (unsigned char)(i * 7 + seed)) {
			printf("memstress: %s: byte %zu is %u\n", what, i, p[i]);
			return 1;
		}
		sum += p[i];
	}
	return 0;
}

int main(void)
{
	/* The break, up and down and up again (memory comes back zeroed). */
	unsigned char *b0 = sbrk(0);
	if (sbrk(5 * MiB + 123) == (void *)-1)
		return printf("memstress: sbrk failed\n"), 1;
	fill(b0, 5 * MiB, 1);
	if (check(b0, 5 * MiB, 1, "brk"))
		return 1;
	sbrk(-(long)(4 * MiB));
	sbrk(4 * MiB);
	for (size_t i = MiB + 4096; i < 5 * MiB; i += 4096)
		if (b0[i]) {
			printf("memstress: brk memory given back and taken again is not zero\n");
			return 1;
		}

	for (int round = 0; round < 20; round++) {
		size_t sizes[] = {4096, 3 * 4096, 2 * MiB, 2 * MiB + 4096, 7 * MiB, 64 * 1024};
		unsigned char *maps[6];
		for (int i = 0; i < 6; i++) {
			maps[i] = mmap(NULL, sizes[i], PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (maps[i] == MAP_FAILED)
				return printf("memstress: mmap %zu: %s\n", sizes[i], strerror(errno)), 1;
			for (size_t j = 0; j < sizes[i]; j += 4096)
				if (maps[i][j])
					return printf("memstress: fresh mmap memory is not zero\n"), 1;
			fill(maps[i], sizes[i], i + round);
		}
		for (int i = 0; i < 6; i++)
			if (check(maps[i], sizes[i], i + round, "mmap"))
				return 1;
		/* Cut a page out of the middle of the 7 MiB map. */
		if (munmap(maps[4] + 3 * MiB, 4096))
			return printf("memstress: partial munmap: %s\n", strerror(errno)), 1;
		if (check_range(maps[4], 0, 3 * MiB, 4 + round, "before a hole") ||
		    check_range(maps[4], 3 * MiB + 4096, 7 * MiB, 4 + round, "after a hole"))
			return 1;
		/* Read-only, then writable again. */
		if (mprotect(maps[2], 2 * MiB, PROT_READ) || check(maps[2], 2 * MiB, 2 + round, "read-only") ||
		    mprotect(maps[2], 2 * MiB, PROT_READ | PROT_WRITE))
			return printf("memstress: mprotect: %s\n", strerror(errno)), 1;
		maps[2][0] = (unsigned char)(2 + round);
		/* Grow with mremap, contents kept. */
		unsigned char *grown = mremap(maps[1], 3 * 4096, 5 * MiB, MREMAP_MAYMOVE);
		if (grown == MAP_FAILED || check(grown, 3 * 4096, 1 + round, "mremap"))
			return printf("memstress: mremap failed\n"), 1;
		maps[1] = grown;
		sizes[1] = 5 * MiB;
		/* MADV_DONTNEED reads back as zero. */
		madvise(maps[5], 64 * 1024, MADV_DONTNEED);
		if (maps[5][61])
			return printf("memstress: MADV_DONTNEED memory is not zero\n"), 1;
		for (int i = 0; i < 6; i++)
			if (i == 4) {
				munmap(maps[4], 3 * MiB);
				munmap(maps[4] + 3 * MiB + 4096, 4 * MiB - 4096);
			} else if (munmap(maps[i], sizes[i])) {
				return printf("memstress: munmap: %s\n", strerror(errno)), 1;
			}
	}
	/* A fixed mapping at a chosen address, and one that may not replace it. */
	void *want = (void *)0x300000000000UL;
	unsigned char *fixed = mmap(want, 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (fixed != want)
		return printf("memstress: MAP_FIXED did not map at %p\n", want), 1;
	if (mmap(want, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != MAP_FAILED ||
	    errno != EEXIST)
		return printf("memstress: MAP_FIXED_NOREPLACE replaced a mapping\n"), 1;
	fixed[0] = 1;
	/* Memory written by Linux (a forwarded read into it) or by the LWK
	 * (clock_gettime's result) is zero again when mapped anew, and after
	 * MADV_DONTNEED. */
	for (int round = 0; round < 4; round++) {
		unsigned char *m = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int fd = open("/dev/urandom", O_RDONLY);
		if (m == MAP_FAILED || fd < 0 || read(fd, m + 4096, MiB) != (ssize_t)MiB)
			return printf("memstress: reading into a mapping failed\n"), 1;
		close(fd);
		clock_gettime(CLOCK_REALTIME, (struct timespec *)(m + 2 * MiB - 4096));
		if (round & 1) {
			madvise(m, 2 * MiB, MADV_DONTNEED);
			for (size_t i = 0; i < 2 * MiB; i++)
				if (m[i])
					return printf("memstress: memory Linux wrote is not zero after MADV_DONTNEED\n"), 1;
		}
		munmap(m, 2 * MiB);
		for (int k = 0; k < 3; k++) {
			unsigned char *z = mmap(NULL, 2 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			for (size_t i = 0; i < 2 * MiB; i += 8)
				if (*(uint64_t *)(z + i))
					return printf("memstress: memory Linux wrote came back not zero\n"), 1;
			munmap(z, 2 * MiB);
		}
	}
	printf("memstress ok: checksum %llu\n", (unsigned long long)sum);
	return 0;
}
