// Serving the program's forwarded system calls: one dispatcher takes the
// calls from the process fd and hands each to a server thread, so a call
// that blocks in Linux (a read of a pipe) stalls only the LWK thread that
// made it. A thread's calls go to the server that last served it when that
// one is free (Linux sees the same thread again); servers are made as
// calls overlap and reused after.
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
    };
    Worker* take(int32_t tid);
    void serve(Worker* w);

    LwkProcess& proc_;
    bool trace_;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::mutex idle_m_;
    std::vector<Worker*> idle_;
    std::unordered_map<int32_t, Worker*> last_;
};

} // namespace mkexec
