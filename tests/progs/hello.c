/* The smallest program: a line of output and an exit status. */
#include <stdio.h>

int main(void)
{
	printf("hello, world\n");
	return 0;
}
