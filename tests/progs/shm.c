/* Shared memory between LWK programs and Linux processes: POSIX shm in
 * /dev/shm, memfd, SysV shm, read-only shared mappings of files, SIGBUS past
 * a file's end, and a futex in shared memory between two processes.
 *   shm put NAME TEXT        create /dev/shm/NAME (2 pages), write TEXT at 0
 *   shm get NAME             print the text at 0 of /dev/shm/NAME
 *   shm ping NAME ROUNDS     |  alternate a counter in /dev/shm/NAME with a
 *   shm pong NAME ROUNDS     |  shared futex (two processes)
 *   shm wait NAME TEXT SECS  wait until the text at page 1 is TEXT (polling)
 *   shm mark NAME TEXT       write TEXT at page 1
 *   shm memfd                memfd: write(), mmap, pwrite/pread agree
 *   shm sysv-put KEY TEXT    shmget/shmat a segment, write TEXT; shmid printed
 *   shm sysv-get KEY         attach the segment read-only, print its text
 *   shm file PATH            MAP_SHARED read-only of a file == read()
 *   shm file-write PATH      MAP_SHARED PROT_WRITE of a file: errno if refused
 *   shm file-rw PATH [keep]  a writable MAP_SHARED mapping of a new file
 *                            (3.5 pages in 4): writes through it, read(),
 *                            pwrite() seen in it, msync, SIGBUS past the
 *                            end, truncation (unless "keep" follows),
 *                            SIGSEGV once mprotect'ed read-only
 *   shm file-fork PATH       a writable MAP_SHARED mapping of a new file and
 *                            a private page, then fork: the child sees the
 *                            parent's writes to the file's pages and the
 *                            parent the child's; the private page stays
 *                            each side's own
 * (A NAME starting with '/' is a file there instead of /dev/shm/NAME.)
 *   shm scan PATH            read a file through a writable MAP_SHARED mapping
 *   shm sigbus               a mapping past a file's end: SIGBUS there
 *   shm big NAME MIB         map MIB MiB of /dev/shm/NAME, fill, checksum
 *   shm hold NAME MIB        the same, then wait to be killed
 *   shm sysv-rmid            attach a segment, mark it removed, attach it
 *                            again by id: both see one memory, nattch 2
 *   shm fixed NAME           reserve 4 pages PROT_NONE, map /dev/shm/NAME
 *                            MAP_SHARED|MAP_FIXED over them, write, read
 *   shm hugetlb NAME         MAP_HUGETLB of a /dev/shm file: refused (EINVAL)
 *   shm forge                issue mk's own request to mkexec (a number no
 *                            Linux call has) as the program: refused */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static void die(const char *what)
{
	printf("%s: %s\n", what, strerror(errno));
	exit(1);
}

/* NAME in /dev/shm, or a file anywhere if it starts with '/'. */
static char *map_shm(const char *name, int create, size_t size)
{
	char path[256];
	snprintf(path, sizeof path, "/%s", name);
	int fd = name[0] == '/' ? open(name, O_RDWR | (create ? O_CREAT : 0), 0600)
				: shm_open(path, O_RDWR | (create ? O_CREAT : 0), 0600);
	if (fd < 0)
		die("shm_open");
	if (create && ftruncate(fd, size) != 0)
		die("ftruncate");
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	close(fd);
	return p;
}

