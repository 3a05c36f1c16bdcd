// New processes from a program: fork (in sequence and in parallel, with a
// copy of its memory, sharing its shared mappings), vfork, posix_spawn, system, popen, a child killed
// by a signal, SIGCHLD, execve. Prints what any Linux prints, so that the
// test compares the LWK's output with Linux's. `where`: on which CPU, and
// whether on the LWK, a fork's child runs.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

static int fail(const char* what)
{
	printf("FAIL: %s (%s)\n", what, strerror(errno));
	return 1;
}

// Whether child pid ends with status `want`; -1 if it cannot be waited for.
static int ends_with(pid_t pid, int want)
{
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == want;
}

static int forks(int n, int parallel)
{
	pid_t pids[1000];
	int right = 0;
	for (int i = 0; i < n; ++i) {
		pids[i] = fork();
		if (pids[i] < 0)
			return fail("fork");
		if (pids[i] == 0)
			_exit((i * 7) % 256);
		if (!parallel && ends_with(pids[i], (i * 7) % 256) == 1)
			++right;
	}
	for (int i = 0; parallel && i < n; ++i)
		right += ends_with(pids[i], (i * 7) % 256) == 1;
	printf("fork %s: %d children, %d right statuses\n", parallel ? "in parallel" : "in sequence", n, right);
	return 0;
}

static int memory(long mib)
{
	size_t len = (size_t)mib << 20;
	uint64_t* m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return fail("mmap");
	size_t n = len / 8;
	for (size_t i = 0; i < n; i += 512)
		m[i] = i ^ 0x5a5a;
	pid_t pid = fork();
	if (pid == 0) {
		size_t bad = 0;
		for (size_t i = 0; i < n; i += 512)
			bad += m[i] != (i ^ 0x5a5a);
		for (size_t i = 0; i < n; i += 512)
			m[i] = 7; // the child's own copy
		_exit(bad ? 1 : 0);
	}
	int st;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return fail("fork/waitpid");
	size_t bad = 0;
	for (size_t i = 0; i < n; i += 512)
		bad += m[i] != (i ^ 0x5a5a);
	printf("fork with %ld MiB: the child saw the parent's data: %s; the parent's stayed: %s\n", mib,
		WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "yes" : "no", bad ? "no" : "yes");
	return 0;
}

// Shared mappings stay shared with a child, live both ways (a pipe orders
// the writes); a private one does not.
static int shared(void)
{
	const size_t len = 3 << 12;
	char name[64];
	snprintf(name, sizeof name, "/forks-shared-%d", (int)getpid());
	int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0 || shm_unlink(name) != 0 || ftruncate(fd, (off_t)len) != 0)
		return fail("shm_open");
	int fd2 = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd2 < 0 || shm_unlink(name) != 0 || ftruncate(fd2, (off_t)len) != 0)
		return fail("shm_open");
	int id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
	char* sysv = id < 0 ? (char*)-1 : shmat(id, NULL, 0);
	if (sysv == (char*)-1 || shmctl(id, IPC_RMID, NULL) != 0)
		return fail("shmget/shmat");
	struct {
		const char* what;
		char* at;
	} m[] = {
		{"MAP_SHARED | MAP_ANONYMOUS", mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)},
		{"MAP_SHARED of a file in /dev/shm", mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)},
		{"SysV shared memory", sysv},
		{"MAP_SHARED of a file, 2 pages longer than the file",
			mmap(NULL, len + 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0)},
		{"MAP_PRIVATE | MAP_ANONYMOUS", mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)},
	};
	enum { N = sizeof m / sizeof m[0] };
	for (int i = 0; i < N; ++i) {
		if (m[i].at == MAP_FAILED)
			return fail(m[i].what);
		strcpy(m[i].at + 2 * 4096, "parent");
	}
	int to_parent[2], to_child[2];
	if (pipe(to_parent) || pipe(to_child))
		return fail("pipe");
	char b;
	pid_t pid = fork();
	if (pid == 0) {
		int code = 0;
		for (int i = 0; i < N; ++i) {
			code |= strcmp(m[i].at + 2 * 4096, "parent") != 0;
			strcpy(m[i].at + 2 * 4096, "child");
		}
		if (write(to_parent[1], "w", 1) != 1 || read(to_child[0], &b, 1) != 1)
			_exit(9);
		// What the parent wrote since, where it is shared.
		for (int i = 0; i < N; ++i)
			code |= (strcmp(m[i].at + 2 * 4096, i < N - 1 ? "parent again" : "child") != 0) << 1;
		_exit(code);
	}
	if (pid < 0 || read(to_parent[0], &b, 1) != 1)
		return fail("fork");
	for (int i = 0; i < N; ++i) {
		printf("%s: the child's write %s seen by the parent\n", m[i].what,
			strcmp(m[i].at + 2 * 4096, "child") ? "is not" : "is");
		if (i < N - 1)
			strcpy(m[i].at + 2 * 4096, "parent again");
	}
	if (write(to_child[1], "w", 1) != 1)
		return fail("write");
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return fail("waitpid");
	printf("the child saw the parent's data: %s; the parent's later writes to shared memory: %s\n",
		WIFEXITED(st) && !(WEXITSTATUS(st) & 1) ? "yes" : "no",
		WIFEXITED(st) && !(WEXITSTATUS(st) & 2) ? "yes" : "no");
	return 0;
}

