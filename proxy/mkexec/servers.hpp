// Serving the program's forwarded system calls: one dispatcher takes the
// calls from the process fd and hands each to a server thread, so a call
// that blocks in Linux (a read of a pipe) stalls only the LWK thread that
// made it. A thread's calls go to the server that last served it when that
// one is free (Linux sees the same thread again); servers are made as
// calls overlap and reused after.
//
// When the program's thread gets a signal during its call, the LWK asks
// for the call to be interrupted: its server is sent interrupt_signal()
// until the call returns (once may land just before the call starts).
#pragma once

#include "lwk_process.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace mkexec {

class Servers {
public:
    // Never destroyed while mkexec runs: a server may still be inside a
    // call (a read that never returns) when the program ends.
    Servers(LwkProcess& proc, bool trace) : proc_(proc), trace_(trace) {}
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
    Worker* take(const mk_proc_event& call);
    void serve(Worker* w);
    void interrupt(int32_t tid, uint32_t seq);
    void interrupter();

    LwkProcess& proc_;
    bool trace_;
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
