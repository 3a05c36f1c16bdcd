// Linux must not write a page the program mapped read-only: a shared
// read-only mapping of FILE (one its user may not write), shown to Linux
// once (a write from it), then given to read(2) as the buffer. Linux says
// EFAULT and the file keeps its contents, on the LWK as on Linux.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: rowrite FILE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	char *p = fd < 0 ? MAP_FAILED : mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	int seen[2], pipefd[2];
	if (p == MAP_FAILED || pipe(seen) != 0 || pipe(pipefd) != 0) {
		perror("rowrite");
		return 1;
	}
	// Into a pipe (not /dev/null, which reads nothing): Linux reads the page.
	printf("Linux reads the page: %zd\n", write(seen[1], p, 64));
	if (write(pipefd[1], "EVIL", 4) != 4)
		return 1;
	ssize_t n = read(pipefd[0], p, 4);
	printf("read into the read-only mapping: %s\n", n < 0 ? strerror(errno) : "written");
	printf("the mapping holds: %.8s\n", p);
	return 0;
}
