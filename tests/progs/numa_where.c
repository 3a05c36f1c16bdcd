/* Where a program's memory lies: the NUMA node of a page of each kind of
 * memory (static data, .bss, heap, anonymous mmap, stack, /dev/shm), asked
 * with get_mempolicy(MPOL_F_NODE | MPOL_F_ADDR) and move_pages(nodes =
 * NULL), as libnuma does. On Linux the pages lie where the program first
 * touched them (its CPU's node); the LWK allocates from its core's node.
 *   numa_where                 one line per kind
 *   numa_where spread MIB      MIB of anonymous memory: pages per node
 *   numa_where allowed         the nodes memory may come from
 *   numa_where move            moves a page to node 0
 *   numa_where of PID          where a page of another process lies
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static char bss[1 << 20];
static char data[1 << 16] = {1};

static int node_by_policy(void *p)
{
    int node = -1;
    if (syscall(SYS_get_mempolicy, &node, NULL, 0, p, MPOL_F_NODE | MPOL_F_ADDR) != 0)
        return -errno;
    return node;
}

static int node_by_move_pages(void *p)
{
    void *pages[1] = {p};
    int status = 0;
    if (syscall(SYS_move_pages, 0, 1, pages, NULL, &status, 0) != 0)
        return -1000 - errno;
    return status;
}

static void show(const char *what, void *p)
{
    printf("%s: node %d (move_pages: %d)\n", what, node_by_policy(p), node_by_move_pages(p));
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "spread") == 0) {
        size_t bytes = (size_t)atoi(argv[2]) << 20, pages = bytes / 4096;
        char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        memset(m, 1, bytes);
        void **addrs = malloc(pages * sizeof *addrs);
        int *status = malloc(pages * sizeof *status), count[8] = {0};
        for (size_t i = 0; i < pages; ++i)
            addrs[i] = m + i * 4096;
        if (syscall(SYS_move_pages, 0, pages, addrs, NULL, status, 0) != 0) {
            perror("move_pages");
            return 1;
        }
        for (size_t i = 0; i < pages; ++i)
            if (status[i] >= 0 && status[i] < 8)
                count[status[i]]++;
        for (int n = 0; n < 8; ++n)
            if (count[n])
                printf("node %d: %d MiB\n", n, count[n] / 256);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "allowed") == 0) {
        unsigned long mask[16] = {0};
        if (syscall(SYS_get_mempolicy, NULL, mask, 1024, NULL, MPOL_F_MEMS_ALLOWED) != 0) {
            perror("get_mempolicy");
            return 1;
        }
        printf("memory allowed on nodes:");
        for (int n = 0; n < 64; ++n)
            if (mask[0] >> n & 1)
                printf(" %d", n);
        printf("\n");
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "move") == 0) {
        void *pages[1] = {bss};
        int node = 0, status = -1;
        bss[0] = 1;
        if (syscall(SYS_move_pages, 0, 1, pages, &node, &status, MPOL_MF_MOVE) != 0) {
            perror("move_pages");
            return 1;
        }
        printf("moved: %d\n", status);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "of") == 0) {
        void *pages[1] = {(void *)0x400000};
        int status = 0;
        if (syscall(SYS_move_pages, atoi(argv[2]), 1, pages, NULL, &status, 0) != 0) {
            perror("move_pages");
            return 1;
        }
        printf("status: %d\n", status);
        return 0;
    }
    int on_stack[4096];
    memset(bss, 1, sizeof bss);
    data[4096] = 2;
    char *heap = malloc(8 << 20);
    memset(heap, 1, 8 << 20);
    size_t len = 4 << 20;
    char *anon = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(anon, 1, len);
    on_stack[0] = 1;
    show("data", data + 4096);
    show("bss", bss + 4096);
    show("heap", heap + (4 << 20));
    show("mmap", anon + 4096);
    show("stack", (void *)on_stack);
    /* Not mapped: Linux says EFAULT either way. */
    void *hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(hole, 4096);
    show("unmapped", hole);
    /* A shared page is Linux's: some node of the machine. */
    char name[64];
    snprintf(name, sizeof name, "/mk-numa-%d", getpid());
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0)
        return 1;
    char *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    shm_unlink(name);
    sh[0] = 1;
    int n = node_by_policy(sh), m = node_by_move_pages(sh);
    printf("shm: %s\n", n >= 0 && n == m ? "a node of the machine" : "no node");
    return 0;
}
