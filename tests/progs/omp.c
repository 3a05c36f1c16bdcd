/* OpenMP on the LWK: a parallel-for reduction with a known result. */
#include <omp.h>
#include <stdio.h>

int main(void)
{
	const long n = 2000000;
	long sum = 0;
	int threads = 0;

#pragma omp parallel for reduction(+ : sum)
	for (long i = 1; i <= n; i++)
		sum += i;
#pragma omp parallel
	{
#pragma omp single
		threads = omp_get_num_threads();
	}
	printf("openmp: %d threads, sum %ld (expected %ld)\n", threads, sum, n * (n + 1) / 2);
	return sum == n * (n + 1) / 2 ? 0 : 1;
}
