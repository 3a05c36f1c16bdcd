/* /proc/self/task lists the process's threads: with 3 threads running, a
 * listing (readdir, and again after rewinddir) names each thread's id once,
 * and each thread's directory can be opened and its stat read.
 * Prints what it found; the same on Linux and on the LWK. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define THREADS 3

static pid_t tids[THREADS];
static pthread_barrier_t started, done;

static void *worker(void *arg)
{
    tids[(long)arg] = gettid();
    pthread_barrier_wait(&started);
    pthread_barrier_wait(&done);
    return NULL;
}

/* How many entries other than . and ..; how many of them are our tids. */
static void list(DIR *d, int *entries, int *ours, int *dots)
{
    struct dirent *e;
    *entries = *ours = *dots = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
            ++*dots;
            continue;
        }
        ++*entries;
        for (int i = 0; i < THREADS; ++i)
            if (atoi(e->d_name) == tids[i])
                ++*ours;
    }
}

int main(void)
{
    pthread_t t[THREADS];
    tids[0] = gettid();
    pthread_barrier_init(&started, NULL, THREADS);
    pthread_barrier_init(&done, NULL, THREADS);
    for (long i = 1; i < THREADS; ++i)
        pthread_create(&t[i], NULL, worker, (void *)i);
    pthread_barrier_wait(&started);

    DIR *d = opendir("/proc/self/task");
    if (!d) {
        perror("opendir /proc/self/task");
        return 1;
    }
    int entries, ours, dots;
    list(d, &entries, &ours, &dots);
    printf("listed: %d threads, %d of them ours, %d dot entries\n", entries, ours, dots);
    rewinddir(d);
    list(d, &entries, &ours, &dots);
    printf("after rewinddir: %d threads, %d of them ours\n", entries, ours);
    closedir(d);

    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d", tids[1]);
    struct stat st;
    printf("a thread's directory: %s\n", stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? "a directory" : "missing");
    DIR *td = opendir(path);
    int has_stat = 0;
    for (struct dirent *e; td && (e = readdir(td));)
        has_stat |= !strcmp(e->d_name, "stat");
    printf("its listing has stat: %s\n", has_stat ? "yes" : "no");
    if (td)
        closedir(td);
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tids[1]);
    FILE *f = fopen(path, "r");
    int tid = 0;
    printf("its stat names it: %s\n", f && fscanf(f, "%d", &tid) == 1 && tid == tids[1] ? "yes" : "no");
    pthread_barrier_wait(&done);
    for (long i = 1; i < THREADS; ++i)
        pthread_join(t[i], NULL);
    return 0;
}
