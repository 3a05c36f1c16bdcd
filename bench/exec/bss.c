/* A static program with 100 MiB of .bss that touches one page of it: what
 * loading and tearing down large static data costs. */
static char big[100 << 20];
int main(void)
{
	big[4096] = 1;
	return big[0];
}
