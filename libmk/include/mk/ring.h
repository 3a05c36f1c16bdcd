/* SPDX-License-Identifier: MIT */
/*
 * The inter-kernel channel: a single-producer/single-consumer message ring in
 * memory shared by two kernels (mk.ko or the proxy on one side, the LWK on
 * the other). One ring per direction per LWK core; every forwarded system
 * call and its reply ride on a pair of them.
 *
 * This header is the layout and the only implementation. It compiles
 * unchanged as kernel C (gnu11), as freestanding C++20 in the LWK and as user
 * C or C++: it includes only types.h, uses GCC __atomic builtins and
 * fixed-size __builtin_memcpy/__builtin_memset (inlined; a compiler may
 * still call the environment's own memcpy/memset, which every freestanding
 * environment provides), and keeps to syntax that C and C++ share.
 *
 * Layout (offsets from the start of the ring, which is 64-byte aligned):
 *
 *   0    line 0: geometry (magic, version, slot size, slot count),
 *                written by mk_ring_init() before the ring is shared
 *   64   line 1: consumer position, written by the consumer only
 *   128  line 2: sleep flag, set by the consumer, cleared by the producer
 *                (touched on the sleep path only)
 *   192  nr_slots slots of slot_size bytes (a multiple of 64), each:
 *          0  header word: sequence (high 32 bits) | payload length (low 32)
 *          8  payload, up to slot_size - 8 bytes
 *
 * The discipline is Barrelfish's UMP: the producer is the only writer of the
 * slots and the consumer of its position line, so no cache line has two
 * writers on the fast path and no lock is shared between the kernels. The
 * producer writes a slot's payload, then its header word (release); the
 * consumer reads the header word (acquire), then the payload. Positions are
 * free-running 64-bit message counts; the message at position p lives in slot
 * p mod nr_slots and carries sequence (p + 1) mod 2^32, so a consumer at
 * position p finds either that sequence (a message), the sequence of position
 * p - nr_slots (no message yet: the slot still holds the previous lap), or
 * anything else (a corrupt ring). Each side keeps its own position privately
 * and never reads it back from shared memory. The shared memory holds no
 * pointers: the two sides map it at different addresses.
 *
 * Batching: a producer posts (mk_ring_post, mk_ring_reserve/mk_ring_commit)
 * any number of messages and ends the batch with one mk_ring_flush(), which
 * says whether to ring the consumer's doorbell; mk_ring_send() is a batch of
 * one. mk_ring_commit_batch() publishes several reserved slots at once,
 * writing their headers last slot first so that the consumer takes the whole
 * batch in one go. The consumer drains everything available per wake-up
 * (mk_ring_drain, or mk_ring_peek/mk_ring_consume/mk_ring_recv followed by
 * mk_ring_publish) and publishes its position once per batch.
 *
 * Sleep and wake-up. A consumer that finds the ring empty may sleep:
 *
 *   consumer                              producer
 *   mk_ring_sleep_prepare: sleeping = 1   mk_ring_commit: header = seq|len
 *                          fence(seq_cst)  mk_ring_flush:  fence(seq_cst)
 *   mk_ring_sleep_check:   read header                     read sleeping
 *   empty: sleep until the doorbell       set: clear it (exchange) and
 *   message: mk_ring_sleep_cancel, drain       ring the doorbell
 *
 * This is Dekker's pattern (store buffering): each side stores its own word,
 * then loads the other side's. Without the fences x86 may satisfy each load
 * before its own store leaves the store buffer, so the consumer could see no
 * message while the producer sees no sleeper: a lost wake-up. With a seq_cst
 * fence between the store and the load on both sides, the fences are ordered
 * one before the other; the side whose fence comes second sees the other
 * side's store (C11 7.17.4, C++ [atomics.fences]). So either the consumer's
 * check sees the message and it does not sleep, or the producer's flush sees
 * the flag and rings the doorbell. The producer's fence covers every message
 * posted before it, which is why one flush per batch suffices, and why a
 * posted message must always be followed by a flush. The producer clears the
 * flag with an atomic exchange, so one announcement gets at most one doorbell;
 * the producer reads the flag first with a plain load, so on the fast path
 * (consumer polling, flag clear) it writes nothing and rings nothing. The
 * doorbell must be latched (an IPI pending in the APIC, a wait queue prepared
 * before the check): a doorbell sent between the check and the sleep must
 * still end the sleep. Wake-ups may be spurious; a woken consumer calls
 * mk_ring_sleep_cancel() and drains. tests/model/ring_sleep.pml checks this
 * protocol on a model of x86-TSO store buffers.
 *
 * Trust. Neither side trusts what the other writes. Attach validates the
 * magic, version and geometry against the size the caller mapped and keeps the
 * geometry privately from then on; the producer bounds-checks the consumer's
 * position against its own; the consumer checks every header's sequence and
 * length. A violation is reported as MK_RING_ECORRUPT and the handle stays
 * broken (every later call returns it); no access ever leaves the mapping.
 * A payload read in place (mk_ring_peek) can still change under the reader if
 * the producer misbehaves: copy it (mk_ring_recv) before validating fields
 * that bound memory accesses.
 *
 * Flow control: a full ring is reported (MK_RING_FULL) and the producer
 * retries; there is no doorbell for "space available". With one outstanding
 * request per thread, a ring with as many slots as the core has threads
 * never fills.
 */
