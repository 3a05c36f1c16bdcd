/* Credentials of a threaded program. Threads keep making system calls
 * while the main thread changes the process's ids; afterwards every
 * thread has the new ids and the new ids' rights.
 *   creds UID      (as root: become UID; prints the ids, the threads'
 *                   agreement and whether /etc/shadow can be read)
 *   creds refused  (calls Linux keeps per thread: their answers)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#define THREADS 4

static atomic_int changed, running;
static uid_t want;

static void *worker(void *arg)
{
	long bad = 0;

	(void)arg;
	atomic_fetch_add(&running, 1);
	while (!atomic_load(&changed))
		(void)geteuid(); /* calls on every server thread meanwhile */
	for (int i = 0; i < 50; i++)
		bad += geteuid() != want || getuid() != want || getegid() != (gid_t)want;
	if (access("/etc/shadow", R_OK) == 0)
		bad++;
	return (void *)bad;
}

static int refused(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof d);
	printf("capset: %s\n", syscall(SYS_capset, &h, d) ? strerror(errno) : "done");
	printf("unshare(CLONE_FILES): %s\n", unshare(CLONE_FILES) ? strerror(errno) : "done");
	printf("prctl(PR_SET_NO_NEW_PRIVS): %s\n",
	       prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? strerror(errno) : "done");
	return 0;
}

int main(int argc, char **argv)
{
	pthread_t t[THREADS];
	long bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: creds UID | creds refused\n");
		return 2;
	}
	if (!strcmp(argv[1], "refused"))
		return refused();
	want = (uid_t)atoi(argv[1]);
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	while (atomic_load(&running) < THREADS)
		sched_yield();
	if (setgroups(0, NULL) || setresgid(want, want, want) || setresuid(want, want, want)) {
		printf("changing ids: %s\n", strerror(errno));
		return 1;
	}
	atomic_store(&changed, 1);
	for (int i = 0; i < THREADS; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	printf("ids: uid=%d euid=%d gid=%d egid=%d groups=%d\n", getuid(), geteuid(), getgid(),
	       getegid(), getgroups(0, NULL));
	printf("threads: %d, %ld disagreed\n", THREADS, bad);
	printf("/etc/shadow: %s\n", access("/etc/shadow", R_OK) ? strerror(errno) : "readable");
	return 0;
}
