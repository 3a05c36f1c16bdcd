// mk-noise's outputs: raw samples as CSV, the per-core summary as CSV, a
// table and JSON.
#pragma once

#include <mknoise/detour.hpp>
#include <mknoise/spectrum.hpp>
#include <mknoise/stats.hpp>

#include <cstdint>
#include <ostream>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace mk::noise {

// What a run measured with; written at the top of the JSON.
struct RunInfo {
    std::string version;
    double tsc_khz = 0;
    std::string tsc_source; // how tsc_khz was obtained
    bool tsc_invariant = false;
    std::string work; // "register" or "memory"
    uint64_t working_set_bytes = 0;
    std::vector<unsigned> cpus;
    std::vector<std::pair<std::string, double>> parameters;
};

// Raw samples, one row each.
void write_fwq_csv(std::ostream& out, std::span<const uint64_t> cycles, double tsc_hz);
void write_ftq_csv(std::ostream& out, std::span<const uint64_t> counts, double window_us);
void write_detours_csv(std::ostream& out, std::span<const Detour> detours, double tsc_hz);
void write_spectrum_csv(std::ostream& out, std::span<const SpectrumBin> spectrum);

// One row per benchmark and core, header first.
extern const char* const summary_csv_header;
void write_summary_csv(std::ostream& out, std::span<const Summary> rows);

// The same, aligned for people.
void write_summary_table(std::ostream& out, std::span<const Summary> rows);

// {"tool": "mk-noise", ..., "results": [{...}, ...]}; files maps each row
// (same order) to its raw-sample CSV, "" for none.
void write_json(std::ostream& out, const RunInfo& info, std::span<const Summary> rows,
    std::span<const std::string> files);

// v with `decimals` digits after the point ("nan" stays "nan").
std::string fixed(double v, int decimals);

} // namespace mk::noise
