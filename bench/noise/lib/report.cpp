#include <mknoise/report.hpp>

#include <mk/json.hpp>

#include <cmath>
#include <cstdio>
#include <iomanip>

namespace mk::noise {

std::string fixed(double v, int decimals)
{
    if (std::isnan(v))
        return "nan";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

void write_fwq_csv(std::ostream& out, std::span<const uint64_t> cycles, double tsc_hz)
{
    out << "sample,cycles,us\n";
    for (size_t i = 0; i < cycles.size(); ++i)
        out << i << ',' << cycles[i] << ',' << fixed(cycles[i] * 1e6 / tsc_hz, 3) << '\n';
}

void write_ftq_csv(std::ostream& out, std::span<const uint64_t> counts, double window_us)
{
    out << "window,start_us,count\n";
    for (size_t i = 0; i < counts.size(); ++i)
        out << i << ',' << fixed(i * window_us, 3) << ',' << counts[i] << '\n';
}

void write_detours_csv(std::ostream& out, std::span<const Detour> detours, double tsc_hz)
{
    out << "detour,start_us,length_us\n";
    for (size_t i = 0; i < detours.size(); ++i)
        out << i << ',' << fixed(detours[i].start * 1e6 / tsc_hz, 3) << ','
            << fixed(detours[i].length * 1e6 / tsc_hz, 3) << '\n';
}

void write_spectrum_csv(std::ostream& out, std::span<const SpectrumBin> spectrum)
{
    out << "frequency_hz,power\n";
    char buf[64];
    for (const SpectrumBin& b : spectrum) {
        std::snprintf(buf, sizeof buf, "%.4f,%.6g\n", b.frequency_hz, b.power);
        out << buf;
    }
}

const char* const summary_csv_header = "benchmark,cpu,samples,unit,min,median,mean,max,stddev,"
                                       "max_detour_us,noise_pct,detours,detours_per_s,duration_s,"
                                       "irqs_in_interval";

void write_summary_csv(std::ostream& out, std::span<const Summary> rows)
{
    out << summary_csv_header << '\n';
    for (const Summary& r : rows) {
        const Stats& s = r.stats;
        out << r.benchmark << ',' << r.cpu << ',' << s.count << ',' << r.unit << ','
            << fixed(s.min, 3) << ',' << fixed(s.median, 3) << ',' << fixed(s.mean, 3) << ','
            << fixed(s.max, 3) << ',' << fixed(s.stddev, 3) << ',' << fixed(r.max_detour_us, 3)
            << ',' << fixed(r.noise_pct, 4) << ',' << r.detours << ',' << fixed(r.detours_per_s, 2)
            << ',' << fixed(r.duration_s, 6) << ',';
        if (r.irqs_in_interval >= 0)
            out << r.irqs_in_interval;
        out << '\n';
    }
}

void write_summary_table(std::ostream& out, std::span<const Summary> rows)
{
    static const char* const head[] = {"bench", "cpu", "samples", "unit", "min", "median", "mean",
        "max", "stddev", "max detour us", "noise %", "detours/s"};
    const int width[] = {8, 4, 8, 6, 12, 12, 12, 12, 11, 14, 9, 10};
    auto cell = [&](int i, const std::string& text) {
        out << (i ? " " : "") << std::setw(width[i]) << (i < 1 ? std::left : std::right) << text;
    };
    for (int i = 0; i < 12; ++i)
        cell(i, head[i]);
    out << '\n';
    for (const Summary& r : rows) {
        const Stats& s = r.stats;
        cell(0, r.benchmark);
        cell(1, std::to_string(r.cpu));
        cell(2, std::to_string(s.count));
        cell(3, r.unit);
        cell(4, fixed(s.min, 3));
        cell(5, fixed(s.median, 3));
        cell(6, fixed(s.mean, 3));
        cell(7, fixed(s.max, 3));
        cell(8, fixed(s.stddev, 3));
        cell(9, fixed(r.max_detour_us, 3));
        cell(10, fixed(r.noise_pct, 4));
        cell(11, fixed(r.detours_per_s, 2));
        out << '\n';
    }
}

void write_json(std::ostream& out, const RunInfo& info, std::span<const Summary> rows,
    std::span<const std::string> files)
{
    mk::JsonWriter j(out);
    j.begin_object();
    j.field("tool", "mk-noise");
    j.field("version", info.version);
    j.field("tsc_khz", info.tsc_khz);
    j.field("tsc_source", info.tsc_source);
    j.field("tsc_invariant", info.tsc_invariant);
    j.field("work", info.work);
    j.field("working_set_bytes", info.working_set_bytes);
    j.key("cpus").begin_array();
    for (unsigned c : info.cpus)
        j.value(c);
    j.end_array();
    j.key("parameters").begin_object();
    for (const auto& [k, v] : info.parameters)
        j.field(k, v);
    j.end_object();
    j.key("results").begin_array();
    for (size_t i = 0; i < rows.size(); ++i) {
        const Summary& r = rows[i];
        j.begin_object();
        j.field("benchmark", r.benchmark);
        j.field("cpu", r.cpu);
        j.field("samples", static_cast<uint64_t>(r.stats.count));
        j.field("unit", r.unit);
        j.field("min", r.stats.min);
        j.field("median", r.stats.median);
        j.field("mean", r.stats.mean);
        j.field("max", r.stats.max);
        j.field("stddev", r.stats.stddev);
        j.field("max_detour_us", r.max_detour_us);
        j.field("noise_pct", r.noise_pct);
        j.field("detours", r.detours);
        j.field("detours_per_s", r.detours_per_s);
        j.field("duration_s", r.duration_s);
        if (r.irqs_in_interval >= 0)
            j.field("irqs_in_interval", r.irqs_in_interval);
        for (const auto& [k, v] : r.extra)
            j.field(k, v);
        if (i < files.size() && !files[i].empty())
            j.field("csv", files[i]);
        j.end_object();
    }
    j.end_array();
    j.end_object();
}

} // namespace mk::noise
