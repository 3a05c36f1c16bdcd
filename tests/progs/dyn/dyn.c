/* A dynamically linked program against libmkdyn (found through an $ORIGIN
 * rpath or LD_LIBRARY_PATH): constructors, TLS per thread, an IFUNC,
 * interposition, and dlopen of a plugin and of libm. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mkdyn_constructed(void);
int mkdyn_add(int, int);
const char *mkdyn_name(void);
extern __thread int mkdyn_tls;

static void *thread(void *arg)
{
	mkdyn_tls += (int)(long)arg; /* each thread has its own copy */
	return (void *)(long)mkdyn_tls;
}

int main(int argc, char **argv)
{
	printf("constructor %d, add %d, name %s\n", mkdyn_constructed(), mkdyn_add(40, 2), mkdyn_name());
	pthread_t t[3];
	long sum = 0;
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, thread, (void *)(i + 1));
	for (int i = 0; i < 3; i++) {
		void *r;
		pthread_join(t[i], &r);
		sum += (long)r;
	}
	printf("tls: main %d, threads %ld\n", mkdyn_tls, sum);
	if (argc > 1) {
		/* dlopen a plugin by name (the rpath finds it) and libm. */
		void *h = dlopen(argv[1], RTLD_NOW);
		if (!h) {
			printf("dlopen: %s\n", dlerror());
			return 1;
		}
		int (*square)(int) = (int (*)(int))dlsym(h, "mkdyn_plugin_square");
		void *m = dlopen("libm.so.6", RTLD_NOW);
		double (*cosine)(double) = m ? (double (*)(double))dlsym(m, "cos") : NULL;
		printf("plugin square %d, cos(0) %.1f\n", square ? square(12) : -1, cosine ? cosine(0) : -1);
	}
	return 0;
}
