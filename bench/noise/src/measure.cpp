#include "measure.hpp"

#include "benchmarks.hpp"
#include "irqs.hpp"
#include "spin_barrier.hpp"
#include "work.hpp"

#include <algorithm>
#include <cstring>
#include <pthread.h>
#include <sched.h>
#include <thread>

namespace mk::noise {
namespace {

// Benchmarks start this long after the last thread reaches the barrier, the
// same TSC instant on every CPU.
// (Room for each thread to read its CPU's interrupt count first.)
constexpr double start_margin_s = 0.05;

struct Run {
    const Options& opt;
    double tsc_hz;
    SpinBarrier barrier;
    uint64_t start = 0; // written by the releasing thread
    bool pin_failed = false; // idem
    std::vector<int> pin_errors;

    void sync_start()
    {
        barrier.arrive_and_wait(
            [this] { start = mk_tsc_begin() + static_cast<uint64_t>(start_margin_s * tsc_hz); });
    }
};

int pin_to(unsigned cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

// The interrupts a CPU took while measure() ran (-1 if not known).
template <typename Measure> int64_t count_irqs(unsigned cpu, Measure&& measure)
{
    int64_t before = irq_count(cpu);
    measure();
    int64_t after = irq_count(cpu);
    return before >= 0 && after >= before ? after - before : -1;
}

template <typename Work> void run_core(Run& run, Work& work, CoreSamples& core)
{
    const Options& opt = run.opt;
    if (opt.fwq) {
        core.fwq.assign(opt.fwq_samples, 0);
        run.sync_start();
        core.irqs_fwq = count_irqs(core.cpu, [&] { run_fwq(work, opt.fwq_work_log2, run.start, core.fwq); });
    }
    if (opt.ftq) {
        core.ftq.assign(opt.ftq_windows, 0);
        uint64_t window = static_cast<uint64_t>(opt.ftq_window_us * run.tsc_hz / 1e6);
        run.sync_start();
        core.irqs_ftq = count_irqs(
            core.cpu, [&] { run_ftq(work, opt.ftq_unit_log2, run.start, window, core.ftq); });
    }
    if (opt.selfish) {
        core.selfish_min_loop = selfish_min_loop(selfish_calibration_loops);
        uint64_t threshold =
            std::max(detour_threshold(core.selfish_min_loop, opt.selfish_threshold_pct),
                static_cast<uint64_t>(opt.selfish_floor_us * run.tsc_hz / 1e6));
        core.selfish.emplace(0, threshold, opt.max_detours);
        run.sync_start();
        core.selfish->set_origin(run.start);
        uint64_t length = static_cast<uint64_t>(opt.selfish_seconds * run.tsc_hz);
        core.irqs_selfish = count_irqs(core.cpu, [&] {
            core.selfish_ticks = run_selfish(*core.selfish, run.start, run.start + length) - run.start;
        });
    }
}

void core_thread(Run& run, size_t index, CoreSamples& core)
{
    int err = pin_to(core.cpu);
    run.pin_errors[index] = err;
    run.barrier.arrive_and_wait([&run] {
        for (int e : run.pin_errors)
            run.pin_failed |= e != 0;
    });
    if (run.pin_failed)
        return;
    // The work's memory is allocated and touched by this thread, on its CPU.
    if (run.opt.work == WorkKind::memory) {
        MemoryWork work(run.opt.working_set);
        work(work.bytes() / MemoryWork::line);
        run_core(run, work, core);
    } else {
        RegisterWork work;
        run_core(run, work, core);
    }
}

} // namespace

std::vector<CoreSamples> measure(const Options& opt, double tsc_hz)
{
    std::vector<CoreSamples> cores(opt.cpus.size());
    Run run{opt, tsc_hz, SpinBarrier(static_cast<unsigned>(cores.size())), 0, false,
        std::vector<int>(cores.size(), 0)};
    std::vector<std::thread> threads;
    for (size_t i = 0; i < cores.size(); ++i) {
        cores[i].cpu = opt.cpus[i];
        threads.emplace_back(core_thread, std::ref(run), i, std::ref(cores[i]));
    }
    for (auto& t : threads)
        t.join();
    for (size_t i = 0; i < cores.size(); ++i)
        if (run.pin_errors[i])
            throw mk::Error("cannot run on CPU " + std::to_string(cores[i].cpu) + ": " +
                    std::strerror(run.pin_errors[i]) + " (is it online and allowed?)",
                run.pin_errors[i]);
    return cores;
}

} // namespace mk::noise
