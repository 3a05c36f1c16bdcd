// SPDX-License-Identifier: MIT
/*
 * Uses every function of mk/ring.h, so that each environment that shares the
 * header compiles all of it: kernel C (kbuild), freestanding C, the LWK's
 * freestanding C++ (this file compiled as C++) and hosted C, where
 * ring_check_main.c also runs it. Returns 0, or the line of the first check
 * that failed.
 */
#include <mk/proc.h>
#include <mk/ring.h>

int mk_ring_abi_check(void *mem, __u64 bytes);

struct mk_ring_check_sum {
	__u64 sum;
	__u32 count;
};

static void mk_ring_check_add(void *ctx, const void *payload, __u32 len)
{
	struct mk_ring_check_sum *s = (struct mk_ring_check_sum *)ctx;
	const unsigned char *p = (const unsigned char *)payload;
	__u32 i;

	for (i = 0; i < len; i++)
		s->sum += p[i];
	s->count++;
}

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			return __LINE__; \
	} while (0)

int mk_ring_abi_check(void *mem, __u64 bytes)
{
	struct mk_ring_tx tx;
	struct mk_ring_rx rx;
	struct mk_ring_check_sum sum = { 0, 0 };
	unsigned char msg[MK_CHAN_SLOT_SIZE], buf[MK_CHAN_SLOT_SIZE];
	const void *peeked;
	void *slot;
	__u32 len, i, lens[2], slot_size = 0, nr_slots = 0;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)i;
	CHECK(bytes >= MK_RING_BYTES(MK_CHAN_SLOT_SIZE, 8));
	CHECK(mk_ring_init(mem, bytes, MK_CHAN_SLOT_SIZE, 8) == MK_RING_OK);
	CHECK(mk_ring_validate(mem, bytes, &slot_size, &nr_slots) == MK_RING_OK);
	CHECK(slot_size == MK_CHAN_SLOT_SIZE && nr_slots == 8);
	CHECK(mk_ring_tx_attach(&tx, mem, bytes) == MK_RING_OK);
	CHECK(mk_ring_rx_attach(&rx, mem, bytes) == MK_RING_OK);
	CHECK(mk_ring_tx_payload_max(&tx) == MK_CHAN_SLOT_SIZE - MK_RING_HDR_BYTES);
	CHECK(mk_ring_rx_payload_max(&rx) == mk_ring_tx_payload_max(&tx));

	/* Copy in, copy out. */
	CHECK(mk_ring_send(&tx, msg, 72) == MK_RING_OK);
	CHECK(mk_ring_recv(&rx, buf, sizeof(buf), &len) == MK_RING_OK);
	CHECK(len == 72 && buf[71] == 71);
	mk_ring_publish(&rx);

	/* Zero copy, in a batch of four, drained in one go. */
	CHECK(mk_ring_reserve(&tx, &slot) == MK_RING_OK);
	((unsigned char *)slot)[0] = 5;
	CHECK(mk_ring_commit(&tx, 1) == MK_RING_OK);
	CHECK(mk_ring_post(&tx, msg, 4) == MK_RING_OK);
	for (i = 0; i < 2; i++) {
		CHECK(mk_ring_reserve(&tx, &slot) == MK_RING_OK);
		((unsigned char *)slot)[0] = 7;
		lens[i] = 1;
	}
	CHECK(mk_ring_commit_batch(&tx, lens, 2) == MK_RING_OK);
	CHECK(mk_ring_flush(&tx) == MK_RING_OK);
	CHECK(mk_ring_drain(&rx, 16, mk_ring_check_add, &sum) == 4);
	CHECK(sum.count == 4 && sum.sum == 5 + 0 + 1 + 2 + 3 + 7 + 7);

	/* Sleep, doorbell, wake-up. */
	mk_ring_sleep_prepare(&rx);
	CHECK(mk_ring_sleep_check(&rx) == MK_RING_OK);
	CHECK(mk_ring_send(&tx, msg, 8) == MK_RING_NOTIFY);
	CHECK(mk_ring_sleep_cancel(&rx) == MK_RING_NOTIFY);
	CHECK(mk_ring_peek(&rx, &peeked, &len) == MK_RING_OK && len == 8);
	CHECK(mk_ring_consume(&rx) == MK_RING_OK);
	CHECK(mk_ring_peek(&rx, &peeked, &len) == MK_RING_EMPTY);

	/* Refusals. */
	CHECK(mk_ring_send(&tx, msg, MK_CHAN_SLOT_SIZE) == MK_RING_ETOOBIG);
	CHECK(mk_ring_strerror(MK_RING_ECORRUPT)[0] != '\0');
	CHECK(mk_ring_geometry_ok(MK_CHAN_SLOT_SIZE, 3) == 0);
	return 0;
}
