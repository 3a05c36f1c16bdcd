#include "pair.hpp"

#include <mk/error.hpp>

#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <string>
#include <thread>

namespace ringbench {
namespace {

void pin_self(unsigned cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    if (err != 0)
        throw mk::Error("cannot run a thread on CPU " + std::to_string(cpu) + ": " +
                std::strerror(err) + " (is it online and in this process's affinity mask?)",
            err);
}

} // namespace

[[gnu::noinline, gnu::cold]] void misdelivered(const char* queue, uint64_t got, uint64_t want)
{
    throw mk::Error(std::string(queue) + " delivered message " + std::to_string(got) + " where " +
        std::to_string(want) + " was due");
}

void run_pair(
    const CpuPair& cpus, const std::function<void()>& first, const std::function<void()>& second)
{
    std::atomic<int> ready{0};
    std::exception_ptr errors[2];
    pair_failed.flag = false;

    auto body = [&](int side, unsigned cpu, const std::function<void()>& work) {
        try {
            pin_self(cpu);
        } catch (...) {
            errors[side] = std::current_exception();
            pair_failed.flag = true;
        }
        // Both threads leave this barrier together, each on its own core.
        ready.fetch_add(1);
        while (ready.load() < 2)
            _mm_pause();
        if (pair_failed.flag)
            return;
        try {
            work();
        } catch (const PairAborted&) {
            // The other thread's error is the one to report.
        } catch (...) {
            errors[side] = std::current_exception();
            pair_failed.flag = true;
        }
    };
    std::thread ta(body, 0, cpus.a, std::cref(first));
    std::thread tb(body, 1, cpus.b, std::cref(second));
    ta.join();
    tb.join();
    for (auto& e : errors)
        if (e)
            std::rethrow_exception(e);
}

} // namespace ringbench