#ifndef MK_RING_H
#define MK_RING_H

#include "types.h"

#define MK_RING_MAGIC 0x4d4b5247U        /* "MKRG" */
#define MK_RING_VERSION_MAJOR 1          /* bumped on an incompatible change */
#define MK_RING_VERSION_MINOR 0

#define MK_RING_LINE 64U                 /* cache line: the unit of layout */
#define MK_RING_HDR_BYTES 8U             /* the header word at the start of a slot */
#define MK_RING_SLOT_MIN 64U
#define MK_RING_SLOT_MAX 65536U
#define MK_RING_SLOTS_MIN 2U
#define MK_RING_SLOTS_MAX (1U << 20)

/* The shared part before the slots. All of it lives in the shared memory. */
struct mk_ring_shared {
	/* Line 0: geometry, read-only once the ring is shared. */
	__u32 magic;             /* MK_RING_MAGIC, written last by mk_ring_init */
	__u16 version_major;     /* MK_RING_VERSION_MAJOR */
	__u16 version_minor;     /* MK_RING_VERSION_MINOR */
	__u32 slot_size;         /* bytes per slot: a multiple of MK_RING_LINE */
	__u32 nr_slots;          /* a power of two */
	__u8 pad0[MK_RING_LINE - 16];
	/* Line 1: the consumer's published position (messages consumed). */
	__u64 consumer_pos;
	__u8 pad1[MK_RING_LINE - 8];
	/* Line 2: non-zero while the consumer sleeps or is about to. */
	__u32 sleeping;
	__u8 pad2[MK_RING_LINE - 4];
};

MK_STATIC_ASSERT(sizeof(struct mk_ring_shared) == 3 * MK_RING_LINE, "mk_ring_shared layout");
MK_STATIC_ASSERT(__builtin_offsetof(struct mk_ring_shared, slot_size) == 8,
		 "mk_ring_shared layout");
MK_STATIC_ASSERT(__builtin_offsetof(struct mk_ring_shared, nr_slots) == 12,
		 "mk_ring_shared layout");
MK_STATIC_ASSERT(__builtin_offsetof(struct mk_ring_shared, consumer_pos) == MK_RING_LINE,
		 "consumer position has its own cache line");
MK_STATIC_ASSERT(__builtin_offsetof(struct mk_ring_shared, sleeping) == 2 * MK_RING_LINE,
		 "sleep flag has its own cache line");

/* Offset of slot 0 from the start of the ring. */
#define MK_RING_SLOTS_OFFSET ((__u64)sizeof(struct mk_ring_shared))

