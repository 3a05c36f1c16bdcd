/*
 * The sleep/wake protocol of the mk ring (libmk/include/mk/ring.h) on x86-TSO,
 * checked for lost wake-ups: a consumer asleep for good while a message it
 * was not told about waits in the ring.
 *
 * x86-TSO: each core's plain stores (mov) enter its own FIFO store buffer
 * and reach memory later, in order; its loads read memory (or its own
 * buffered stores, which never matter here: no side loads a word it stores
 * with a plain mov). A fence (mfence, lock or) and a locked exchange wait
 * until the core's buffer is empty; the exchange then reads and writes
 * memory in one step. GCC compiles the ring's release stores and relaxed
 * loads to plain mov, its seq_cst fence to lock or, and its exchange to xchg.
 *
 * Abstractions. The slot headers are a count of published messages: the
 * consumer at position p sees message p once the producer's header store
 * for p has left its store buffer, and a FIFO buffer releases header stores
 * in order. Payloads, slot reuse and the consumer position (flow control)
 * are not part of this protocol and are left out. The doorbell is latched
 * (an IPI stays pending until taken), and a sleeping consumer may also wake
 * up spuriously, up to SPURIOUS times.
 *
 * Build-time variants (tests/model/run checks them all):
 *   NO_PRODUCER_FENCE  mk_ring_flush without its fence: must lose a wake-up
 *   NO_CONSUMER_FENCE  mk_ring_sleep_prepare without its fence: must lose one
 */

#ifndef MESSAGES
#define MESSAGES 4
#endif
#ifndef SPURIOUS
#define SPURIOUS 1
#endif

byte posted = 0;        /* header stores the producer has issued */
byte mem_head = 0;      /* of which have reached memory (the rest are buffered) */
bit sb_sleeping = 0;    /* the consumer's buffered store "sleeping = 1" */
bit mem_sleeping = 0;   /* the sleep flag in memory */
bit doorbell = 0;       /* a doorbell rung and not yet taken */
byte consumed = 0;

/* Store buffers drain whenever the hardware likes, one store at a time. */
active proctype memory()
{
end:
	do
	:: atomic { mem_head < posted -> mem_head++ }
	:: atomic { sb_sleeping == 1 -> mem_sleeping = 1; sb_sleeping = 0 }
	od
}

/* Waits until the producer's store buffer is empty (fence, locked op). */
#define PRODUCER_DRAINED (mem_head == posted)
/* Waits until the consumer's store buffer is empty. */
#define CONSUMER_DRAINED (sb_sleeping == 0)

active proctype producer()
{
	bit old;

	do
	:: posted < MESSAGES ->
		/* mk_ring_post: the header store enters the store buffer. */
		posted++;
		/* Batches of one or two messages. */
		if
		:: posted < MESSAGES -> posted++
		:: true -> skip
		fi;
		/* mk_ring_flush */
#ifndef NO_PRODUCER_FENCE
		PRODUCER_DRAINED;
#endif
		if
		:: mem_sleeping == 1 ->
			/* Exchange: locked, so it drains the buffer first. */
			PRODUCER_DRAINED;
			atomic { old = mem_sleeping; mem_sleeping = 0 };
			if
			:: old == 1 -> doorbell = 1
			:: else -> skip
			fi
		:: else -> skip
		fi
	:: else -> break
	od
}

active proctype consumer()
{
	byte spurious = 0;
	bit old;

	do
	:: consumed == MESSAGES -> break
	:: else ->
		/* mk_ring_drain: every message whose header has reached memory. */
		do
		:: consumed < mem_head -> consumed++
		:: else -> break
		od;
		assert(consumed <= posted);
		if
		:: consumed == MESSAGES -> break
		:: else -> skip
		fi;
		if
		:: true -> skip /* poll again */
		:: true ->
			/* mk_ring_sleep_prepare: a plain store, then the fence. */
			sb_sleeping = 1;
#ifndef NO_CONSUMER_FENCE
			CONSUMER_DRAINED;
#endif
			/* mk_ring_sleep_check */
			if
			:: consumed < mem_head -> skip /* a message: do not sleep */
			:: else ->
				/* Asleep until the doorbell, or a spurious wake-up. */
				if
				:: atomic { doorbell == 1 -> doorbell = 0 }
				:: atomic { spurious < SPURIOUS -> spurious++ }
				fi
			fi;
			/* mk_ring_sleep_cancel: exchange (locked). */
			CONSUMER_DRAINED;
			atomic { old = mem_sleeping; mem_sleeping = 0 }
		fi
	od
}
