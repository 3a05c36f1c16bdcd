#include "report.hpp"

#include <mk/error.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace ringbench {

namespace {

std::vector<double> one_way_cycles(const std::vector<uint64_t>& blocks, size_t block)
{
    std::vector<double> out;
    for (uint64_t c : blocks)
        out.push_back(double(c) / double(2 * block));
    return out;
}

} // namespace

Summary LatencyResult::one_way() const
{
    std::vector<double> all;
    for (const auto& r : rounds) {
        auto v = one_way_cycles(r, block);
        all.insert(all.end(), v.begin(), v.end());
    }
    return summarize(all);
}

std::vector<double> LatencyResult::round_p50s() const
{
    std::vector<double> p50s;
    for (const auto& r : rounds) {
        auto v = one_way_cycles(r, block);
        p50s.push_back(summarize(v).p50);
    }
    return p50s;
}

std::vector<double> StreamResult::rates(const TscCalibration& tsc) const
{
    std::vector<double> out;
    for (uint64_t c : cycles)
        out.push_back(double(messages) / (double(c) / tsc.cycles_per_ns / 1e9));
    return out;
}

void print_latency(const std::vector<LatencyResult>& results, const TscCalibration& tsc)
{
    auto ns = [&](double cycles) { return cycles / tsc.cycles_per_ns; };
    std::printf("%-34s %7s %8s %8s %8s %9s %8s %8s %15s\n", "one-way latency", "payload", "p50 ns",
        "p90 ns", "p99 ns", "max ns", "p50 cyc", "p99 cyc", "round p50 ns");
    for (const auto& r : results) {
        Summary s = r.one_way();
        auto p50s = r.round_p50s();
        auto [lo, hi] = std::minmax_element(p50s.begin(), p50s.end());
        std::printf("%-34s %5u B %8.1f %8.1f %8.1f %9.0f %8.0f %8.0f %7.0f-%-7.0f\n",
            r.label.c_str(), r.payload, ns(s.p50), ns(s.p90), ns(s.p99), ns(s.max), s.p50, s.p99,
            ns(*lo), ns(*hi));
    }
}

void print_throughput(const std::vector<StreamResult>& results, const TscCalibration& tsc)
{
    std::printf("%-42s %7s %10s %17s %8s\n", "throughput", "payload", "Mmsg/s p50", "round min-max",
        "ns/msg");
    for (const auto& r : results) {
        auto rates = r.rates(tsc);
        double med = median(rates);
        auto [lo, hi] = std::minmax_element(rates.begin(), rates.end());
        std::printf("%-42s %5u B %10.2f %8.2f-%-8.2f %8.2f\n", r.label.c_str(), r.payload,
            med / 1e6, *lo / 1e6, *hi / 1e6, 1e9 / med);
    }
}

void write_csv(const std::string& dir, const std::vector<LatencyResult>& latency,
    const std::vector<StreamResult>& throughput, const TscCalibration& tsc)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw mk::Error("cannot create " + dir + ": " + ec.message());
    auto open = [&](const char* name) {
        std::ofstream out(dir + "/" + name);
        if (!out)
            throw mk::Error("cannot write " + dir + "/" + name);
        return out;
    };
    auto ns = [&](double cycles) { return cycles / tsc.cycles_per_ns; };

    std::ofstream raw = open("latency_samples.csv");
    raw << "method,payload_bytes,round,block,round_trips,cycles\n";
    for (const auto& r : latency)
        for (size_t k = 0; k < r.rounds.size(); ++k)
            for (size_t b = 0; b < r.rounds[k].size(); ++b)
                raw << r.name << ',' << r.payload << ',' << k << ',' << b << ',' << r.block << ','
                    << r.rounds[k][b] << '\n';

    std::ofstream sum = open("latency.csv");
    sum << "method,payload_bytes,samples,tsc_ghz,min_ns,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,"
           "mean_ns,p50_cycles,p99_cycles,max_cycles\n";
    for (const auto& r : latency) {
        Summary s = r.one_way();
        sum << r.name << ',' << r.payload << ',' << s.count << ',' << tsc.cycles_per_ns << ','
            << ns(s.min) << ',' << ns(s.p50) << ',' << ns(s.p90) << ',' << ns(s.p99) << ','
            << ns(s.p999) << ',' << ns(s.max) << ',' << ns(s.mean) << ',' << s.p50 << ',' << s.p99
            << ',' << s.max << '\n';
    }

    std::ofstream tp = open("throughput.csv");
    tp << "method,payload_bytes,batch,round,messages,cycles,seconds,messages_per_second\n";
    for (const auto& r : throughput) {
        auto rates = r.rates(tsc);
        for (size_t k = 0; k < r.cycles.size(); ++k)
            tp << r.name << ',' << r.payload << ',' << r.batch << ',' << k << ',' << r.messages
               << ',' << r.cycles[k] << ',' << ns(double(r.cycles[k])) / 1e9 << ',' << rates[k]
               << '\n';
    }
    for (auto* f : {&raw, &sum, &tp})
        if (!f->flush())
            throw mk::Error("cannot write the CSV files in " + dir);
}

} // namespace ringbench