/* Bytes of shared memory a ring of this geometry needs. */
#define MK_RING_BYTES(slot_size, nr_slots) \
	(MK_RING_SLOTS_OFFSET + (__u64)(slot_size) * (__u64)(nr_slots))

/*
 * Results. Non-negative values are successes; negative values are errors.
 * MK_RING_EMPTY and MK_RING_FULL are the normal "try again later".
 */
enum mk_ring_status {
	MK_RING_OK = 0,
	MK_RING_NOTIFY = 1,      /* published; the consumer sleeps: ring its doorbell now */
	MK_RING_PENDING = 2,     /* sleep check: a message is waiting, do not sleep */
	MK_RING_EMPTY = -1,      /* no message to receive */
	MK_RING_FULL = -2,       /* no free slot: the consumer is behind */
	MK_RING_ETOOBIG = -3,    /* message longer than the slot's payload or the buffer */
	MK_RING_EINVAL = -4,     /* bad argument or call out of order */
	MK_RING_EMAGIC = -5,     /* attach: no ring at this address */
	MK_RING_EVERSION = -6,   /* attach: ring of another major version */
	MK_RING_ECORRUPT = -7,   /* the other side broke the protocol; the handle stays broken */
};

/*
 * One side's private state, kept in its own memory. The geometry is copied
 * here at attach and never read from the shared memory again.
 */
struct mk_ring_tx {
	struct mk_ring_shared *shared;
	unsigned char *slots;
	__u64 head;              /* position of the next message to write */
	__u64 tail_cache;        /* consumer position as last read */
	__u64 flushed;           /* head at the last mk_ring_flush */
	__u32 nr_slots;
	__u32 slot_size;
	__u32 payload_max;
	__u32 reserved;          /* slots reserved from head on, not yet committed */
	int error;               /* sticky MK_RING_ECORRUPT */
};

struct mk_ring_rx {
	struct mk_ring_shared *shared;
	unsigned char *slots;
	__u64 tail;              /* position of the next message to read */
	__u64 published;         /* tail as last written to consumer_pos */
	__u32 nr_slots;
	__u32 slot_size;
	__u32 payload_max;
	__u32 peeked;            /* mk_ring_peek found a message at tail */
	int error;               /* sticky MK_RING_ECORRUPT */
};

/* Called once per message by mk_ring_drain(). */
typedef void (*mk_ring_handler_fn)(void *ctx, const void *payload, __u32 len);

/*
 * GCC cannot instrument standalone fences for ThreadSanitizer and warns
 * (-Wtsan); the fences are still emitted, and the protocol they order is
 * checked by the model instead.
 */
