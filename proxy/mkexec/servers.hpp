// Serving the program's forwarded system calls. A server thread serves one
// LWK thread at a time: after each call it replies and waits for that
// thread's next call in one ioctl (MK_PROC_IOC_SERVE), and mk.ko's doorbell
// hands the call straight to it, so a call wakes one Linux thread, the one
// that performs it. A call that blocks in Linux (a read of a pipe) stalls
// only the LWK thread that made it. The dispatcher takes what no server
// waits for: a thread's first call, or one after its server went idle
// (IDLE_MS without a call), and hands it to an idle server (the one that
// served the thread last, if free) or a new one; and the interrupts and the
// end.
//
// The servers run on the Linux CPU that takes the LWK's doorbell, by
// default (server_cpus): the doorbell's interrupt then wakes a thread on
// its own CPU, with no second interrupt to reach another. With --poll one
// server spins instead of sleeping (MK_SERVE_POLL) on a Linux CPU of its
// own: the LWK then needs no doorbell and Linux wakes nobody.
//
// When the program's thread gets a signal during its call, the LWK asks
// for the call to be interrupted: its server is sent interrupt_signal()
// until the call returns (once may land just before the call starts).
#pragma once

#include "lwk_process.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <sched.h>
#include <thread>
#include <unordered_map>
#include <vector>

namespace mkexec {

// Where the servers run: --serve-cpus's LIST, or for "" the doorbell CPU
// (/sys/kernel/mk/doorbell_cpu) if mkexec may run there, or for "any" (or
// no doorbell CPU) wherever Linux puts them. Throws on a bad LIST.
std::optional<cpu_set_t> server_cpus(const std::string& option);
// The Linux CPU that takes the LWK's doorbell, if mk.ko says.
std::optional<unsigned> doorbell_cpu();

class Servers {
public:
    // Never destroyed while mkexec runs: a server may still be inside a
    // call (a read that never returns) when the program ends.
    // cpus: where the server threads run (nothing: wherever Linux puts
    // them); poll_cpu: with --poll, the Linux CPU where one server spins.
    Servers(LwkProcess& proc, bool trace, std::optional<cpu_set_t> cpus, std::optional<unsigned> poll_cpu)
        : proc_(proc), trace_(trace), cpus_(cpus), poll_cpu_(poll_cpu)
    {
        sched_getaffinity(0, sizeof own_cpus_, &own_cpus_);
    }
    Servers(const Servers&) = delete;
    Servers& operator=(const Servers&) = delete;

    // Serves calls until the program ends; returns how it ended.
    mk_proc_event run();
    // The most server threads that existed at once.
    size_t size() const { return workers_.size(); }

private:
    struct Worker {
        std::thread thread;
        std::mutex m;
        std::condition_variable cv;
        std::optional<mk_proc_event> call;
        bool stop = false;
        // Under idle_m_: the call it performs, and whether to interrupt it.
        bool busy = false;
        int32_t tid = 0;
        uint32_t seq = 0;
        bool interrupt = false;
    };
    // A server waits this long for its thread's next call before it is
    // free for another thread.
    static constexpr unsigned IDLE_MS = 10000;
    Worker* take(const mk_proc_event& call);
    void begin(Worker* w, const mk_proc_event& call);
    void serve(Worker* w);
    void interrupt(int32_t tid, uint32_t seq);
    void interrupter();

    LwkProcess& proc_;
    bool trace_;
    std::optional<cpu_set_t> cpus_;
    // --poll: one server at a time (the first to serve a thread while none
    // does) waits for its thread's calls spinning on poll_cpu_.
    std::optional<unsigned> poll_cpu_;
    cpu_set_t own_cpus_; // mkexec's, for a server that stops polling
    std::atomic<bool> polling_{false};
    bool take_polling();
    void give_polling();
    std::vector<std::unique_ptr<Worker>> workers_;
    std::mutex idle_m_;
    std::vector<Worker*> idle_;
    std::unordered_map<int32_t, Worker*> last_;
    // Interrupts for calls no server has yet (tid -> seq), and the thread
    // that repeats interrupts until the calls return.
    std::unordered_map<int32_t, uint32_t> early_;
    std::condition_variable interrupts_cv_;
    std::thread interrupter_;
};

} // namespace mkexec
