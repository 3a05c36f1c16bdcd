// SPDX-License-Identifier: MIT
/* Runs mk_ring_abi_check() as hosted C: mk/ring.h compiled as C behaves. */
#include <stdio.h>
#include <stdlib.h>

#include <mk/proc.h>
#include <mk/ring.h>

int mk_ring_abi_check(void *mem, __u64 bytes);

int main(void)
{
	__u64 bytes = MK_RING_BYTES(MK_CHAN_SLOT_SIZE, 8);
	void *mem = aligned_alloc(MK_RING_LINE, bytes);
	int line;

	if (!mem) {
		fprintf(stderr, "ring_check: out of memory\n");
		return 1;
	}
	line = mk_ring_abi_check(mem, bytes);
	free(mem);
	if (line) {
		fprintf(stderr, "ring_check: check at ring_check.c:%d failed\n", line);
		return 1;
	}
	printf("ring_check: mk/ring.h works as hosted C\n");
	return 0;
}
