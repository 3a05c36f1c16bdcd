#include "servers.hpp"

#include "arguments.hpp"
#include "forward.hpp"
#include "signals.hpp"

#include <mk/cpulist.hpp>
#include <mk/error.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <pthread.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <sys/syscall.h>
#include <unistd.h>

namespace mkexec {

namespace {

// The path a call names (which argument, -1 for none), for --trace.
int path_argument(uint64_t nr)
{
    switch (nr) {
    case SYS_open: case SYS_stat: case SYS_lstat: case SYS_access: case SYS_execve:
    case SYS_chdir: case SYS_readlink: case SYS_mkdir: case SYS_unlink: case SYS_rmdir:
        return 0;
    case SYS_openat: case SYS_newfstatat: case SYS_faccessat: case SYS_faccessat2:
    case SYS_readlinkat: case SYS_statx: case SYS_execveat: case SYS_mkdirat: case SYS_unlinkat:
        return 1;
    default:
        return -1;
    }
}

// The string at addr in the program's memory, read without trusting it.
std::string program_string(uint64_t addr)
{
    char buf[256];
    size_t want = 4096 - (addr & 4095); // first within its page: the next may be unmapped
    if (want > sizeof buf)
        want = sizeof buf;
    if (!fetch_program(buf, addr, want))
        return "<unreadable>";
    size_t len = strnlen(buf, want);
    if (len == want && want < sizeof buf && fetch_program(buf, addr, sizeof buf))
        len = strnlen(buf, sizeof buf);
    return std::string(buf, len);
}

// One line per forwarded call: number, arguments, result, and the path it names.
void trace(const mk_proc_event& ev, long ret)
{
    std::string path;
    if (int a = path_argument(ev.nr); a >= 0)
        path = " \"" + program_string(ev.args[a]) + "\"";
    std::fprintf(stderr, "mkexec: [%d] syscall %llu (%#llx, %#llx, %#llx, %#llx, %#llx, %#llx) = %ld%s\n",
        ev.tid, static_cast<unsigned long long>(ev.nr), static_cast<unsigned long long>(ev.args[0]),
        static_cast<unsigned long long>(ev.args[1]), static_cast<unsigned long long>(ev.args[2]),
        static_cast<unsigned long long>(ev.args[3]), static_cast<unsigned long long>(ev.args[4]),
        static_cast<unsigned long long>(ev.args[5]), ret, path.c_str());
}

} // namespace


Servers::Worker* Servers::take(const mk_proc_event& call)
{
    int32_t tid = call.tid;
    std::lock_guard<std::mutex> g(idle_m_);
    Worker* w = nullptr;
    auto last = last_.find(tid);
    auto it = last == last_.end() ? idle_.end() : std::find(idle_.begin(), idle_.end(), last->second);
    if (it == idle_.end() && !idle_.empty())
        it = idle_.end() - 1;
    if (it != idle_.end()) {
        w = *it;
        idle_.erase(it);
    } else {
        workers_.push_back(std::make_unique<Worker>());
        w = workers_.back().get();
        w->thread = std::thread([this, w] { serve(w); });
    }
    last_[tid] = w;
    begin(w, call);
    return w;
}

// Under idle_m_: w performs call now (an interrupt may have come first).
void Servers::begin(Worker* w, const mk_proc_event& call)
{
    w->busy = true;
    w->tid = call.tid;
    w->seq = call.seq;
    auto early = early_.find(call.tid);
    w->interrupt = early != early_.end() && early->second == call.seq;
    if (early != early_.end())
        early_.erase(early);
    if (w->interrupt)
        interrupts_cv_.notify_one();
}

void Servers::interrupt(int32_t tid, uint32_t seq)
{
    std::lock_guard<std::mutex> g(idle_m_);
    for (auto& w : workers_)
        if (w->busy && w->tid == tid && w->seq == seq) {
            w->interrupt = true;
            interrupts_cv_.notify_one();
            return;
        }
    early_[tid] = seq; // the call is still on its way to a server (or done)
}

void Servers::interrupter()
{
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    std::unique_lock<std::mutex> g(idle_m_);
    auto pending = [this] {
        for (auto& w : workers_)
            if (w->busy && w->interrupt)
                return true;
        return false;
    };
    for (;;) {
        interrupts_cv_.wait(g, pending);
        for (auto& w : workers_)
            if (w->busy && w->interrupt)
                pthread_kill(w->thread.native_handle(), interrupt_signal());
        // Again soon, if a signal came before the call began.
        interrupts_cv_.wait_for(g, std::chrono::milliseconds(2));
    }
}

std::optional<cpu_set_t> server_cpus(const std::string& option)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (option == "any")
        return std::nullopt;
    if (!option.empty()) {
        for (unsigned c : mk::parse_cpulist(option, CPU_SETSIZE))
            CPU_SET(c, &set);
        return set;
    }
    std::optional<unsigned> cpu = doorbell_cpu();
    cpu_set_t mine;
    if (!cpu || sched_getaffinity(0, sizeof mine, &mine) != 0 || !CPU_ISSET(*cpu, &mine))
        return std::nullopt;
    CPU_SET(*cpu, &set);
    return set;
}

