/* Random requests to mk.ko from several processes at once: every /dev/mk
 * command and random command numbers, with random sizes, random fields and
 * random pointers; process fds from MK_IOC_SPAWN with random requests of
 * their own and random mappings of the window; descriptors closed and
 * reopened at random. Runs for SECONDS and prints what it did. Whatever it
 * asks, the kernel must stay healthy (the scenario checks its log and that
 * everything comes back). The seed is printed to replay a run.
 *   ioctl_fuzz SECONDS [PROCESSES [SEED]] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mk/ioctl.h>
#include <mk/proc.h>

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n) { return n ? next() % n : 0; }

static const unsigned long dev_cmds[] = {
	MK_IOC_VERSION, MK_IOC_STATUS, MK_IOC_RESERVE_CPUS, MK_IOC_RELEASE_CPUS, MK_IOC_RESERVE_MEM,
	MK_IOC_RELEASE_MEM, MK_IOC_BOOT, MK_IOC_SHUTDOWN, MK_IOC_LOG, MK_IOC_PING, MK_IOC_DEBUG,
	MK_IOC_SPAWN,
};
static const unsigned long proc_cmds[] = {
	MK_PROC_IOC_EXEC, MK_PROC_IOC_WAIT, MK_PROC_IOC_REPLY, MK_PROC_IOC_SIGNAL, MK_PROC_IOC_PIN,
	MK_PROC_IOC_SERVE, MK_PROC_IOC_REFAULT,
};

/*
 * Valid memory for pointer fields, followed by an inaccessible guard: what
 * mk.ko writes there (a log, a status, a process event) at a random offset
 * with a random length must not run on into the program's other data (a
 * static program's libc locks lie right after its .bss).
 */
#define HEAP_SIZE (1 << 16)
#define GUARD_SIZE (1 << 16)
static char *heap;

/*
 * A value for a pointer field: NULL, valid memory, the window's range, or
 * anything. The program is a static PIE (loaded high) so that the window's
 * range never holds its own data: a write there must not reach its libc's
 * locks either.
 */
static uint64_t pointer(void)
{
	switch (below(5)) {
	case 0: return 0;
	case 1: return (uint64_t)(uintptr_t)heap + below(HEAP_SIZE);
	case 2: return MK_USER_WINDOW_START + (below(1 << 20) << 12);
	case 3: return 0xffff800000000000ULL + (next() & 0xffffffffffffULL); /* the kernel's */
	default: return next();
	}
}

/* A request of the command's size (or not), random bytes, size field set. */
static size_t fill(unsigned long cmd, void *buf, size_t room)
{
	size_t size = _IOC_SIZE(cmd);
	uint8_t *b = buf;

	if (below(8) == 0)
		size = below(room);
	if (size > room)
		size = room;
	for (size_t i = 0; i < size; i++)
		b[i] = (uint8_t)next();
	/* Sparse bytes mostly: most fields are small numbers or zero. */
	if (below(2))
		for (size_t i = 0; i < size; i++)
			if (below(4))
				b[i] = 0;
	if (size >= 4 && below(4))
		*(uint32_t *)b = (uint32_t)_IOC_SIZE(cmd);
	/* Pointer-sized fields at random 8-byte offsets. */
	for (int k = 0; k < 4 && size >= 16; k++)
		*(uint64_t *)(b + 8 * below(size / 8)) = pointer();
	/* A small core or CPU number where commands take one. */
	if (size >= 12 && below(2))
		*(int32_t *)(b + 8) = (int32_t)below(6) - 1;
	return size;
}

static long counts[4]; /* requests, accepted, process fds, mappings */

static void proc_fd_round(int pfd, char *buf)
{
	for (int i = 0; i < 8; i++) {
		unsigned long cmd = below(10) ? proc_cmds[below(sizeof proc_cmds / sizeof proc_cmds[0])] : _IOC(below(4), MK_IOC_MAGIC, below(256), below(512));
		fill(cmd, buf, 4096);
		if (cmd == MK_PROC_IOC_WAIT && below(2))
			continue; /* blocks until the alarm: not every time */
		counts[0]++;
		ualarm(100000, 0);
		if (ioctl(pfd, cmd, buf) == 0)
			counts[1]++;
		ualarm(0, 0);
	}
	if (below(3) == 0) {
		uint64_t len = below(2) ? MK_USER_WINDOW_END - MK_USER_WINDOW_START : (below(64) + 1) << 12;
		void *at = mmap(below(2) ? (void *)MK_USER_WINDOW_START : NULL, len, PROT_READ | PROT_WRITE,
				MAP_SHARED | (below(2) ? MAP_FIXED_NOREPLACE : 0), pfd, below(4) ? 0 : below(16) << 12);
		if (at != MAP_FAILED) {
			counts[3]++;
			munmap(at, len);
		}
	}
}

