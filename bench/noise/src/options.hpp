// mk-noise's command line.
#pragma once

#include <mk/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mk::noise {

// A mistake in the command line: mk-noise exits 2.
class UsageError : public mk::Error {
public:
    using mk::Error::Error;
};

enum class WorkKind { registers, memory };

struct Options {
    std::vector<unsigned> cpus;
    bool fwq = true, ftq = true, selfish = true;
    std::string out_dir; // raw CSVs and summary.csv; none when empty
    bool json = false;
    WorkKind work = WorkKind::registers;
    uint64_t working_set = 256 << 10;
    uint64_t fwq_samples = 10000;
    unsigned fwq_work_log2 = 20;
    double ftq_window_us = 100;
    uint64_t ftq_windows = 1 << 16;
    unsigned ftq_unit_log2 = 5;
    double selfish_seconds = 5;
    double selfish_threshold_pct = 900;
    double selfish_floor_us = 0; // 0: netgauge's rule alone
    uint64_t max_detours = 100000;
    double detour_us = 1;
    double tsc_khz = 0; // 0: calibrate
};

// The options, or nothing when --help or --version was answered. Throws
// UsageError for anything malformed.
std::optional<Options> parse_options(int argc, char** argv);

} // namespace mk::noise
