/*
 * File I/O through Linux: create, write, read back, stat, rename, unlink
 * in the directory given. Leaves DIR/kept.txt for Linux to check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const char *what)
{
	printf("fileio: %s: %s\n", what, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char a[512], b[512], c[512], buf[4096];
	const char text[] = "written on the LWK, read back on the LWK\n";
	snprintf(a, sizeof a, "%s/fileio.tmp", dir);
	snprintf(b, sizeof b, "%s/fileio.renamed", dir);
	snprintf(c, sizeof c, "%s/kept.txt", dir);

	int fd = open(a, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	if (fd < 0)
		return fail("open for writing");
	for (int i = 0; i < 100; i++)
		if (write(fd, text, sizeof text - 1) != (ssize_t)(sizeof text - 1))
			return fail("write");
	if (fsync(fd) || close(fd))
		return fail("fsync/close");
	struct stat st;
	if (stat(a, &st))
		return fail("stat");
	if (st.st_size != 100 * (off_t)(sizeof text - 1)) {
		printf("fileio: size %lld, expected %zu\n", (long long)st.st_size, 100 * (sizeof text - 1));
		return 1;
	}
	fd = open(a, O_RDONLY);
	if (fd < 0)
		return fail("open for reading");
	ssize_t n, total = 0;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] != text[(total + i) % (sizeof text - 1)]) {
				printf("fileio: byte %zd differs\n", total + i);
				return 1;
			}
		total += n;
	}
	close(fd);
	if (rename(a, b))
		return fail("rename");
	if (access(a, F_OK) == 0 || errno != ENOENT)
		return fail("the old name still exists");
	if (unlink(b))
		return fail("unlink");
	FILE *f = fopen(c, "w");
	if (!f)
		return fail("fopen");
	fprintf(f, "kept: %zd bytes checked\n", total);
	fclose(f);
	printf("fileio ok: %zd bytes written and read back\n", total);
	return 0;
}
