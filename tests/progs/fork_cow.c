// A fork's memory is the child's own copy, whoever writes it: the program
// (small and 2 MiB pages, after the fork on both sides, while the other
// side still runs), the kernel (read() into it, also into a buffer Linux
// had seen before the fork), MADV_DONTNEED, munmap and mprotect of part of
// a large page. Prints what any Linux prints, so that the test compares
// the LWK's output with Linux's; `touch MIB` forks with MIB touched and
// reports how long fork+exit took.
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BIG (8UL << 20)

static int fail(const char* what)
{
	perror(what);
	return 1;
}

// Waits for one byte from fd (the other side's turn is over).
static void await(int fd)
{
	char b;
	if (read(fd, &b, 1) != 1)
		_exit(90);
}

static void go(int fd)
{
	if (write(fd, "g", 1) != 1)
		_exit(91);
}

static unsigned long sum(const unsigned char* p, size_t n)
{
	unsigned long s = 0;
	for (size_t i = 0; i < n; i += 4096)
		s = s * 31 + p[i] + p[n - 1 - i];
	return s;
}

static int check(void)
{
	static char small[3 * 4096] __attribute__((aligned(4096)));
	unsigned char* big = mmap(NULL, BIG * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int to_child[2], to_parent[2], data[2];
	if (big == MAP_FAILED)
		return fail("mmap");
	big = (unsigned char*)(((uintptr_t)big + (2UL << 20) - 1) & ~((2UL << 20) - 1)); // 2 MiB pages where the LWK can
	memset(big, 'p', BIG);
	memset(small, 's', sizeof small);
	if (pipe(to_child) || pipe(to_parent) || pipe(data))
		return fail("pipe");
	// Linux sees the buffer before the fork (mkexec reads it through).
	if (write(data[1], small, 4096) != 4096 || read(data[0], small + 4096, 4096) != 4096)
		return fail("pipe round trip");
	const unsigned long big_sum = sum(big, BIG);
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		int bad = 0;
		await(to_child[0]); // the parent has written its pages
		bad |= small[0] != 's' || big[0] != 'p' || big[BIG - 1] != 'p' || sum(big, BIG) != big_sum;
		// The kernel writes the child's copy: read() into a page Linux had seen, and into a 2 MiB page.
		if (write(data[1], "child-data", 10) != 10 || read(data[0], small + 4096, 10) != 10)
			_exit(92);
		if (write(data[1], "child-big", 9) != 9 || read(data[0], big + (3UL << 20) + 5, 9) != 9)
			_exit(93);
		small[2 * 4096] = 'c';
		big[1] = 'c';
		// Pages Linux has just read (mkexec maps them): written by the kernel, and by the program.
		if (write(data[1], small + 4096, 10) != 10 || read(data[0], small + 4096 + 100, 10) != 10 ||
		    memcmp(small + 4096 + 100, "child-data", 10))
			_exit(95);
		if (write(data[1], big + (4UL << 20), 10) != 10 || read(data[0], small + 2 * 4096 + 8, 10) != 10)
			_exit(96);
		big[(4UL << 20) + 1] = 'c';
		// Part of a 2 MiB page goes, another part becomes read-only, another is dropped.
		if (munmap(big + BIG - 4096, 4096) || mprotect(big + (5UL << 20), 4096, PROT_READ) ||
		    madvise(big + (6UL << 20), 4096, MADV_DONTNEED))
			_exit(94);
		bad |= big[6UL << 20] != 0 || big[(6UL << 20) + 4096] != 'p' || big[5UL << 20] != 'p';
		go(to_parent[1]);
		await(to_child[0]); // the parent has looked
		_exit(bad ? 1 : 0);
	}
	// The parent writes first, while the child runs.
	small[0] = 'P';
	big[0] = 'P';
	big[BIG - 1] = 'P';
	go(to_child[1]);
	await(to_parent[0]); // the child has written its copy
	int same = small[0] == 'P' && small[4096] == 's' && small[2 * 4096] == 's' && big[1] == 'p' &&
		big[(3UL << 20) + 5] == 'p' && big[BIG - 4096] == 'p' && big[6UL << 20] == 'p' &&
		big[5UL << 20] == 'p' && big[(4UL << 20) + 1] == 'p' && small[4096 + 100] == 's';
	go(to_child[1]);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return fail("waitpid");
	printf("after the fork: the child saw the parent's data as it was: %s\n",
		WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "yes" : "no");
	printf("the child's writes (its own, the kernel's, munmap, mprotect, MADV_DONTNEED) stayed its own: %s\n",
		same ? "yes" : "no");
	// The parent's pages are its own again once the child is gone: written in place.
	big[2] = 'q';
	if (read(data[0], small, 0) < 0 || write(data[1], "after", 5) != 5 || read(data[0], small + 4096, 5) != 5)
		return fail("pipe after");
	printf("after the child's end: %.5s %c\n", small + 4096, big[2]);
	return 0;
}

// fork + exit with mib MiB touched: the child touches nothing.
static int touch(long mib)
{
	size_t len = (size_t)mib << 20;
	unsigned char* m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return fail("mmap");
	for (size_t i = 0; i < len; i += 4096)
		m[i] = (unsigned char)i | 1;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid_t pid = fork();
	if (pid == 0)
		_exit(m[len - 4096] ? 0 : 1);
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return fail("fork/waitpid");
	clock_gettime(CLOCK_MONOTONIC, &b);
	size_t bad = 0;
	for (size_t i = 0; i < len; i += 4096)
		bad += m[i] != ((unsigned char)i | 1);
	printf("fork+exit with %ld MiB touched: child %s, parent's data %s, %.1f ms\n", mib,
		WIFEXITED(st) && !WEXITSTATUS(st) ? "ok" : "failed", bad ? "changed" : "kept",
		(b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	return 0;
}

int main(int argc, char** argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 2 && !strcmp(argv[1], "touch"))
		return touch(atol(argv[2]));
	return check();
}