#if defined(__SANITIZE_THREAD__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wtsan"
#endif
static inline void mk_ring_fence_seq_cst(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
#if defined(__SANITIZE_THREAD__) && __GNUC__ >= 12
#pragma GCC diagnostic pop
#endif

static inline const char *mk_ring_strerror(int status)
{
	switch (status) {
	case MK_RING_OK: return "ok";
	case MK_RING_NOTIFY: return "published; notify the consumer";
	case MK_RING_PENDING: return "a message is waiting";
	case MK_RING_EMPTY: return "ring empty";
	case MK_RING_FULL: return "ring full";
	case MK_RING_ETOOBIG: return "message too large";
	case MK_RING_EINVAL: return "invalid argument";
	case MK_RING_EMAGIC: return "no ring at this address (bad magic)";
	case MK_RING_EVERSION: return "ring of another major version";
	case MK_RING_ECORRUPT: return "ring corrupted by the other side";
	default: return "unknown ring status";
	}
}

/* The sequence number carried by the message at position pos. */
static inline __u32 mk_ring_seq(__u64 pos)
{
	return (__u32)(pos + 1);
}

static inline __u64 mk_ring_make_header(__u32 seq, __u32 len)
{
	return ((__u64)seq << 32) | len;
}

/* Whether a ring of this geometry can be created. */
static inline int mk_ring_geometry_ok(__u32 slot_size, __u32 nr_slots)
{
	return slot_size >= MK_RING_SLOT_MIN && slot_size <= MK_RING_SLOT_MAX &&
	       slot_size % MK_RING_LINE == 0 &&
	       nr_slots >= MK_RING_SLOTS_MIN && nr_slots <= MK_RING_SLOTS_MAX &&
	       (nr_slots & (nr_slots - 1)) == 0;
}

static inline int mk_ring_misaligned(const void *mem)
{
	return ((__UINTPTR_TYPE__)mem & (MK_RING_LINE - 1)) != 0;
}

/*
 * Copies a message into or out of a slot. Messages are small (a system call
 * is 72 bytes), and a call to memcpy (a PLT call in user space, rep movsb
 * in the kernel) costs more than the copy: fixed-size pieces are inlined by
 * every compiler here, with general registers where the build demands it.
 */
static inline void mk_ring_copy(void *dst, const void *src, __u32 len)
{
	unsigned char *d = (unsigned char *)dst;
	const unsigned char *s = (const unsigned char *)src;

	for (; len >= 64; len -= 64, d += 64, s += 64)
		__builtin_memcpy(d, s, 64);
	if (len & 32) {
		__builtin_memcpy(d, s, 32);
		d += 32;
		s += 32;
	}
	if (len & 16) {
		__builtin_memcpy(d, s, 16);
		d += 16;
		s += 16;
	}
	if (len & 8) {
		__builtin_memcpy(d, s, 8);
		d += 8;
		s += 8;
	}
	if (len & 4) {
		__builtin_memcpy(d, s, 4);
		d += 4;
		s += 4;
	}
	if (len & 2) {
		__builtin_memcpy(d, s, 2);
		d += 2;
		s += 2;
	}
	if (len & 1)
		*d = *s;
}

static inline unsigned char *mk_ring_slot(unsigned char *slots, __u64 pos, __u32 nr_slots,
					  __u32 slot_size)
{
	return slots + (pos & (nr_slots - 1)) * slot_size;
}

/*
 * Creates an empty ring in mem (64-byte aligned, bytes long), by the side
 * that owns the memory, before it is shared. Returns MK_RING_OK or
 * MK_RING_EINVAL (bad geometry, alignment, or too little memory).
 */
static inline int mk_ring_init(void *mem, __u64 bytes, __u32 slot_size, __u32 nr_slots)
{
	struct mk_ring_shared *sh = (struct mk_ring_shared *)mem;
	unsigned char *slots;
	__u32 i;

	if (!mem || mk_ring_misaligned(mem) || !mk_ring_geometry_ok(slot_size, nr_slots) ||
	    bytes < MK_RING_BYTES(slot_size, nr_slots))
		return MK_RING_EINVAL;
	/* A side attaching too early must not see a half-built ring. */
	__atomic_store_n(&sh->magic, 0, __ATOMIC_RELAXED);
	__builtin_memset((unsigned char *)sh + 4, 0, sizeof(*sh) - 4);
	sh->version_major = MK_RING_VERSION_MAJOR;
	sh->version_minor = MK_RING_VERSION_MINOR;
	sh->slot_size = slot_size;
	sh->nr_slots = nr_slots;
	slots = (unsigned char *)mem + MK_RING_SLOTS_OFFSET;
	/* Every slot starts out holding "the previous lap": empty. */
	for (i = 0; i < nr_slots; i++)
		__atomic_store_n((__u64 *)(slots + (__u64)i * slot_size),
				 mk_ring_make_header(mk_ring_seq((__u64)i - nr_slots), 0),
				 __ATOMIC_RELAXED);
	/* Release: an attacher that acquires the magic sees all of the above. */
	__atomic_store_n(&sh->magic, MK_RING_MAGIC, __ATOMIC_RELEASE);
	return MK_RING_OK;
}

/*
 * Validates the ring the other side created in mem, of which the caller
 * mapped bytes, and returns its geometry.
 */
static inline int mk_ring_validate(const void *mem, __u64 bytes, __u32 *slot_size,
				   __u32 *nr_slots)
{
	const struct mk_ring_shared *sh = (const struct mk_ring_shared *)mem;
	__u32 ss, n;

	if (!mem || mk_ring_misaligned(mem) || bytes < MK_RING_SLOTS_OFFSET)
		return MK_RING_EINVAL;
	/* Acquire pairs with the release in mk_ring_init(). */
	if (__atomic_load_n(&sh->magic, __ATOMIC_ACQUIRE) != MK_RING_MAGIC)
		return MK_RING_EMAGIC;
	if (__atomic_load_n(&sh->version_major, __ATOMIC_RELAXED) != MK_RING_VERSION_MAJOR)
		return MK_RING_EVERSION;
	/* Read once: from here on only the private copies count. */
	ss = __atomic_load_n(&sh->slot_size, __ATOMIC_RELAXED);
	n = __atomic_load_n(&sh->nr_slots, __ATOMIC_RELAXED);
	if (!mk_ring_geometry_ok(ss, n) || MK_RING_BYTES(ss, n) > bytes)
		return MK_RING_ECORRUPT;
	*slot_size = ss;
	*nr_slots = n;
	return MK_RING_OK;
}

/* Attaches the producer side of a ring fresh from mk_ring_init(). */
static inline int mk_ring_tx_attach(struct mk_ring_tx *tx, void *mem, __u64 bytes)
{
	__u32 ss = 0, n = 0;
	int ret = mk_ring_validate(mem, bytes, &ss, &n);

	__builtin_memset(tx, 0, sizeof(*tx));
	if (ret != MK_RING_OK) {
		tx->error = ret;
		return ret;
	}
	tx->shared = (struct mk_ring_shared *)mem;
	tx->slots = (unsigned char *)mem + MK_RING_SLOTS_OFFSET;
	tx->nr_slots = n;
	tx->slot_size = ss;
	tx->payload_max = ss - MK_RING_HDR_BYTES;
	return MK_RING_OK;
}

/* Attaches the consumer side of a ring fresh from mk_ring_init(). */
static inline int mk_ring_rx_attach(struct mk_ring_rx *rx, void *mem, __u64 bytes)
{
	__u32 ss = 0, n = 0;
	int ret = mk_ring_validate(mem, bytes, &ss, &n);

	__builtin_memset(rx, 0, sizeof(*rx));
	if (ret != MK_RING_OK) {
		rx->error = ret;
		return ret;
	}
	rx->shared = (struct mk_ring_shared *)mem;
	rx->slots = (unsigned char *)mem + MK_RING_SLOTS_OFFSET;
	rx->nr_slots = n;
	rx->slot_size = ss;
	rx->payload_max = ss - MK_RING_HDR_BYTES;
	return MK_RING_OK;
}

/* Largest payload one message can carry (0 on a handle that failed to attach). */
static inline __u32 mk_ring_tx_payload_max(const struct mk_ring_tx *tx)
{
	return tx->payload_max;
}

static inline __u32 mk_ring_rx_payload_max(const struct mk_ring_rx *rx)
{
	return rx->payload_max;
}

/* ---- producer ---------------------------------------------------------- */

/* Re-reads the consumer position; it must lie between the last one seen and head. */
static inline int mk_ring_tx_refresh(struct mk_ring_tx *tx)
{
	/*
	 * Acquire pairs with the consumer's release in mk_ring_publish(): its
	 * reads of the slots it gave back happen before we overwrite them.
	 */
	__u64 pos = __atomic_load_n(&tx->shared->consumer_pos, __ATOMIC_ACQUIRE);

	if (pos - tx->tail_cache > tx->head - tx->tail_cache) {
		tx->error = MK_RING_ECORRUPT;
		return tx->error;
	}
	tx->tail_cache = pos;
	return MK_RING_OK;
}

/*
 * Reserves the next free slot and gives its payload area
 * (mk_ring_tx_payload_max() bytes) to fill in place. Several slots may be
 * reserved before they are committed; they are committed in the order they
 * were reserved, by mk_ring_commit() or mk_ring_commit_batch(). Returns
 * MK_RING_OK, MK_RING_FULL or MK_RING_ECORRUPT.
 */
static inline int mk_ring_reserve(struct mk_ring_tx *tx, void **payload)
{
	__u64 next;
	int ret;

	if (tx->error)
		return tx->error;
	next = tx->head + tx->reserved;
	/* The cached position is only refreshed when it says the ring is full. */
	if (next - tx->tail_cache >= tx->nr_slots) {
		ret = mk_ring_tx_refresh(tx);
		if (ret != MK_RING_OK)
			return ret;
		if (next - tx->tail_cache >= tx->nr_slots)
			return MK_RING_FULL;
	}
	*payload = mk_ring_slot(tx->slots, next, tx->nr_slots, tx->slot_size) +
		   MK_RING_HDR_BYTES;
	tx->reserved++;
	return MK_RING_OK;
}

static inline void mk_ring_publish_slot(struct mk_ring_tx *tx, __u64 pos, __u32 len)
{
	unsigned char *slot = mk_ring_slot(tx->slots, pos, tx->nr_slots, tx->slot_size);

	/*
	 * The header word last, with release: the payload stores before it are
	 * visible to a consumer whose acquire load sees this header.
	 */
	__atomic_store_n((__u64 *)slot, mk_ring_make_header(mk_ring_seq(pos), len),
			 __ATOMIC_RELEASE);
}

/*
 * Publishes the oldest reserved slot with len bytes of payload: the consumer
 * can see it from now on. Part of a batch: mk_ring_flush() must follow.
 * Returns MK_RING_OK, MK_RING_EINVAL (nothing reserved), MK_RING_ETOOBIG
 * (the slot stays reserved) or the sticky error.
 */
static inline int mk_ring_commit(struct mk_ring_tx *tx, __u32 len)
{
	if (tx->error)
		return tx->error;
	if (!tx->reserved)
		return MK_RING_EINVAL;
	if (len > tx->payload_max)
		return MK_RING_ETOOBIG;
	mk_ring_publish_slot(tx, tx->head, len);
	tx->head++;
	tx->reserved--;
	return MK_RING_OK;
}

/*
 * Publishes the n oldest reserved slots, slot i with lens[i] bytes, all or
 * none. The headers are written last slot first: the consumer, which looks
 * at the first, finds the whole batch ready at once and does not fight the
 * producer for the lines of the slots still being written. Returns as
 * mk_ring_commit() does; mk_ring_flush() must follow.
 */
static inline int mk_ring_commit_batch(struct mk_ring_tx *tx, const __u32 *lens, __u32 n)
{
	__u32 i;

	if (tx->error)
		return tx->error;
	if (n == 0 || n > tx->reserved)
		return MK_RING_EINVAL;
	for (i = 0; i < n; i++)
		if (lens[i] > tx->payload_max)
			return MK_RING_ETOOBIG;
	/*
	 * A consumer whose acquire load sees the first header synchronizes
	 * with its release, which comes after every other store of the batch
	 * (payloads and headers): it sees the whole batch.
	 */
	for (i = n; i-- > 0;)
		mk_ring_publish_slot(tx, tx->head + i, lens[i]);
	tx->head += n;
	tx->reserved -= n;
	return MK_RING_OK;
}

/*
 * Copies one message into the ring and publishes it, without a flush. Not
 * while slots are reserved (MK_RING_EINVAL).
 */
static inline int mk_ring_post(struct mk_ring_tx *tx, const void *msg, __u32 len)
{
	void *payload;
	int ret;

	if (tx->error)
		return tx->error;
	if (len > tx->payload_max)
		return MK_RING_ETOOBIG;
	if (tx->reserved) /* it would commit the oldest reservation instead */
		return MK_RING_EINVAL;
	ret = mk_ring_reserve(tx, &payload);
	if (ret != MK_RING_OK)
		return ret;
	mk_ring_copy(payload, msg, len);
	return mk_ring_commit(tx, len);
}

/*
 * Ends a batch. Returns MK_RING_NOTIFY when the consumer has announced that
 * it sleeps: the caller must ring its doorbell now. Otherwise MK_RING_OK (or
 * the sticky error); with the consumer polling this writes nothing shared.
 */
static inline int mk_ring_flush(struct mk_ring_tx *tx)
{
	__u32 *sleeping;

	if (tx->error)
		return tx->error;
	if (tx->flushed == tx->head)
		return MK_RING_OK;
	tx->flushed = tx->head;
	sleeping = &tx->shared->sleeping;
	/*
	 * Dekker, producer side (see the top of this file): the header stores
	 * above must be visible before the flag is read, or a consumer that is
	 * just announcing its sleep could miss both the message and the doorbell.
	 */
	mk_ring_fence_seq_cst();
	if (__atomic_load_n(sleeping, __ATOMIC_RELAXED) == 0)
		return MK_RING_OK;
	/* Exchange: one doorbell per announcement, even against a racing cancel. */
	if (__atomic_exchange_n(sleeping, 0, __ATOMIC_SEQ_CST) == 0)
		return MK_RING_OK;
	return MK_RING_NOTIFY;
}

/* A batch of one: mk_ring_post() then mk_ring_flush(). */
static inline int mk_ring_send(struct mk_ring_tx *tx, const void *msg, __u32 len)
{
	int ret = mk_ring_post(tx, msg, len);

	if (ret != MK_RING_OK)
		return ret;
	return mk_ring_flush(tx);
}

/* ---- consumer ---------------------------------------------------------- */

/*
 * Looks at the next message in place without consuming it: *payload stays
 * valid until mk_ring_consume() and mk_ring_publish(). Returns MK_RING_OK,
 * MK_RING_EMPTY or MK_RING_ECORRUPT (unexpected sequence, impossible length).
 */
static inline int mk_ring_peek(struct mk_ring_rx *rx, const void **payload, __u32 *len)
{
	unsigned char *slot;
	__u64 header;
	__u32 seq, n;

	if (rx->error)
		return rx->error;
	slot = mk_ring_slot(rx->slots, rx->tail, rx->nr_slots, rx->slot_size);
	/*
	 * The header word first, with acquire (pairs with the release in
	 * mk_ring_commit()): the payload read after it is the one written
	 * before it. It is read once; only this copy is checked and used.
	 */
	header = __atomic_load_n((const __u64 *)slot, __ATOMIC_ACQUIRE);
	seq = (__u32)(header >> 32);
	n = (__u32)header;
	if (seq != mk_ring_seq(rx->tail)) {
		rx->peeked = 0;
		if (seq == mk_ring_seq(rx->tail - rx->nr_slots))
			return MK_RING_EMPTY;
		rx->error = MK_RING_ECORRUPT;
		return rx->error;
	}
	if (n > rx->payload_max) {
		rx->error = MK_RING_ECORRUPT;
		return rx->error;
	}
	*payload = slot + MK_RING_HDR_BYTES;
	*len = n;
	rx->peeked = 1;
	return MK_RING_OK;
}

/*
 * Steps past the message that mk_ring_peek() just returned. The producer
 * gets the slot back at the next mk_ring_publish().
 */
static inline int mk_ring_consume(struct mk_ring_rx *rx)
{
	if (rx->error)
		return rx->error;
	if (!rx->peeked)
		return MK_RING_EINVAL;
	rx->peeked = 0;
	rx->tail++;
	return MK_RING_OK;
}

/* Gives the consumed slots back to the producer: once per batch. */
static inline void mk_ring_publish(struct mk_ring_rx *rx)
{
	if (rx->error || rx->tail == rx->published)
		return;
	/*
	 * Release: our reads of these slots happen before the producer, whose
	 * acquire load sees this position, overwrites them.
	 */
	__atomic_store_n(&rx->shared->consumer_pos, rx->tail, __ATOMIC_RELEASE);
	rx->published = rx->tail;
}

/*
 * Copies the next message (at most cap bytes) to buf and consumes it.
 * Returns MK_RING_OK with *len set, MK_RING_EMPTY, MK_RING_ETOOBIG (buf is
 * too small; the message stays) or MK_RING_ECORRUPT. Call mk_ring_publish()
 * after the batch.
 */
static inline int mk_ring_recv(struct mk_ring_rx *rx, void *buf, __u32 cap, __u32 *len)
{
	const void *payload;
	__u32 n = 0;
	int ret = mk_ring_peek(rx, &payload, &n);

	if (ret != MK_RING_OK)
		return ret;
	if (n > cap)
		return MK_RING_ETOOBIG;
	mk_ring_copy(buf, payload, n);
	*len = n;
	return mk_ring_consume(rx);
}

/*
 * Hands up to max available messages, in order, to fn (in place, as
 * mk_ring_peek() does; fn must not use rx), then publishes the position:
 * once per batch, and every half ring in a long one so that the producer
 * keeps going. Returns the number handled or MK_RING_ECORRUPT.
 */
static inline int mk_ring_drain(struct mk_ring_rx *rx, __u32 max, mk_ring_handler_fn fn,
				void *ctx)
{
	const void *payload;
	__u32 n, count = 0;
	int ret = MK_RING_OK;

	if (max > 0x7fffffffU)
		max = 0x7fffffffU;
	while (count < max) {
		ret = mk_ring_peek(rx, &payload, &n);
		if (ret != MK_RING_OK)
			break;
		fn(ctx, payload, n);
		rx->peeked = 0;
		rx->tail++;
		count++;
		if (rx->tail - rx->published >= rx->nr_slots / 2)
			mk_ring_publish(rx);
	}
	mk_ring_publish(rx);
	if (ret == MK_RING_ECORRUPT)
		return ret;
	return (int)count;
}

/* ---- consumer: sleeping ------------------------------------------------ */

/*
 * Announces that the consumer is about to sleep. Follow with
 * mk_ring_sleep_check(), and sleep only if it says the ring is empty.
 */
static inline void mk_ring_sleep_prepare(struct mk_ring_rx *rx)
{
	if (rx->error)
		return;
	/* A producer waiting for space must see it before we go to sleep. */
	mk_ring_publish(rx);
	__atomic_store_n(&rx->shared->sleeping, 1, __ATOMIC_RELAXED);
	/*
	 * Dekker, consumer side (see the top of this file): the flag must be
	 * visible before the ring is checked, or a producer publishing right
	 * now could miss both the flag and our check.
	 */
	mk_ring_fence_seq_cst();
}

/*
 * After mk_ring_sleep_prepare(): MK_RING_OK when the ring is empty and the
 * consumer may sleep until its doorbell rings; MK_RING_PENDING when a message
 * is waiting (call mk_ring_sleep_cancel() and drain); MK_RING_ECORRUPT.
 */
static inline int mk_ring_sleep_check(struct mk_ring_rx *rx)
{
	const void *payload;
	__u32 n;
	int ret = mk_ring_peek(rx, &payload, &n);

	if (ret == MK_RING_EMPTY)
		return MK_RING_OK;
	if (ret == MK_RING_OK)
		return MK_RING_PENDING;
	return ret;
}

/*
 * Withdraws the announcement: after a check that found a message, and after
 * every wake-up (doorbell or spurious). Returns MK_RING_NOTIFY when the
 * producer had already claimed the announcement (its doorbell is sent or on
 * its way and may arrive after this), MK_RING_OK otherwise.
 */
static inline int mk_ring_sleep_cancel(struct mk_ring_rx *rx)
{
	if (rx->error)
		return rx->error;
	if (__atomic_exchange_n(&rx->shared->sleeping, 0, __ATOMIC_SEQ_CST) != 0)
		return MK_RING_OK;
	return MK_RING_NOTIFY;
}

#endif /* MK_RING_H */
