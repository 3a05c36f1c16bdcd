// mk-noise: FWQ, FTQ and selfish detour on chosen CPUs (see --help and
// docs/noise.md). A plain static program with simple system calls, so that
// it runs unchanged on Linux and, through mkexec, on the LWK.
#include "measure.hpp"
#include "options.hpp"
#include "bench_clock.h"

#include <mk/cpulist.hpp>
#include <mk/size.hpp>
#include <mk/version.h>
#include <mknoise/report.hpp>
#include <mknoise/spectrum.hpp>
#include <mknoise/stats.hpp>

#include <cerrno>
#include <csetjmp>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sys/stat.h>

namespace mk::noise {
namespace {

sigjmp_buf rdtscp_probe;

// Whether RDTSCP runs here: CPUID says so, or (some virtual machines do
// not advertise it) executing it once does not fault.
bool have_rdtscp()
{
    if (::mk_tsc_features().rdtscp)
        return true;
    struct sigaction ill {}, old {};
    ill.sa_handler = [](int) { siglongjmp(rdtscp_probe, 1); };
    sigaction(SIGILL, &ill, &old);
    volatile bool works = false; // set between sigsetjmp and a possible siglongjmp
    if (sigsetjmp(rdtscp_probe, 1) == 0) {
        (void)mk_tsc_end();
        works = true;
    }
    sigaction(SIGILL, &old, nullptr);
    return works;
}

struct Result {
    Summary summary;
    std::string csv; // raw samples file, "" without --out
};

std::string out_path(const Options& opt, const std::string& name)
{
    return opt.out_dir + "/" + name;
}

template <typename Write> void write_file(const std::string& path, Write&& write)
{
    std::ofstream f(path);
    if (!f)
        throw mk::Error("cannot create " + path + ": " + std::strerror(errno), errno);
    write(f);
    f.close();
    if (!f)
        throw mk::Error("cannot write " + path, EIO);
}

std::vector<Result> summarize(
    const Options& opt, double tsc_hz, const std::vector<CoreSamples>& cores)
{
    std::vector<Result> results;
    auto add = [&](Summary s, unsigned cpu, const std::string& file) {
        s.cpu = cpu;
        results.push_back({std::move(s), opt.out_dir.empty() ? "" : out_path(opt, file)});
    };
    const std::string& out = opt.out_dir;
    for (const CoreSamples& c : cores) {
        if (!opt.fwq)
            break;
        std::string name = "fwq-cpu" + std::to_string(c.cpu) + ".csv";
        Summary s = summarize_fwq(c.fwq, tsc_hz, opt.detour_us);
        s.irqs_in_interval = c.irqs_fwq;
        add(std::move(s), c.cpu, name);
        if (!out.empty())
            write_file(out_path(opt, name), [&](auto& f) { write_fwq_csv(f, c.fwq, tsc_hz); });
    }
    for (const CoreSamples& c : cores) {
        if (!opt.ftq)
            break;
        std::string name = "ftq-cpu" + std::to_string(c.cpu) + ".csv";
        Summary s = summarize_ftq(c.ftq, opt.ftq_window_us, opt.detour_us);
        auto spectrum = power_spectrum(c.ftq, opt.ftq_window_us / 1e6);
        SpectrumPeak peak = spectrum_peak(spectrum);
        s.extra.emplace_back("spectrum_peak_hz", peak.frequency_hz);
        s.extra.emplace_back("spectrum_peak_share", peak.power_share);
        s.irqs_in_interval = c.irqs_ftq;
        add(std::move(s), c.cpu, name);
        if (!out.empty()) {
            write_file(
                out_path(opt, name), [&](auto& f) { write_ftq_csv(f, c.ftq, opt.ftq_window_us); });
            write_file(out_path(opt, "ftq-spectrum-cpu" + std::to_string(c.cpu) + ".csv"),
                [&](auto& f) { write_spectrum_csv(f, spectrum); });
        }
    }
    for (const CoreSamples& c : cores) {
        if (!opt.selfish)
            break;
        std::string name = "selfish-cpu" + std::to_string(c.cpu) + ".csv";
        const DetourRecorder& rec = *c.selfish;
        Summary s =
            summarize_selfish(rec.lengths(), rec.totals(), c.selfish_ticks / tsc_hz, tsc_hz);
        s.extra.emplace_back("min_loop_ns", c.selfish_min_loop * 1e9 / tsc_hz);
        s.extra.emplace_back("threshold_ns", rec.threshold() * 1e9 / tsc_hz);
        s.extra.emplace_back("detours_recorded", static_cast<double>(rec.detours().size()));
        s.irqs_in_interval = c.irqs_selfish;
        add(std::move(s), c.cpu, name);
        if (!out.empty())
            write_file(
                out_path(opt, name), [&](auto& f) { write_detours_csv(f, rec.detours(), tsc_hz); });
    }
    return results;
}

void print_method(std::ostream& o, const Options& opt, const RunInfo& info)
{
    o << "mk-noise " << info.version << ": OS noise on CPU" << (opt.cpus.size() > 1 ? "s " : " ")
      << mk::format_cpulist(opt.cpus) << ", one pinned thread per CPU, all measuring at once\n";
    o << "TSC: " << fixed(info.tsc_khz, 0) << " kHz (" << info.tsc_source
      << "), invariant: " << (info.tsc_invariant ? "yes" : "no") << "\n";
    if (opt.work == WorkKind::memory)
        o << "work: memory loop, one 64-byte line of a " << mk::format_size(info.working_set_bytes)
          << " working set per thread per iteration\n";
    else
        o << "work: register loop, add + 3 nop per iteration\n";
    if (opt.fwq)
        o << "fwq: " << opt.fwq_samples << " samples of 2^" << opt.fwq_work_log2
          << " iterations; noise = time above the fastest sample; detour: > " << opt.detour_us
          << " us above it\n";
    if (opt.ftq)
        o << "ftq: " << opt.ftq_windows << " windows of " << opt.ftq_window_us
          << " us at fixed times, unit 2^" << opt.ftq_unit_log2
          << " iterations; noise = work missing against the best window (stats in units); "
             "detour: > "
          << opt.detour_us << " us lost in a window\n";
    if (opt.selfish) {
        o << "selfish: " << opt.selfish_seconds << " s of back-to-back TSC reads; detour: a gap > "
          << opt.selfish_threshold_pct << " % of the CPU's minimum loop ("
          << selfish_calibration_loops << " reads)";
        if (opt.selfish_floor_us > 0)
            o << " and > " << opt.selfish_floor_us << " us";
        o << "; noise = time in detours\n";
    }
}

int run(int argc, char** argv)
{
    std::optional<Options> parsed = parse_options(argc, argv);
    if (!parsed)
        return 0;
    const Options& opt = *parsed;

    struct mk_tsc_features features = ::mk_tsc_features();
    if (!have_rdtscp())
        throw mk::Error("this CPU has no RDTSCP instruction, which mk-noise needs");
    RunInfo info;
    info.version = MK_VERSION_STRING;
    info.tsc_invariant = features.invariant;
    if (opt.tsc_khz > 0) {
        info.tsc_khz = opt.tsc_khz;
        info.tsc_source = "given with --tsc-khz";
    } else {
        info.tsc_khz = mk_tsc_ticks_per_ns(3, 100) * 1e6;
        info.tsc_source = "calibrated against CLOCK_MONOTONIC, median of 3 x 100 ms";
    }
    info.work = opt.work == WorkKind::memory ? "memory" : "register";
    info.working_set_bytes = opt.work == WorkKind::memory ? opt.working_set : 0;
    info.cpus = opt.cpus;
    info.parameters = {
        {"fwq_samples", static_cast<double>(opt.fwq_samples)},
        {"fwq_work_log2", opt.fwq_work_log2},
        {"ftq_window_us", opt.ftq_window_us},
        {"ftq_windows", static_cast<double>(opt.ftq_windows)},
        {"ftq_unit_log2", opt.ftq_unit_log2},
        {"selfish_seconds", opt.selfish_seconds},
        {"selfish_threshold_pct", opt.selfish_threshold_pct},
        {"selfish_floor_us", opt.selfish_floor_us},
        {"detour_us", opt.detour_us},
    };
    if (!opt.json)
        print_method(std::cout, opt, info);
    std::cout.flush();

    if (!opt.out_dir.empty() && mkdir(opt.out_dir.c_str(), 0755) != 0 && errno != EEXIST)
        throw mk::Error("cannot create " + opt.out_dir + ": " + std::strerror(errno), errno);

    double tsc_hz = info.tsc_khz * 1e3;
    std::vector<CoreSamples> cores = measure(opt, tsc_hz);
    std::vector<Result> results = summarize(opt, tsc_hz, cores);

    std::vector<Summary> rows;
    std::vector<std::string> files;
    for (auto& r : results) {
        rows.push_back(r.summary);
        files.push_back(r.csv);
    }
    if (!opt.out_dir.empty())
        write_file(out_path(opt, "summary.csv"), [&](auto& f) { write_summary_csv(f, rows); });
    if (opt.json)
        write_json(std::cout, info, rows, files);
    else
        write_summary_table(std::cout, rows);
    return 0;
}

} // namespace
} // namespace mk::noise

int main(int argc, char** argv)
{
    try {
        return mk::noise::run(argc, argv);
    } catch (const mk::noise::UsageError& e) {
        std::cerr << "mk-noise: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "mk-noise: " << e.what() << "\n";
        return 1;
    }
}
