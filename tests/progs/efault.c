/*
 * Forwarded system calls given bad pointers must fail with EFAULT in the
 * program, and leave mkexec and Linux unharmed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int expect_efault(const char *what, long r)
{
	if (r != -1 || errno != EFAULT) {
		printf("efault: %s returned %ld (%s), not EFAULT\n", what, r, strerror(errno));
		return 1;
	}
	return 0;
}

int main(void)
{
	void *unmapped = (void *)0x1000;               /* below every mapping */
	void *kernel = (void *)0xffff800000000000UL;   /* the LWK's own half */
	int bad = 0;
	bad |= expect_efault("write from an unmapped buffer", syscall(SYS_write, 1, unmapped, 8));
	bad |= expect_efault("write from kernel memory", syscall(SYS_write, 1, kernel, 8));
	int fd = open("/dev/zero", O_RDONLY);
	bad |= expect_efault("read into an unmapped buffer", syscall(SYS_read, fd, unmapped, 8));
	bad |= expect_efault("open of an unmapped path", syscall(SYS_open, unmapped, O_RDONLY));
	struct stat *st = unmapped;
	bad |= expect_efault("stat into an unmapped buffer", syscall(SYS_stat, "/", st));
	/*
	 * Pages made read-only: Linux must not write them any more, whether it
	 * had written one before (it holds the page writable) or not.
	 */
	char *seen = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *unseen = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (seen == MAP_FAILED || unseen == MAP_FAILED || read(fd, seen, 8) != 8) {
		printf("efault: mmap or a read into fresh memory failed\n");
		return 1;
	}
	unseen[0] = 1;
	if (mprotect(seen, 4096, PROT_READ) || mprotect(unseen, 4096, PROT_READ)) {
		printf("efault: mprotect failed: %s\n", strerror(errno));
		return 1;
	}
	bad |= expect_efault("read into a page Linux wrote, made read-only", syscall(SYS_read, fd, seen, 8));
	bad |= expect_efault("read into a page made read-only", syscall(SYS_read, fd, unseen, 8));
	if (mprotect(seen, 4096, PROT_READ | PROT_WRITE) || read(fd, seen, 8) != 8) {
		printf("efault: a read into a page made writable again failed\n");
		bad = 1;
	}
	/* And everything still works afterwards. */
	char buf[8];
	if (read(fd, buf, sizeof buf) != sizeof buf) {
		printf("efault: a good read failed afterwards\n");
		bad = 1;
	}
	printf(bad ? "efault FAILED\n" : "efault ok\n");
	return bad;
}
