// LWK processes and threads. A process is created for one mkexec (its pid
// is mkexec's) on a set of LWK cores; its threads run on those cores.
#pragma once

#include <proc/address_space.hpp>
#include <proc/stack.hpp>

#include <mk/proc.h>

#include <lib/spinlock.hpp>
#include <arch/interrupts.hpp>
#include <lib/result.hpp>

#include <cstdint>

namespace lwk::proc {

struct Process;

// A signal as the LWK keeps it until delivery (the siginfo_t fields used).
struct SigInfo {
    int32_t signo;
    int32_t code;     // si_code: SI_USER, SI_TKILL, SI_QUEUE, SI_KERNEL, or a fault's
    int32_t pid;      // the sender (kill, queue)
    uint32_t uid;
    uint64_t value;   // SI_QUEUE: si_value; a fault: si_addr
    uint64_t ip;      // a fault: where
    uint64_t vector;  // a fault: the exception, and its error code
    uint64_t error;
    bool fault;       // raised by a fault (value, ip, vector, error valid)
};

struct Thread {
    int32_t tid;
    Process* proc;
    uint32_t core;
    uint64_t kstack_phys;    // KSTACK_ORDER pages
    uint64_t kstack_top;     // virtual
    uint64_t saved_rsp;      // while not running
    // Changed under the core's rq_lock (sched::wake_up), read by its loop.
    enum class State : uint32_t { runnable, blocked, dead };
    volatile State state;
    volatile bool killed;    // the process is ending: never return to user mode
    Thread* rq_next;         // the core's ring of threads
    uint32_t move_to;        // sched_setaffinity: the core it goes to when it next leaves this one
    Thread* proc_next;       // the process's list (under Process::lock)
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
    // Lent to mk.ko while it waits in a forwarded call holding its address
    // space's lock (proc/cow.cpp): the shared page mkexec writes (0: none),
    // and the MK_MSG_COW's seq and core; a reply that came meanwhile.
    uint64_t lent_va;
    uint32_t lent_seq, lent_core;
    bool early;
    int64_t early_result;
    Thread* lock_next;       // waiting for a sched::Mutex
    // A futex wait: the queue it is on (futex.cpp), its key and bitset.
    Thread* futex_next;
    const void* futex_space; // with futex_key: what it waits on (syscall/futex.cpp)
    uint64_t futex_key;
    uint32_t futex_bitset;
    bool futex_queued;
    // The FPU/SSE/AVX state while another thread has the registers (XSAVE area).
    void* fpu;
    // Signals (proc/signal): blocked, pending for this thread alone (and
    // what came with each), the mask rt_sigsuspend replaced, the set
    // rt_sigtimedwait waits for, and the last forwarded call Linux was
    // asked to interrupt. Under Process::lock.
    uint64_t sigmask;
    uint64_t sig_pending;
    SigInfo sig_info[64];
    uint64_t saved_sigmask;
    bool restore_sigmask;
    uint64_t sigwait_set;
    uint32_t interrupt_seq;
    uint64_t altstack_sp, altstack_size;
    uint32_t altstack_flags;
    // CPU time in TSC ticks (proc/cputime): on a core in all, in its system
    // calls, and when it went on its core this time (0: off it).
    uint64_t run_tsc, sys_tsc, on_since;
};

// Thread::wait_type beyond the message types: waits a kill must not cut
// short (a lock is handed over; Linux always answers an unmap).
// WAIT_FUTEX, WAIT_SIGNAL (pause, rt_sigsuspend, rt_sigtimedwait) and 0
// (nanosleep) end early, with EINTR, for a signal.
constexpr uint16_t WAIT_LOCK = 0x100, WAIT_FUTEX = 0x101, WAIT_SIGNAL = 0x102;

constexpr unsigned KSTACK_ORDER = 2; // 16 KiB

struct SigAction {
    uint64_t handler, flags, restorer, mask;
};

// A fork's child on the LWK (mkexec --fork=same|free), as the forking
// thread made it: a copy of the address space, that thread's registers
// (rax 0), FPU state, thread pointer and signal state. It waits in the
// parent (Process::fork_image) until a child of mkexec's spawns the child
// process from it (MK_SPAWN_MSG_FORK), or the fork gives up (fork_image.cpp).
struct ForkImage {
    uint32_t number;             // the fork's (mk_fork_state.lwk_image)
    AddressSpace* as;
    arch::InterruptFrame frame;
    uint64_t fpu_phys;
    uint64_t fs_base;
    uint64_t flags, child_tid;   // clone flags (CLONE_CHILD_SETTID/CLEARTID), the word
    uint64_t sigmask;
    uint64_t altstack_sp, altstack_size;
    uint32_t altstack_flags;
    SigAction actions[64];       // the signal dispositions at the call
};

struct Process {
    int32_t pid, ppid;
    uint32_t uid, gid;
    uint64_t cores;          // LWK core indices it may use
    AddressSpace* as;
    Thread* main;
    // Its threads: the list and the count of those not yet freed. The last
    // one freed ends the process (with group_status if exit_group or a kill
    // ended it, else with the last thread's exit status).
    Spinlock lock;
    Thread* threads;
    uint32_t nr_threads;
    uint32_t tids_made;
    bool exiting;
    int32_t last_status;     // the last exit() (exit_status: exit_group's or the kill's)
    bool staging_dropped;    // Linux let go of the staging area: free it
    enum class State { created, running, dying } state;
    int32_t exit_status;     // as wait(2) encodes it
    uint64_t staging, staging_bytes;
    uint64_t stack_limit;
    // Linux's clocks: CLOCK_MONOTONIC/REALTIME at clock_tsc.
    uint64_t clock_tsc, clock_mono_ns, clock_real_ns;
    uint64_t start_ticks;    // mkexec's start, in clock ticks since boot (/proc/<pid>/stat)
    char uname[6][65];
    char path[256];          // as mkexec found it (AT_EXECFN)
    char exe[256];           // its absolute path (/proc/self/exe)
    char interp[128];        // its ELF interpreter's path, if it has one
    // Where its arguments, environment and auxiliary vector are (the
    // stack's layout), and a copy of the vector (/proc/<pid>/auxv).
    StackLayout stack;
    uint64_t auxv[48];
    uint32_t auxv_bytes;
    SigAction actions[64];   // under lock
    uint64_t start_sigmask;  // the main thread's blocked signals at the start (inherited)
    uint64_t shared_pending; // signals for any of its threads (under lock)
    SigInfo shared_info[64];
    // Real-time signals sent again while pending (for a thread, or tid 0:
    // the process), in order; more than RT_QUEUE at once are dropped.
    static constexpr uint32_t RT_QUEUE = 32;
    struct QueuedSignal {
        int32_t tid;
        SigInfo info;
    } rt_queue[RT_QUEUE];
    uint32_t rt_queued;
    uint32_t unmap_seq;      // the MK_MSG_UNMAP that must be acknowledged before freeing
    uint32_t fault;          // enum mk_exit_fault: how it ended, at fault_addr, fault_ip
    uint64_t fault_addr, fault_ip;
    uint64_t gone_run_tsc, gone_sys_tsc; // the CPU time of its ended threads (under lock)
    // Another process's system call using this one (process_vm_readv):
    // its memory is freed only when the last such user is done (under the
    // list's lock).
    uint32_t users;
    bool free_when_unused;
    uint64_t serial;         // unique among the processes this LWK ever had
    // Processes whose memory Linux allowed this one to read and write
    // (process_vm_readv/writev's ptrace check), by pid and serial (under lock).
    struct Peer {
        int32_t pid;
        uint64_t serial;
    } vm_peers[8];
    // Descriptors it opened on its /proc/<pid>/task directory (Linux's,
    // which lists mkexec's threads): getdents64 of one lists the LWK's
    // threads instead. By descriptor and the directory's inode (0: unused),
    // under lock.
    struct TaskDir {
        int32_t fd;
        uint64_t ino;
    } task_dirs[4];
    uint32_t task_dirs_made;
    // Its forks make children on the LWK (MK_SPAWN_MSG_FORK_LWK), and the
    // one being made now (under lock).
    bool fork_lwk;
    ForkImage* fork_image;
    uint32_t fork_images_made;
    Process* next;
};

Process* find(int32_t pid);
// A running process by pid, which stays (its memory too) until put(); or nullptr.
Process* get(int32_t pid);
void put(Process* p);
// Debug (a hostile LWK, on purpose): points every process's user page
// tables at Linux's memory (physical page 0x1000).
void corrupt_page_tables();

// The control messages from Linux (in the core loop).
void spawn(const mk_msg_spawn& m);
void exec(const mk_msg_exec& m);
void kill(const mk_msg_kill& m);
// Linux dropped its view of a dying process's memory: free it, report the exit.
void unmapped(const mk_msg_unmap& m);
// MK_MSG_FLUSH: mk.ko took pages of a tracked mapping out (tracked.cpp).
void flush_from_linux(const mk_msg_flush& m);
// MK_MSG_COW (cow.cpp); and what a thread lent to it does.
void cow_from_linux(const mk_msg_cow& m);
void serve_lent(Thread* t);

// The process ends with this wait(2) status (exit_group, or a signal):
// every thread is killed; the calling one never returns.
[[noreturn]] void exit_process(int32_t status);
// The calling thread's process ends with a signal that dumps core (a
// fault, abort): mkexec reports where (kind: enum mk_exit_fault).
[[noreturn]] void fault_process(int signal, uint32_t kind, uint64_t addr, uint64_t ip);
// The calling thread ends (exit): its CLONE_CHILD_CLEARTID word is cleared
// and woken; the last thread's end is the process's, with this status.
[[noreturn]] void exit_thread(int32_t status);
// A new thread of the calling one's process (clone): it starts in user mode
// at the caller's frame with rax 0, on stack sp (0: the caller's) and tls.
// The tid is written at parent_tid_addr and child_tid_addr (if not 0)
// before the thread runs; clear_tid_addr is its CLONE_CHILD_CLEARTID word.
Result<int32_t> clone_thread(const arch::InterruptFrame& parent, uint64_t sp, bool set_tls, uint64_t tls,
    uint64_t clear_tid_addr, uint64_t parent_tid_addr, uint64_t child_tid_addr);
// Kills every thread of p (from any core); the last one freed ends it.
void kill_threads(Process* p, int32_t status);
// The core's loop frees a thread that will not run again; the process's
// last thread going ends it.
void free_thread(Thread* t);
// Frees the staging area once Linux has let go of it (from a thread).
void free_staging(Process* p);

// fork on the LWK (fork_image.cpp). The calling thread's process gets an
// image of its child (under the address space's lock, which the caller
// holds until the fork is over); drop_fork_image frees it unless a spawn
// took it. Errno::NOMEM: no memory, or a mapping the child cannot share
// (a tracked file mapping).
// Its number (never 0).
Result<uint32_t> make_fork_image(const arch::InterruptFrame& frame, uint64_t flags, uint64_t sp, uint64_t tls,
    uint64_t child_tid);
void drop_fork_image(Process* p);
// MK_MSG_SPAWN with MK_SPAWN_MSG_FORK: the child process, from image
// m.fork_image of process m.fork_of, started at once.
void spawn_forked(const mk_msg_spawn& m);

} // namespace lwk::proc
