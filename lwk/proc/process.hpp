// LWK processes and threads. A process is created for one mkexec (its pid
// is mkexec's) on a set of LWK cores; its threads run on those cores.
#pragma once

#include <proc/address_space.hpp>

#include <mk/proc.h>

#include <lib/spinlock.hpp>

#include <cstdint>

namespace lwk::proc {

struct Process;

struct Thread {
    int32_t tid;
    Process* proc;
    uint32_t core;
    uint64_t kstack_phys;    // KSTACK_ORDER pages
    uint64_t kstack_top;     // virtual
    uint64_t saved_rsp;      // while not running
    enum class State { runnable, blocked, dead } state;
    uint64_t fs_base;
    uint64_t clear_child_tid;
    uint64_t robust_list, robust_list_len;
    // A message from Linux this thread waits for (a reply, an unmap), and/or
    // a TSC value to wake up at (0: none).
    uint64_t wake_tsc;
    uint16_t wait_type;
    uint32_t wait_seq;
    int64_t wait_result;
    uint32_t next_seq;
    // Signals, kept for the program's own calls (delivery: see syscall/signal).
    uint64_t sigmask;
    uint64_t altstack_sp, altstack_size;
    uint32_t altstack_flags;
};

constexpr unsigned KSTACK_ORDER = 2; // 16 KiB

struct SigAction {
    uint64_t handler, flags, restorer, mask;
};

struct Process {
    int32_t pid, ppid;
    uint32_t uid, gid;
    uint64_t cores;          // LWK core indices it may use
    AddressSpace* as;
    Thread* main;
    enum class State { created, running, dying } state;
    int32_t exit_status;     // as wait(2) encodes it
    uint64_t staging, staging_bytes;
    uint64_t stack_limit;
    // Linux's clocks: CLOCK_MONOTONIC/REALTIME at clock_tsc.
    uint64_t clock_tsc, clock_mono_ns, clock_real_ns;
    char uname[6][65];
    char path[256];
    SigAction actions[64];
    uint32_t unmap_seq;      // the MK_MSG_UNMAP that must be acknowledged before freeing
    bool faulted;            // ended by a fault at fault_addr, fault_ip
    uint64_t fault_addr, fault_ip;
    Process* next;
};

Process* find(int32_t pid);

// The control messages from Linux (in the core loop).
void spawn(const mk_msg_spawn& m);
void exec(const mk_msg_exec& m);
void kill(const mk_msg_kill& m);
// Linux dropped its view of a dying process's memory: free it, report the exit.
void unmapped(const mk_msg_unmap& m);

// The process ends with this wait(2) status (from any of its threads).
[[noreturn]] void exit_process(int32_t status);
// The running program took a fault: it ends with the signal Linux would send.
[[noreturn]] void fault_process(int signal, uint64_t addr, uint64_t ip);
void free_thread(Thread* t);

} // namespace lwk::proc