std::optional<unsigned> doorbell_cpu()
{
    std::ifstream in("/sys/kernel/mk/doorbell_cpu");
    unsigned cpu;
    if (!(in >> cpu) || cpu >= CPU_SETSIZE)
        return std::nullopt;
    return cpu;
}

bool Servers::take_polling()
{
    bool expected = false;
    if (!poll_cpu_ || !polling_.compare_exchange_strong(expected, true))
        return false;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(*poll_cpu_, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    return true;
}

void Servers::give_polling()
{
    const cpu_set_t& back = cpus_ ? *cpus_ : own_cpus_;
    pthread_setaffinity_np(pthread_self(), sizeof back, &back);
    polling_.store(false);
}

void Servers::serve(Worker* w)
{
    if (cpus_)
        pthread_setaffinity_np(pthread_self(), sizeof *cpus_, &*cpus_); // a preference, not a need
    for (;;) {
        mk_proc_event ev;
        {
            std::unique_lock<std::mutex> g(w->m);
            w->cv.wait(g, [w] { return w->call || w->stop; });
            if (w->stop)
                return;
            ev = *w->call;
            w->call.reset();
        }
        // This thread's calls, one after another, until it goes quiet.
        const bool polls = take_polling();
        for (;;) {
            long ret = perform(proc_, ev);
            {
                std::lock_guard<std::mutex> g(idle_m_);
                w->busy = false;
                w->interrupt = false;
            }
            if (trace_)
                trace(ev, ret);
            std::optional<mk_proc_event> next;
            try {
                next = proc_.reply_and_serve(ev, ret, IDLE_MS, polls);
            } catch (const mk::Error& e) {
                std::fprintf(stderr, "mkexec: %s\n", e.what());
                std::_Exit(125);
            }
            if (!next)
                break;
            ev = *next;
            std::lock_guard<std::mutex> g(idle_m_);
            begin(w, ev);
        }
        if (polls)
            give_polling();
        std::lock_guard<std::mutex> g(idle_m_);
        idle_.push_back(w);
    }
}

mk_proc_event Servers::run()
{
    // The program's signals stay blocked (the relay reads them from a
    // signalfd); servers inherit this mask, with interrupt_signal() open.
    // The dispatcher too takes what the doorbell brings (unmaps, first calls).
    if (cpus_)
        pthread_setaffinity_np(pthread_self(), sizeof *cpus_, &*cpus_);
    interrupter_ = std::thread([this] { interrupter(); });
    interrupter_.detach(); // lives as long as mkexec (see the class)
    for (;;) {
        mk_proc_event ev = proc_.wait();
        if (ev.kind == MK_PROC_EVENT_EXIT)
            return ev;
        if (ev.kind == MK_PROC_EVENT_INTERRUPT) {
            interrupt(ev.tid, ev.seq);
            continue;
        }
        if (ev.kind != MK_PROC_EVENT_SYSCALL)
            continue;
        Worker* w = take(ev);
        {
            std::lock_guard<std::mutex> g(w->m);
            w->call = ev;
        }
        w->cv.notify_one();
    }
}

} // namespace mkexec
