/* A program that tries to write into the memory of the process that
 * performs its system calls (under mkexec: mkexec's stack, heap and
 * libraries). It finds that process's writable mappings through a path the
 * LWK does not take for its own /proc/self (/proc/self/../self/maps), then
 * aims at each of them with read(), readv(), recvmsg(), a pointer the
 * kernel writes back (pipe()), process_vm_writev() on its own pid, and an
 * open of /proc/self/../self/mem. Prints, per route, how many attempts
 * reached; "0 reached" is the right answer under mkexec. On Linux every
 * address is the program's own, so it prints what reached there.
 *   reach */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX 64

static unsigned long targets[MAX];
static int n_targets;

static void find_targets(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/../self/maps", "r");

	if (!f)
		return;
	while (fgets(line, sizeof line, f) && n_targets < MAX) {
		unsigned long lo, hi;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[1] != 'w')
			continue;
		if (strstr(line, "[vvar]") || strstr(line, "[vsyscall]"))
			continue;
		/* Not the program's own memory as the LWK lays it out (below 0x540000000000). */
		if (lo < 0x540000000000UL)
			continue;
		targets[n_targets++] = lo;
	}
	fclose(f);
}

int main(void)
{
	int zero = open("/dev/zero", O_RDONLY), sv[2], reached;
	char byte = 1;

	find_targets();
	printf("targets: %s\n", n_targets ? "found" : "none");

	reached = 0;
	for (int i = 0; i < n_targets; i++)
		reached += read(zero, (void *)targets[i], 8) > 0;
	printf("read: %d reached\n", reached);

	reached = 0;
	for (int i = 0; i < n_targets; i++) {
		struct iovec v = { (void *)targets[i], 8 };
		reached += readv(zero, &v, 1) > 0;
	}
	printf("readv: %d reached\n", reached);

	reached = 0;
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	for (int i = 0; i < n_targets; i++) {
		struct iovec v = { (void *)targets[i], 1 };
		struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
		write(sv[1], &byte, 1);
		if (recvmsg(sv[0], &m, MSG_DONTWAIT) > 0)
			reached++;
		else
			recv(sv[0], &byte, 1, MSG_DONTWAIT); /* drain it */
	}
	printf("recvmsg: %d reached\n", reached);

	reached = 0;
	for (int i = 0; i < n_targets; i++)
		reached += pipe((int *)targets[i]) == 0;
	printf("pipe: %d reached\n", reached);

	reached = 0;
	for (int i = 0; i < n_targets; i++) {
		char data[8] = { 0 };
		struct iovec local = { data, 8 }, remote = { (void *)targets[i], 8 };
		reached += process_vm_writev(getpid(), &local, 1, &remote, 1, 0) > 0;
	}
	printf("process_vm_writev: %d reached\n", reached);

	int mem = open("/proc/self/../self/mem", O_RDWR);
	reached = 0;
	for (int i = 0; mem >= 0 && i < n_targets; i++) {
		char data[8];
		reached += pread(mem, data, 8, (off_t)targets[i]) > 0;
	}
	printf("/proc/self/mem: %d reached\n", reached);

	/* And the checked calls still work as on Linux. */
	struct iovec v = { &byte, 1 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	write(sv[1], "z", 1);
	ssize_t got = recvmsg(sv[0], &m, 0);
	printf("recvmsg into its own buffer: %zd '%c'\n", got, byte);
	printf("sendmmsg of no message: %d\n", sendmmsg(sv[1], NULL, 0, 0));
	return 0;
}
