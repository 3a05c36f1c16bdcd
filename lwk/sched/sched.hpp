// Each core's loop: it is the only reader of the core's inbound channel,
// handles what Linux asks (spawn, exec, replies, kill), and runs the core's
// thread. Threads block by switching back to the loop, which switches to
// them again when what they wait for has come. Tickless: with nothing to do
// the core halts until an interrupt.
#pragma once

#include <cstdint>

namespace lwk::proc {
struct Thread;
}

namespace lwk::sched {

[[noreturn]] void core_loop();

// From a thread: give the core back to the loop until made runnable.
void block();
// From a thread: block until the TSC reaches deadline (or something else
// wakes it: a kill, later a signal).
void sleep_until_tsc(uint64_t deadline);
// Makes a thread runnable on its core (from that core's loop).
void wake(proc::Thread* t);
// The thread is going away without running again (killed).
void forget(proc::Thread* t);
// From an interrupt taken in user mode: let the loop look at its messages.
void preempt_to_loop();
// Reports the thread's process and its memory in the core's boot slot.
void publish(proc::Thread* t);
// The running thread ends; never returns. Its memory is freed by the loop.
[[noreturn]] void exit_thread();

} // namespace lwk::sched