static int children(void)
{
	// vfork: the parent goes on after the child's _exit, and sees what the
	// child wrote (Linux's vfork child runs in its parent's memory).
	static volatile int written_by_child;
	pid_t pid = vfork();
	if (pid == 0) {
		written_by_child = 42;
		_exit(5);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("vfork: status %d, the parent sees the child's write: %s\n", WEXITSTATUS(st),
	       written_by_child == 42 ? "yes" : "no");
	// CLONE_VFORK without CLONE_VM: a child with its own copy, the parent
	// waiting for its end.
	pid = (pid_t)syscall(SYS_clone, CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		written_by_child = 7;
		_exit(6);
	}
	waitpid(pid, &st, 0);
	printf("clone(CLONE_VFORK): status %d, the parent's memory stays its own: %s\n", WEXITSTATUS(st),
	       written_by_child == 42 ? "yes" : "no");

	char* argv[] = {"sh", "-c", "echo spawned $0 $1; exit 9", "a", NULL};
	if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0)
		return fail("posix_spawn");
	fflush(stdout);
	waitpid(pid, &st, 0);
	printf("posix_spawn: status %d\n", WEXITSTATUS(st));
	char* none[] = {"none", NULL};
	int r = posix_spawn(&pid, "/nonexistent/program", NULL, NULL, none, environ);
	if (r == 0)
		waitpid(pid, &st, 0);
	// glibc's child reports the failed execve through the parent's memory.
	printf("posix_spawn of no program: %s\n", r ? strerror(r) : "succeeds");

	printf("system: status %d\n", WEXITSTATUS(system("exit 7")));
	fflush(stdout);

	FILE* f = popen("echo from popen; exit 3", "r");
	char line[128] = "";
	if (!f || !fgets(line, sizeof line, f))
		return fail("popen r");
	printf("popen read: %s", line);
	printf("pclose: status %d\n", WEXITSTATUS(pclose(f)));
	f = popen("tr a-z A-Z", "w");
	if (!f)
		return fail("popen w");
	fputs("written to popen\n", f);
	fflush(stdout);
	printf("pclose: status %d\n", WEXITSTATUS(pclose(f)));
	return 0;
}

static volatile sig_atomic_t chld;
static void on_chld(int sig)
{
	(void)sig;
	chld = 1;
}

static int signals(void)
{
	signal(SIGCHLD, on_chld);
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	for (int i = 0; i < 1000 && !chld; ++i)
		usleep(1000);
	printf("a child killed: signaled %d, signal %d; SIGCHLD came: %s\n", WIFSIGNALED(st), WTERMSIG(st),
		chld ? "yes" : "no");
	siginfo_t si;
	pid = fork();
	if (pid == 0)
		_exit(42);
	if (waitid(P_PID, pid, &si, WEXITED) != 0)
		return fail("waitid");
	printf("waitid: code %s, status %d, pid right %d\n", si.si_code == CLD_EXITED ? "CLD_EXITED" : "other",
		si.si_status, si.si_pid == pid);
	errno = 0;
	int none = wait(NULL);
	printf("wait with no child: %d %s\n", none, strerror(errno));
	return 0;
}

// Where a child runs: on the LWK (the LWK answers MK_SYS_CORE_IRQS, Linux
// has no such call) and on which CPU, with its parent's.
static int where(void)
{
	const long core_irqs = 0x4d4b0100L; // MK_SYS_CORE_IRQS (<mk/proc.h>)
	int parent_cpu = sched_getcpu();
	int to_parent[2];
	if (pipe(to_parent))
		return fail("pipe");
	pid_t pid = fork();
	if (pid == 0) {
		int where[2] = {sched_getcpu(), syscall(core_irqs, -1L) >= 0};
		_exit(write(to_parent[1], where, sizeof where) == sizeof where ? 0 : 1);
	}
	int child[2], st;
	if (pid < 0 || read(to_parent[0], child, sizeof child) != sizeof child || waitpid(pid, &st, 0) != pid)
		return fail("fork");
	printf("parent on CPU %d, LWK %s; child on CPU %d, LWK %s\n", parent_cpu,
		syscall(core_irqs, -1L) >= 0 ? "yes" : "no", child[0], child[1] ? "yes" : "no");
	return 0;
}

int main(int argc, char** argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char* mode = argc > 1 ? argv[1] : "all";
	if (!strcmp(mode, "exec")) {
		char* args[] = {"/bin/echo", "execve", "replaced", "the", "program", NULL};
		execve(args[0], args, environ);
		return fail("execve");
	}
	if (!strcmp(mode, "fexecve")) { // of a descriptor that closes on exec, as glibc's fexecve allows
		int fd = open("/bin/echo", O_RDONLY | O_CLOEXEC);
		char* args[] = {"echo", "fexecve", "of", "a", "close-on-exec", "descriptor", NULL};
		if (fd >= 0)
			fexecve(fd, args, environ);
		return fail("fexecve");
	}
	if (!strcmp(mode, "exec-missing")) {
		char* args[] = {"/nonexistent", NULL};
		execve(args[0], args, environ);
		printf("execve of no program: %s\n", strerror(errno));
		return 0;
	}
	if (!strcmp(mode, "memory"))
		return memory(argc > 2 ? atol(argv[2]) : 64);
	if (!strcmp(mode, "shared"))
		return shared();
	if (!strcmp(mode, "where"))
		return where();
	int n = argc > 2 ? atoi(argv[2]) : 100;
	if (n > 1000)
		n = 1000;
	return forks(n, 0) | forks(n, 1) | children() | signals() | memory(16);
}
