// Pieces of process.cpp that spawn.cpp and fork_image.cpp make processes with.
#pragma once

#include <proc/process.hpp>

namespace lwk::proc {

void list_add(Process* p);
// What a spawn message says of a new process (pid, ids, cores, clocks ...),
// and its address space.
void init_process(Process* p, const mk_msg_spawn& m, AddressSpace* as);
void reply_spawned(const mk_msg_hdr& req, int error, uint64_t staging, uint64_t pt);
void reply_execed(const mk_msg_hdr& req, int error, const char* why);
// Sends p's end to Linux once its last thread is gone (status as wait(2)).
void start_dying(Process* p, int32_t status);
// The order of the pages a thread's FPU state takes.
unsigned fpu_order();
// A thread of p that enters user mode with this frame when first run (the
// main one takes the pid as its tid).
Thread* new_thread(Process* p, const arch::InterruptFrame& frame, bool main);
// The core of p's with the fewest threads.
uint32_t pick_core(Process* p);

} // namespace lwk::proc
