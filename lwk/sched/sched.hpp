// Each core's loop: it is the only reader of the core's inbound channel,
// handles what Linux asks (spawn, exec, replies, kill), and runs the core's
// threads, round robin among the runnable ones. Threads switch back to the
// loop when they block, yield or exit (no periodic tick, no preemption by
// time); the loop switches to the next. With nothing to run the core halts
// until an interrupt: Linux's doorbell, another core's wake-up IPI, or the
// timer armed for the nearest deadline a thread waits for.
#pragma once

#include <cstdint>

namespace lwk::proc {
struct Thread;
}

namespace lwk::sched {

[[noreturn]] void core_loop();

// A new thread, runnable, joins core's ring (from any core).
void add_thread(proc::Thread* t, uint32_t core);

// From a thread: blocks until woken (wake_up) or, if the caller set one, its
// wake_tsc passes (wait_result -ETIMEDOUT). mark_blocked() first where a
// waker on another core may come before schedule() (futexes): a wake_up
// between the two is not lost.
void mark_blocked(proc::Thread* t);
void schedule();
// mark_blocked + schedule, for waits only this core's loop ends (replies).
void block();
// From a thread: block until the TSC reaches deadline (or something else
// wakes it: a kill, a signal; wait_result says which).
void sleep_until_tsc(uint64_t deadline);
// From any core: a blocked thread becomes runnable with this wait_result;
// false if it was not blocked (somebody else woke it first).
bool wake_up(proc::Thread* t, int64_t result);
// Lends t, blocked in a forwarded call, to unshare the page at va for
// mk.ko (proc/cow.cpp); false if it is not so blocked. reblock_lent: back
// to waiting for its reply, unless the reply came meanwhile (false).
bool lend(proc::Thread* t, uint64_t va, uint32_t seq, uint32_t core);
bool reblock_lent(proc::Thread* t);
// A signal came for t (from any core): a wait a signal ends ends with
// EINTR; a thread in user mode is interrupted (it takes the signal on its
// way back). True, with the call's seq, if t waits for a forwarded call,
// which only Linux can cut short.
bool signal_wake(proc::Thread* t, uint32_t* seq);
// Interrupts core so that it looks at its threads (killed ones leave user mode).
void kick(uint32_t core);
// From a thread: let the core's other runnable threads run first.
void yield();
// From an interrupt taken in user mode: let the loop look at its messages
// and wake-ups; the interrupted thread runs again first if keep_running
// (else the core's runnable threads take their turn: a timer deadline).
void preempt_to_loop(bool keep_running);
// From the core loop: this core runs on the kernel's tables (no address
// space loaded) until it runs a thread again.
void unload_tables();
// Before returning to user mode: a killed thread ends here, and one that
// woke another thread of its core lets the core loop choose who runs.
void return_to_user();
// Reports the thread's process and its memory in the core's boot slot.
void publish(proc::Thread* t);
// From an NMI (`mkctl debug nmi`): logs this core's threads, where each is
// in its program and what it waits for. Reads without locks (it may be
// torn, never blocks).
void log_threads();
// The running thread ends; never returns. The loop frees it.
[[noreturn]] void exit_thread();

} // namespace lwk::sched
