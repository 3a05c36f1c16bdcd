/* A shared library for the dynamic-loading tests: a constructor, a
 * thread-local variable (TLS of a shared library), an IFUNC, and a symbol
 * an LD_PRELOAD library may interpose. */
#include <stdio.h>

static int constructed;
__attribute__((constructor)) static void init(void) { constructed = 42; }

__thread int mkdyn_tls = 7;

int mkdyn_constructed(void) { return constructed; }

/* The IFUNC picks an implementation when the library is relocated. */
static int add_generic(int a, int b) { return a + b; }
static int (*resolve_add(void))(int, int)
{
	__builtin_cpu_init();
	return add_generic;
}
int mkdyn_add(int a, int b) __attribute__((ifunc("resolve_add")));

const char *mkdyn_name(void) { return "libmkdyn"; }
