// mk-ring-bench: the mk ring's one-way latency and throughput between two
// cores, side by side in one run with the cache-line floor, Boost.Lockfree
// spsc_queue and an eventfd ping-pong. See docs/ring.md.
#include "cpus.hpp"
#include "methods.hpp"
#include "options.hpp"
#include "report.hpp"

#include <mk/error.hpp>
#include <mk/topology.hpp>

#include <cstdio>
#include <functional>
#include <iostream>

using namespace ringbench;

namespace {

using LatencyFn = std::function<std::vector<uint64_t>(const CpuPair&, const LatencyPlan&)>;
using StreamFn = std::function<uint64_t(const CpuPair&, uint64_t)>;

struct LatencyMethod {
    LatencyResult result;
    LatencyFn run;
    bool slow; // eventfd: fewer blocks
};

struct StreamMethod {
    StreamResult result;
    StreamFn run;
};

template <class Method> const auto& find(const std::vector<Method>& ms, const std::string& name)
{
    for (const auto& m : ms)
        if (m.result.name == name)
            return m.result;
    throw mk::Error("no method " + name);
}

void print_method(const Options& o, const CpuChoice& choice, const TscCalibration& tsc)
{
    const CpuPair& c = choice.cpus;
    std::printf("mk ring benchmark\n");
    std::printf("cpus: %s\n", choice.description.c_str());
    std::printf("tsc: %.4f GHz, calibrated against CLOCK_MONOTONIC over %.0f ms; invariant "
                "(constant_tsc, nonstop_tsc): %s\n",
        tsc.cycles_per_ns, tsc.window_ms, tsc.invariant ? "yes" : "NO: cycles are not time");
    std::printf(
        "method: one thread pinned to each CPU; all waits are busy polls (no pause).\n"
        "  latency: ping-pong, CPU %u sends, CPU %u answers with the same payload; one-way =\n"
        "    round trip / 2. CPU %u times blocks of %zu round trips with rdtscp (a sample is a\n"
        "    block's mean); %zu blocks per method per round (eventfd %zu), after %zu warm-up\n"
        "    round trips; samples of all rounds pooled.\n"
        "  throughput: CPU %u streams %llu messages of %u B to CPU %u, which checks every\n"
        "    sequence number; time from the start to the last message; median of the rounds.\n"
        "  %u rounds; each runs every method once, in an order rotated every round. Ratios:\n"
        "    the median over the rounds of the ratio within a round.\n"
        "  mk ring: %u slots of %u B (8 B header word + payload, so 56 B fit one cache line);\n"
        "  spsc_queue: %zu elements of 64 B, each one aligned cache line.\n\n",
        c.a, c.b, c.a, o.block, o.samples, o.eventfd_samples, o.warmup, c.a,
        (unsigned long long)o.messages, stream_payload, c.b, o.rounds, ring_slots, ring_slot_size,
        spsc_capacity);
    std::fflush(stdout);
}

int run(const Options& o)
{
    CpuChoice choice = choose_cpus(mk::system_topology(), o.cpus);
    const CpuPair cpus = choice.cpus;
    TscCalibration tsc{mk_tsc_ticks_per_ns(1, 200), 200, mk_tsc_features().invariant};
    DoorbellCount bells;

    auto ring = [&](uint32_t payload, bool in_place) -> LatencyFn {
        return [&bells, payload, in_place](const CpuPair& c, const LatencyPlan& p) {
            return ring_round_trips(c, p, payload, in_place, bells);
        };
    };
    std::vector<LatencyMethod> lat = {
        {{"floor", "floor: one line, both write", 8, 1, {}}, floor_round_trips, false},
        {{"floor_cas", "floor: one line, CAS by both", 8, 1, {}}, floor_cas_round_trips, false},
        {{"floor_2lines", "floor: two lines, one writer each", 8, 1, {}},
            floor_two_lines_round_trips, false},
        {{"bare_ring", "bare ring: mk layout, no code", 56, 1, {}}, bare_ring_round_trips, false},
        {{"ring_inplace_56", "mk ring in place, 1 line", 56, 1, {}}, ring(56, true), false},
        {{"ring_copy_56", "mk ring send/recv, 1 line", 56, 1, {}}, ring(56, false), false},
        {{"ring_inplace_64", "mk ring in place, 2 lines", 64, 1, {}}, ring(64, true), false},
        {{"ring_copy_64", "mk ring send/recv, 2 lines", 64, 1, {}}, ring(64, false), false},
        {{"spsc_queue", "boost spsc_queue", 64, 1, {}}, spsc_round_trips, false},
        {{"eventfd", "eventfd ping-pong (Linux)", 8, 1, {}}, eventfd_round_trips, true},
    };
    for (auto& m : lat)
        m.result.block = o.block;

    const std::string b = std::to_string(o.batch);
    auto stream = [&](const char* name, std::string label, uint32_t batch, StreamFn fn) {
        return StreamMethod{{name, std::move(label), stream_payload, batch, o.messages, {}}, fn};
    };
    std::vector<StreamMethod> tput = {
        stream("ring_send", "mk ring, send/recv per message", 1,
            [&](const CpuPair& c, uint64_t n) { return ring_stream(c, n, 1, bells); }),
        stream("ring_batch", "mk ring, commit_batch " + b + " / drain", o.batch,
            [&](const CpuPair& c, uint64_t n) { return ring_stream(c, n, o.batch, bells); }),
        stream("spsc_push", "boost spsc_queue, push/pop per message", 1,
            [](const CpuPair& c, uint64_t n) { return spsc_stream(c, n, 1); }),
        stream("spsc_bulk", "boost spsc_queue, push " + b + " / consume_all", o.batch,
            [&](const CpuPair& c, uint64_t n) { return spsc_stream(c, n, o.batch); }),
    };

    print_method(o, choice, tsc);
    for (unsigned round = 0; round < o.rounds; ++round) {
        for (size_t k = 0; k < lat.size(); ++k) {
            auto& m = lat[(k + round) % lat.size()];
            LatencyPlan plan{m.slow ? o.warmup / 100 : o.warmup,
                m.slow ? o.eventfd_samples : o.samples, o.block};
            m.result.rounds.push_back(m.run(cpus, plan));
        }
        for (size_t k = 0; k < tput.size(); ++k) {
            auto& m = tput[(k + round) % tput.size()];
            m.result.cycles.push_back(m.run(cpus, o.messages));
        }
    }

    std::vector<LatencyResult> lat_results;
    for (const auto& m : lat)
        lat_results.push_back(m.result);
    std::vector<StreamResult> tput_results;
    for (const auto& m : tput)
        tput_results.push_back(m.result);
    print_latency(lat_results, tsc);
    std::printf("\n");
    print_throughput(tput_results, tsc);
    std::printf("\nmk ring doorbells: %llu notification decisions (flushes), %llu said \"notify "
                "now\" (every receiver polled)\n",
        (unsigned long long)bells.flushes, (unsigned long long)bells.notify);
    if (!o.csv_dir.empty()) {
        write_csv(o.csv_dir, lat_results, tput_results, tsc);
        std::printf("csv: %s/{latency_samples,latency,throughput}.csv\n", o.csv_dir.c_str());
    }

    // Ratios are taken round by round, between methods that ran a few
    // milliseconds apart, and the median over the rounds is reported: on a
    // shared or virtual machine the cost of a cache-line transfer changes
    // over seconds (the hypervisor moves virtual CPUs), and a ratio within a
    // round is not disturbed by that.
    auto lat_ratio = [&](const char* num, const char* den) {
        auto a = find(lat, num).round_p50s(), b = find(lat, den).round_p50s();
        std::vector<double> r;
        for (size_t k = 0; k < a.size(); ++k)
            r.push_back(a[k] / b[k]);
        return median(r);
    };
    auto tput_ratio = [&](const char* num, const char* den) {
        auto a = find(tput, num).rates(tsc), b = find(tput, den).rates(tsc);
        std::vector<double> r;
        for (size_t k = 0; k < a.size(); ++k)
            r.push_back(a[k] / b[k]);
        return median(r);
    };
    double lat_headline = lat_ratio("ring_inplace_56", "floor");
    double tput_headline = tput_ratio("ring_send", "spsc_push");
    std::printf("\nratios (median over the %u rounds of the ratio within each round):\n", o.rounds);
    std::printf(
        "  p50 latency  mk ring in place, 1 line / floor            %5.2f  (target <= 1.25: %s)\n",
        lat_headline, lat_headline <= 1.25 ? "met" : "NOT met");
    std::printf("  p50 latency  mk ring send/recv, 1 line / floor           %5.2f\n",
        lat_ratio("ring_copy_56", "floor"));
    std::printf("  p50 latency  CAS floor / floor                           %5.2f\n",
        lat_ratio("floor_cas", "floor"));
    std::printf("  p50 latency  two-line floor / floor                      %5.2f\n",
        lat_ratio("floor_2lines", "floor"));
    std::printf("  p50 latency  bare ring / floor                           %5.2f\n",
        lat_ratio("bare_ring", "floor"));
    std::printf("  p50 latency  mk ring in place, 1 line / two-line floor   %5.2f\n",
        lat_ratio("ring_inplace_56", "floor_2lines"));
    std::printf("  p50 latency  mk ring in place, 1 line / bare ring        %5.2f\n",
        lat_ratio("ring_inplace_56", "bare_ring"));
    std::printf("  p50 latency  mk ring send/recv 64 B / spsc_queue 64 B    %5.2f\n",
        lat_ratio("ring_copy_64", "spsc_queue"));
    std::printf(
        "  throughput   mk ring / spsc_queue, one per operation     %5.2f  (target >= 1.00: %s)\n",
        tput_headline, tput_headline >= 1.0 ? "met" : "NOT met");
    std::printf("  throughput   mk ring / spsc_queue, batches of %-3u        %5.2f\n", o.batch,
        tput_ratio("ring_batch", "spsc_bulk"));
    std::printf("  doorbells on the fast path: %llu  (target 0: %s)\n",
        (unsigned long long)bells.notify, bells.notify == 0 ? "met" : "NOT met");
    std::printf("ring/floor p50 latency ratio: %.2f\n", lat_headline);
    std::printf("ring/spsc throughput ratio: %.2f\n", tput_headline);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    try {
        auto o = parse_options(argc, argv);
        return o ? run(*o) : 0;
    } catch (const std::exception& e) {
        std::cerr << "mk-ring-bench: " << e.what() << "\n";
        return 1;
    }
}
