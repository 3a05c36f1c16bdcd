#include "servers.hpp"

#include "forward.hpp"

#include <mk/error.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace mkexec {

Servers::Worker* Servers::take(int32_t tid)
{
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
    return w;
}

void Servers::serve(Worker* w)
{
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
        long ret = perform(ev);
        if (trace_)
            std::fprintf(stderr, "mkexec: [%d] syscall %llu (%#llx, %#llx, %#llx, %#llx, %#llx, %#llx) = %ld\n",
                ev.tid, static_cast<unsigned long long>(ev.nr),
                static_cast<unsigned long long>(ev.args[0]), static_cast<unsigned long long>(ev.args[1]),
                static_cast<unsigned long long>(ev.args[2]), static_cast<unsigned long long>(ev.args[3]),
                static_cast<unsigned long long>(ev.args[4]), static_cast<unsigned long long>(ev.args[5]), ret);
        try {
            proc_.reply(ev, ret);
        } catch (const mk::Error& e) {
            std::fprintf(stderr, "mkexec: %s\n", e.what());
            std::_Exit(125);
        }
        std::lock_guard<std::mutex> g(idle_m_);
        idle_.push_back(w);
    }
}

mk_proc_event Servers::run()
{
    for (;;) {
        mk_proc_event ev = proc_.wait();
        if (ev.kind == MK_PROC_EVENT_EXIT)
            return ev;
        Worker* w = take(ev.tid);
        {
            std::lock_guard<std::mutex> g(w->m);
            w->call = ev;
        }
        w->cv.notify_one();
    }
}

} // namespace mkexec
