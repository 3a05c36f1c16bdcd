// process_vm_readv / process_vm_writev between two processes (Open MPI's
// one-copy path, CMA). "hold MIB FILE": maps MIB MiB with a pattern,
// writes "PID ADDRESS" to FILE, and waits until FILE is removed, then
// checks what a writer put at its start. "read PID ADDR MIB": reads it in
// pieces through a scattered iovec and prints a checksum; "write PID ADDR":
// writes a marker at the start. Prints the same on Linux and on the LWK.
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

static const char MARK[] = "written by a peer";

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "hold")) {
		size_t len = (size_t)atol(argv[2]) << 20;
		uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		for (size_t i = 0; i < len; i++)
			m[i] = (uint8_t)(i * 7 + i / 4096);
		FILE *f = fopen(argv[3], "w");
		fprintf(f, "%d %p\n", getpid(), (void *)m);
		fclose(f);
		for (int i = 0; i < 600 && access(argv[3], F_OK) == 0; i++)
			usleep(100000);
		printf("the holder sees: %s\n", memcmp(m, MARK, sizeof MARK) ? "its own data" : MARK);
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "read")) {
		pid_t pid = atoi(argv[2]);
		uint8_t *remote = (uint8_t *)strtoull(argv[3], NULL, 16);
		size_t len = (size_t)atol(argv[4]) << 20;
		uint8_t *buf = malloc(len);
		// Local: 3 pieces of odd sizes; remote: 2 halves.
		struct iovec l[3] = {{buf, 1000}, {buf + 1000, len / 2}, {buf + 1000 + len / 2, len - 1000 - len / 2}};
		struct iovec r[2] = {{remote, len / 2}, {remote + len / 2, len - len / 2}};
		ssize_t n = process_vm_readv(pid, l, 3, r, 2, 0);
		if (n < 0) {
			printf("process_vm_readv: %s\n", strerror(errno));
			return 1;
		}
		uint64_t sum = 0, bad = 0;
		for (size_t i = 0; i < (size_t)n; i++) {
			sum = sum * 31 + buf[i];
			bad += buf[i] != (uint8_t)(i * 7 + i / 4096);
		}
		printf("read %zd bytes, checksum %016llx, %llu wrong\n", n, (unsigned long long)sum, (unsigned long long)bad);
		// Past the end of the mapping: a partial read, as Linux counts it.
		struct iovec big = {buf, len};
		struct iovec past = {remote + len - 4096, 8192};
		n = process_vm_readv(pid, &big, 1, &past, 1, 0);
		printf("a read running off the mapping: %zd\n", n);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "write")) {
		struct iovec l = {(void *)MARK, sizeof MARK};
		struct iovec r = {(void *)strtoull(argv[3], NULL, 16), sizeof MARK};
		ssize_t n = process_vm_writev(atoi(argv[2]), &l, 1, &r, 1, 0);
		printf("process_vm_writev: %s\n", n == (ssize_t)sizeof MARK ? "done" : strerror(errno));
		return n == (ssize_t)sizeof MARK ? 0 : 1;
	}
	fprintf(stderr, "usage: cma hold MIB FILE | read PID ADDR MIB | write PID ADDR\n");
	return 2;
}
