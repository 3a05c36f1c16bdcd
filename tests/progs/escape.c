/* A program that tries to reach mk through the descriptors its mkexec
 * holds: MK_IOC_SHUTDOWN (the device's) and MK_PROC_IOC_SIGNAL (a process
 * fd's) on every descriptor number, and reading each one. Prints how many
 * reached anything of mk's; 0 is the right answer.
 *   escape */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <mk/ioctl.h>

int main(void)
{
	int reached = 0, open_fds = 0;
	for (int fd = 0; fd < 2048; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		open_fds++;
		struct mk_simple_request req;
		memset(&req, 0, sizeof req);
		req.size = sizeof req;
		if (ioctl(fd, MK_IOC_SHUTDOWN, &req) == 0 || (errno != ENOTTY && errno != EBADF)) {
			printf("fd %d: MK_IOC_SHUTDOWN answered %s\n", fd, strerror(errno));
			reached++;
		}
		struct mk_proc_signal sig;
		memset(&sig, 0, sizeof sig);
		sig.size = sizeof sig;
		sig.signal = 28; /* SIGWINCH: ignored by default, were it to arrive */
		if (ioctl(fd, MK_PROC_IOC_SIGNAL, &sig) == 0 || (errno != ENOTTY && errno != EBADF)) {
			printf("fd %d: MK_PROC_IOC_SIGNAL answered %s\n", fd, strerror(errno));
			reached++;
		}
	}
	printf("escape: %d open descriptors, %d reached mk\n", open_fds, reached);
	return 0;
}