static long futex(uint32_t *w, int op, uint32_t val)
{
	return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

/* ping takes the counter from even to odd, pong from odd to even. */
static int pingpong(const char *name, int rounds, int odd)
{
	char *p = map_shm(name, 0, 2 * PAGE);
	uint32_t *c = (uint32_t *)(p + 256);
	for (int i = 0; i < rounds; i++) {
		uint32_t v;
		while (((v = __atomic_load_n(c, __ATOMIC_ACQUIRE)) & 1) != (uint32_t)!odd)
			futex(c, FUTEX_WAIT, v); /* shared: no FUTEX_PRIVATE_FLAG */
		__atomic_store_n(c, v + 1, __ATOMIC_RELEASE);
		futex(c, FUTEX_WAKE, 1);
	}
	/* ping's last step is not the last one: wait for pong's, so that both
	 * print the final count. */
	uint32_t v;
	while ((v = __atomic_load_n(c, __ATOMIC_ACQUIRE)) != 2u * rounds)
		futex(c, FUTEX_WAIT, v);
	printf("%s: %d rounds, counter %u\n", odd ? "pong" : "ping", rounds, __atomic_load_n(c, __ATOMIC_ACQUIRE));
	return 0;
}

static sigjmp_buf jump;
static void on_bus(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	printf("signal %d (%s) code %d\n", sig, sig == SIGBUS ? "SIGBUS" : "other", si->si_code);
	siglongjmp(jump, 1);
}

/* SIGBUS and SIGSEGV print and jump back (on_bus). */
static void catch_faults(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *op = argv[1];
	if (!strcmp(op, "put") && argc == 4) {
		char *p = map_shm(argv[2], 1, 2 * PAGE);
		strcpy(p, argv[3]);
		if (msync(p, 2 * PAGE, MS_SYNC) != 0)
			die("msync");
		printf("put %s\n", p);
	} else if (!strcmp(op, "get") && argc == 3) {
		printf("%s\n", map_shm(argv[2], 0, 2 * PAGE));
	} else if ((!strcmp(op, "ping") || !strcmp(op, "pong")) && argc == 4) {
		return pingpong(argv[2], atoi(argv[3]), !strcmp(op, "pong"));
	} else if (!strcmp(op, "mark") && argc == 4) {
		strcpy(map_shm(argv[2], 0, 2 * PAGE) + PAGE, argv[3]);
	} else if (!strcmp(op, "wait") && argc == 5) {
		volatile char *p = map_shm(argv[2], 0, 2 * PAGE) + PAGE;
		for (int i = 0; i < atoi(argv[4]) * 100; i++) {
			if (!strcmp((const char *)p, argv[3])) {
				printf("saw %s\n", argv[3]);
				return 0;
			}
			usleep(10000);
		}
		printf("never saw %s (page 1 holds '%.20s')\n", argv[3], (const char *)p);
		return 1;
	} else if (!strcmp(op, "memfd")) {
		int fd = memfd_create("mk-test", 0);
		if (fd < 0)
			die("memfd_create");
		if (ftruncate(fd, 3 * PAGE) != 0 || pwrite(fd, "through write", 14, PAGE) != 14)
			die("write");
		char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		strcpy(p + 2 * PAGE, "through the mapping");
		char back[32] = {0};
		if (pread(fd, back, 20, 2 * PAGE) != 20)
			die("pread");
		printf("memfd: mapping sees '%s', read sees '%s'\n", p + PAGE, back);
	} else if (!strcmp(op, "sysv-put") && argc == 4) {
		int id = shmget((key_t)atoi(argv[2]), 3 * PAGE, IPC_CREAT | 0600);
		if (id < 0)
			die("shmget");
		char *p = shmat(id, NULL, 0);
		if (p == (void *)-1)
			die("shmat");
		strcpy(p + PAGE, argv[3]);
		if (shmdt(p) != 0)
			die("shmdt");
		printf("sysv: put %s\n", argv[3]);
	} else if (!strcmp(op, "sysv-get") && argc == 3) {
		int id = shmget((key_t)atoi(argv[2]), 0, 0);
		if (id < 0)
			die("shmget");
		char *p = shmat(id, NULL, SHM_RDONLY);
		if (p == (void *)-1)
			die("shmat");
		printf("sysv: %s\n", p + PAGE);
		shmdt(p);
	} else if (!strcmp(op, "file") && argc == 3) {
		int fd = open(argv[2], O_RDONLY);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0)
			die("open");
		char *p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		char *buf = malloc(st.st_size);
		if (pread(fd, buf, st.st_size, 0) != st.st_size)
			die("pread");
		printf("file: %ld bytes, mapping %s read()\n", (long)st.st_size,
		       memcmp(p, buf, st.st_size) ? "differs from" : "equals");
	} else if (!strcmp(op, "file-write") && argc == 3) {
		int fd = open(argv[2], O_RDWR);
		if (fd < 0)
			die("open");
		char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		printf("file-write: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
	} else if (!strcmp(op, "file-rw") && (argc == 3 || (argc == 4 && !strcmp(argv[3], "keep")))) {
		int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, 3 * PAGE + PAGE / 2) != 0)
			die("open");
		char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		catch_faults();
		/* The kernel itself writes and reads pages of it not touched yet. */
		long r1 = syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (struct timespec *)(p + PAGE));
		long r2 = syscall(SYS_rt_sigprocmask, SIG_BLOCK, (sigset_t *)(p + 2 * PAGE), NULL, 8);
		printf("clock_gettime into it: %s; sigprocmask from it: %s\n", r1 ? strerror(errno) : "ok",
		       r2 ? strerror(errno) : "ok");
		for (int i = 0; i < 3 * PAGE + PAGE / 2; i++)
			p[i] = (char)('a' + i % 26);
		char *buf = malloc(4 * PAGE);
		printf("msync: %s\n", msync(p, 4 * PAGE, MS_SYNC) ? strerror(errno) : "ok");
		printf("read() after writes through the mapping: %s\n",
		       pread(fd, buf, 4 * PAGE, 0) == 3 * PAGE + PAGE / 2 &&
		       !memcmp(buf, p, 3 * PAGE + PAGE / 2) ? "the same" : "differs");
		if (pwrite(fd, "written by pwrite", 17, PAGE + 100) != 17)
			die("pwrite");
		printf("the mapping after pwrite(): %.17s\n", p + PAGE + 100);
		/* write() from the mapping: Linux reads the mapped pages itself */
		int out = open(argv[2], O_RDWR);
		if (out < 0 || pwrite(out, p + 2 * PAGE, 26, 0) != 26)
			die("pwrite from the mapping");
		printf("write() from the mapping: %.26s\n", p);
		if (!sigsetjmp(jump, 1)) {
			p[3 * PAGE + PAGE / 2] = 'x'; /* the last page's tail: in the file's page */
			printf("last page, past the size but in its page: written\n");
		}
		if (!sigsetjmp(jump, 1)) {
			p[3 * PAGE + PAGE - 1] = 'y';
			printf("end of the last page: written\n");
		}
		struct stat st;
		fstat(fd, &st);
		if (argc == 3 && ftruncate(fd, 2 * PAGE) != 0)
			die("ftruncate");
		if (argc == 3 && !sigsetjmp(jump, 1))
			printf("after truncation to 2 pages, page 2 reads %d\n", p[2 * PAGE]);
		printf("page 1 still: %.17s\n", p + PAGE + 100);
		if (mprotect(p, 4 * PAGE, PROT_READ) != 0)
			die("mprotect");
		if (!sigsetjmp(jump, 1)) {
			p[0] = 'z';
			printf("written after mprotect(PROT_READ) (no signal)\n");
		}
		if (mprotect(p, 4 * PAGE, PROT_READ | PROT_WRITE) != 0)
			die("mprotect");
		p[1] = 'Z';
		if (munmap(p, 4 * PAGE) != 0)
			die("munmap");
		if (pread(fd, buf, 2, 0) != 2)
			die("pread");
		printf("after munmap, read(): %.2s, size was %ld\n", buf, (long)st.st_size);
	} else if (!strcmp(op, "file-fork") && argc == 3) {
		int fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, 2 * PAGE) != 0)
			die("open");
		char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		char *own = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED || own == MAP_FAILED)
			die("mmap");
		strcpy(p, "parent before the fork");
		strcpy(own, "parent's own");
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			printf("child sees: %s, %s\n", p, own);
			strcpy(p + PAGE, "written by the child");
			strcpy(own, "child's own");
			fflush(stdout);
			_exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		printf("child's status %d; the parent sees: %s, %s\n", status, p + PAGE, own);
		char buf[32] = {0};
		if (pread(fd, buf, 20, PAGE) != 20)
			die("pread");
		printf("the file holds: %s\n", buf);
	} else if (!strcmp(op, "scan") && argc == 3) {
		int fd = open(argv[2], O_RDWR);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) != 0)
			die("open");
		const unsigned char *p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		uint64_t sum = 0;
		for (off_t i = 0; i < st.st_size; i++)
			sum = sum * 31 + p[i];
		printf("scan: %ld bytes, hash %llu\n", (long)st.st_size, (unsigned long long)sum);
	} else if (!strcmp(op, "sigbus")) {
		int fd = memfd_create("mk-short", 0);
		if (fd < 0 || ftruncate(fd, PAGE) != 0)
			die("memfd");
		char *p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap");
		catch_faults();
		p[0] = 1;
		printf("page 0: written\n");
		if (!sigsetjmp(jump, 1)) {
			p[PAGE] = 1;
			printf("page 1: written (no signal)\n");
		}
	} else if ((!strcmp(op, "big") || !strcmp(op, "hold")) && argc == 4) {
		size_t size = (size_t)atoi(argv[3]) << 20;
		char *p = map_shm(argv[2], 1, size);
		uint64_t sum = 0;
		for (size_t i = 0; i < size; i += 64)
			p[i] = (char)(i >> 12);
		for (size_t i = 0; i < size; i += 64)
			sum += (unsigned char)p[i];
		printf("big: %zu MiB, checksum %llu\n", size >> 20, (unsigned long long)sum);
		fflush(stdout);
		if (!strcmp(op, "hold"))
			for (;;)
				pause();
	} else if (!strcmp(op, "sysv-rmid")) {
		int id = shmget(IPC_PRIVATE, 2 * PAGE, IPC_CREAT | 0600);
		if (id < 0)
			die("shmget");
		char *a = shmat(id, NULL, 0);
		if (a == (void *)-1)
			die("shmat");
		if (shmctl(id, IPC_RMID, NULL) != 0)
			die("IPC_RMID");
		char *b = shmat(id, NULL, 0); /* Linux: still attachable while attached */
		if (b == (void *)-1)
			die("shmat after IPC_RMID");
		strcpy(b + PAGE, "through b");
		struct shmid_ds ds;
		if (shmctl(id, IPC_STAT, &ds) != 0)
			die("IPC_STAT");
		printf("sysv-rmid: a sees '%s', nattch %lu\n", a + PAGE, (unsigned long)ds.shm_nattch);
		shmdt(b);
		/* On the LWK the detach reaches Linux's count a moment after
		 * shmdt returns (the pin is dropped after the unmap): up to 1 s. */
		for (int i = 0; i < 100; i++) {
			if (shmctl(id, IPC_STAT, &ds) != 0)
				die("IPC_STAT");
			if (ds.shm_nattch <= 1)
				break;
			usleep(10000);
		}
		printf("sysv-rmid: after one shmdt, nattch %lu\n", (unsigned long)ds.shm_nattch);
		shmdt(a);
	} else if (!strcmp(op, "fixed") && argc == 3) {
		char *r = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r == MAP_FAILED)
			die("reserve");
		char path[256];
		snprintf(path, sizeof path, "/%s", argv[2]);
		int fd = shm_open(path, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || ftruncate(fd, 4 * PAGE) != 0)
			die("shm_open");
		char *p = mmap(r, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
		if (p == MAP_FAILED)
			die("mmap MAP_FIXED");
		strcpy(p + 3 * PAGE, "fixed");
		char back[8] = {0};
		if (pread(fd, back, 6, 3 * PAGE) != 6)
			die("pread");
		printf("fixed: %s the reserved address, the file reads '%s'\n", p == r ? "at" : "not at", back);
		shm_unlink(path);
	} else if (!strcmp(op, "hugetlb") && argc == 3) {
		char path[256];
		snprintf(path, sizeof path, "/%s", argv[2]);
		int fd = shm_open(path, O_RDWR | O_CREAT, 0600);
		if (fd < 0 || ftruncate(fd, 2 * PAGE) != 0)
			die("shm_open");
		char *p = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_HUGETLB, fd, 0);
		printf("hugetlb: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
		shm_unlink(path);
	} else if (!strcmp(op, "forge")) {
		/* MK_SYS_MAP_SHARED, with a stack address for the frame numbers. */
		int fd = open("/etc/passwd", O_RDONLY);
		long dummy[4];
		long r = syscall(0x4d4b0001L, fd, 0L, (long)PAGE, (long)PROT_READ, (long)dummy, 0L);
		printf("forge: %ld (%s)\n", r, r < 0 ? strerror(errno) : "accepted");
		/* MK_SYS_REFAULT of one of its own pages. */
		r = syscall(0x4d4b0007L, (long)dummy & ~(long)(PAGE - 1), 1L);
		printf("forge refault: %ld (%s)\n", r, r < 0 ? strerror(errno) : "accepted");
	} else {
		return 2;
	}
	return 0;
}
