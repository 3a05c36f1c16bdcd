/* Private file mappings the program does not write (a library's code and
 * read-only data) share the file's pages with Linux's page cache; making
 * one writable gives the program copies of its own.
 *   private_map follow PATH SECS   map PATH MAP_PRIVATE read-only, print its
 *                                  first line; wait (polling) up to SECS for
 *                                  it to change (someone writes the file),
 *                                  print it; then mprotect it writable, write
 *                                  into it: the program sees its write, the
 *                                  file does not
 *   private_map hold PATH MIB      map MIB MiB of PATH read-only, read every
 *                                  page, print a checksum, wait to be killed
 *   private_map hold-rw PATH MIB   the same, mapped writable (a copy)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void line(const char *what, const char *p)
{
    printf("%s: %.*s\n", what, (int)strcspn(p, "\n"), p);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0) {
        perror(argv[2]);
        return 1;
    }
    if (!strcmp(argv[1], "follow")) {
        char *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        char first[64];
        snprintf(first, sizeof first, "%.*s", (int)strcspn(p, "\n"), p);
        line("mapped", p);
        struct timespec tick = {0, 20 * 1000 * 1000};
        for (int i = 0; i < atoi(argv[3]) * 50 && !strncmp(p, first, strlen(first)); ++i)
            nanosleep(&tick, NULL);
        line("then", p);
        if (mprotect(p, 4096, PROT_READ | PROT_WRITE) != 0) {
            perror("mprotect");
            return 1;
        }
        memcpy(p, "own ", 4);
        line("after its write", p);
        char file[64] = {0};
        if (pread(fd, file, sizeof file - 1, 0) < 0)
            return 1;
        line("the file", file);
        return 0;
    }
    size_t len = (size_t)atoi(argv[3]) << 20;
    int rw = !strcmp(argv[1], "hold-rw");
    if (!rw && strcmp(argv[1], "hold"))
        return 2;
    unsigned char *p = mmap(NULL, len, PROT_READ | (rw ? PROT_WRITE : 0), MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < len; i += 4096)
        sum += p[i];
    printf("held %llu\n", (unsigned long long)sum);
    fflush(stdout);
    pause();
    return 0;
}
