/* Who may map an LWK process's window: the process that spawned it (its
 * mkexec), and while the program runs a vfork child of that process only
 * (mkexec's child for the program's vfork). This one spawns a process of
 * its own and tries from itself and from a forked child. Prints what each
 * got; the same for a refault (MK_PROC_IOC_REFAULT), mkexec's alone, and
 * only while the program runs, and for the spawn of a fork's child
 * (MK_SPAWN_FORK), a child of mkexec's alone, while the program runs.
 *   window_share */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mk/ioctl.h>
#include <mk/proc.h>

static const char *try_map(int pfd)
{
	void *want = (void *)MK_USER_WINDOW_START;
	void *got = mmap(want, MK_USER_WINDOW_END - MK_USER_WINDOW_START, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED_NOREPLACE, pfd, 0);
	if (got == MAP_FAILED)
		return strerror(errno);
	munmap(got, MK_USER_WINDOW_END - MK_USER_WINDOW_START);
	return got == want ? "mapped" : "mapped elsewhere";
}

/* Asks mk.ko to fault in a page of a tracked mapping (mkexec's request). */
static const char *try_refault(int pfd)
{
	struct mk_proc_refault req;
	memset(&req, 0, sizeof req);
	req.size = sizeof req;
	req.addr = MK_USER_WINDOW_START;
	return ioctl(pfd, MK_PROC_IOC_REFAULT, &req) == 0 ? "done" : strerror(errno);
}

/* Asks mk.ko for the child of the fork the process of pfd is making
 * (MK_SPAWN_FORK): only a child of its mkexec, while its program runs. */
static const char *try_fork_spawn(int dev, int pfd)
{
	struct mk_spawn_request req;
	memset(&req, 0, sizeof req);
	req.size = sizeof req;
	req.flags = MK_SPAWN_FORK;
	req.fork_fd = pfd;
	if (ioctl(dev, MK_IOC_SPAWN, &req) == 0) {
		close(req.fd);
		return "spawned";
	}
	return strerror(errno);
}

int main(void)
{
	int dev = open(MK_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("window_share: " MK_DEVICE_PATH);
		return 2;
	}
	struct mk_spawn_request sp;
	memset(&sp, 0, sizeof sp);
	sp.size = sizeof sp;
	sp.nr_cores = 1;
	sp.staging_bytes = 1 << 20;
	sp.stack_limit = 8 << 20;
	strcpy(sp.program, "window_share");
	if (ioctl(dev, MK_IOC_SPAWN, &sp) != 0) {
		fprintf(stderr, "window_share: spawn: %s (%s)\n", strerror(errno), sp.msg);
		return 2;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("a forked child: %s\n", try_map(sp.fd));
		printf("a forked child's refault: %s\n", try_refault(sp.fd));
		printf("a forked child's fork spawn before the program runs: %s\n", try_fork_spawn(dev, sp.fd));
		printf("a forked child's fork spawn naming no process fd: %s\n", try_fork_spawn(dev, 0));
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("the spawner: %s\n", try_map(sp.fd));
	printf("the spawner's refault before the program runs: %s\n", try_refault(sp.fd));
	printf("the spawner's fork spawn of its own process: %s\n", try_fork_spawn(dev, sp.fd));
	close(sp.fd);
	return 0;
}