static void on_alarm(int sig) { (void)sig; }

static void child(time_t end, int reboot_lwk)
{
	static char buf[1 << 14];
	int fd = -1;

	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: a blocked ioctl returns */
	while (time(NULL) < end) {
		if (fd < 0 || below(64) == 0) {
			if (fd >= 0)
				close(fd);
			fd = open(MK_DEVICE_PATH, O_RDWR);
			if (fd < 0)
				_exit(2);
		}
		unsigned long cmd = below(12) ? dev_cmds[below(sizeof dev_cmds / sizeof dev_cmds[0])]
					      : _IOC(below(4), below(8) ? MK_IOC_MAGIC : below(256), below(256), below(1 << 14));
		/* Fewer of the commands that take the machine apart. */
		if ((cmd == MK_IOC_SHUTDOWN || cmd == MK_IOC_DEBUG || cmd == MK_IOC_RESERVE_MEM) && below(16))
			cmd = MK_IOC_STATUS;
		fill(cmd, buf, sizeof buf);
		if (cmd == MK_IOC_SPAWN && below(2)) {
			/* A request that can succeed, for process fds to work on. */
			struct mk_spawn_request *sp = (void *)buf;
			memset(sp, 0, sizeof(*sp));
			sp->size = sizeof(*sp);
			sp->nr_cores = 1;
			sp->staging_bytes = (below(4) + 1) << 20;
			sp->stack_limit = 8 << 20;
			strcpy(sp->program, "ioctl_fuzz");
		}
		/* As root, now and then: an LWK to talk to again, if one went. */
		if (reboot_lwk && below(2000) == 0)
			if (system("mkctl status --json | grep -q '\"state\": \"running\"' || "
				   "{ mkctl shutdown; mkctl boot --cpus 2-3 --mem 128M; } >/dev/null 2>&1") < 0)
				_exit(3);
		ualarm(200000, 0);
		counts[0]++;
		int r = ioctl(fd, cmd, buf);
		ualarm(0, 0);
		if (r == 0)
			counts[1]++;
		if (cmd == MK_IOC_SPAWN && r == 0) {
			int pfd = ((struct mk_spawn_request *)buf)->fd;
			counts[2]++;
			proc_fd_round(pfd, buf);
			close(pfd);
		}
	}
	printf("fuzz child %d: %ld requests, %ld accepted, %ld process fds, %ld window mappings\n", getpid(),
	       counts[0], counts[1], counts[2], counts[3]);
	fflush(stdout);
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ioctl_fuzz SECONDS [PROCESSES [SEED]]\n");
		return 2;
	}
	int seconds = atoi(argv[1]), procs = argc > 2 ? atoi(argv[2]) : 3;
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : (uint64_t)time(NULL) * 2654435761u;
	time_t end = time(NULL) + seconds;
	int failed = 0;

	heap = mmap(NULL, HEAP_SIZE + GUARD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (heap == MAP_FAILED || mprotect(heap + HEAP_SIZE, GUARD_SIZE, PROT_NONE) != 0) {
		perror("ioctl_fuzz: mmap");
		return 2;
	}
	printf("ioctl_fuzz: %d s, %d processes, seed %#llx\n", seconds, procs, (unsigned long long)seed);
	fflush(stdout);
	for (int i = 0; i < procs; i++) {
		if (fork() == 0) {
			rng = seed + 0x9e3779b97f4a7c15ULL * (i + 1);
			child(end, i == 0 && geteuid() == 0);
		}
	}
	for (int i = 0; i < procs; i++) {
		int st;
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	printf("ioctl_fuzz: %d of %d processes ended badly\n", failed, procs);
	return failed ? 1 : 0;
}
