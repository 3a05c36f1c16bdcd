/* A static program with 1 GiB of .bss (as NPB FT or STREAM at their large
 * sizes have): every MiB of it reads zero, then holds what was written. */
#include <stdio.h>

static unsigned char big[1UL << 30];

int main(void)
{
	const unsigned long step = 1UL << 20;
	unsigned long bad = 0, sum = 0;
	for (unsigned long i = 0; i < sizeof big; i += step) {
		bad += big[i] != 0 || big[i + step - 1] != 0;
		big[i] = (unsigned char)(i / step);
	}
	for (unsigned long i = 0; i < sizeof big; i += step)
		sum += big[i];
	printf("bigbss: %lu MiB, %lu pages not zero, sum %lu\n", sizeof big >> 20, bad, sum);
	return bad != 0;
}
