/* A program's vector registers stay its own while the LWK starts other
 * programs on its core (the core's FPU state is switched lazily: a new
 * program's initial state must not be set over a running thread's).
 *   fpu_keep ROUNDS   put a pattern in xmm8-xmm15, then ROUNDS times spin
 *                     (no system call, no library call) and check it;
 *                     prints "kept" or "lost" (exit status 1) */
#include <stdio.h>
#include <stdlib.h>

#define CHECK(reg, off)                                                                            \
	"movdqu " #off "(%[p]), %%xmm0\n\t"                                                          \
	"pcmpeqb %%" #reg ", %%xmm0\n\t"                                                             \
	"pmovmskb %%xmm0, %%eax\n\t"                                                                 \
	"cmp $0xffff, %%eax\n\t"                                                                     \
	"jne 3f\n\t"

int main(int argc, char **argv)
{
	static unsigned char pattern[128];
	long rounds = argc > 1 ? atol(argv[1]) : 100, spin = 200000, bad;

	for (int i = 0; i < 128; i++)
		pattern[i] = (unsigned char)(i * 37 + 11);
	__asm__ volatile("movdqu 0(%[p]), %%xmm8\n\t"
			 "movdqu 16(%[p]), %%xmm9\n\t"
			 "movdqu 32(%[p]), %%xmm10\n\t"
			 "movdqu 48(%[p]), %%xmm11\n\t"
			 "movdqu 64(%[p]), %%xmm12\n\t"
			 "movdqu 80(%[p]), %%xmm13\n\t"
			 "movdqu 96(%[p]), %%xmm14\n\t"
			 "movdqu 112(%[p]), %%xmm15\n\t"
			 "xor %[bad], %[bad]\n"
			 "1:\n\t"
			 "mov %[spin], %%rcx\n"
			 "2:\n\t"
			 "dec %%rcx\n\t"
			 "jnz 2b\n\t"
			 CHECK(xmm8, 0) CHECK(xmm9, 16) CHECK(xmm10, 32) CHECK(xmm11, 48)
			 CHECK(xmm12, 64) CHECK(xmm13, 80) CHECK(xmm14, 96) CHECK(xmm15, 112)
			 "dec %[rounds]\n\t"
			 "jnz 1b\n\t"
			 "jmp 4f\n"
			 "3:\n\t"
			 "mov $1, %[bad]\n"
			 "4:\n"
			 : [bad] "=&r"(bad), [rounds] "+r"(rounds)
			 : [p] "r"(pattern), [spin] "r"(spin)
			 : "rax", "rcx", "xmm0", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
			   "xmm15", "cc", "memory");
	puts(bad ? "lost" : "kept");
	return bad ? 1 : 0;
}
