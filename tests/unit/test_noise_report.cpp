#include <catch2/catch.hpp>

#include <mknoise/report.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

using namespace mk::noise;

TEST_CASE("noise raw-sample CSVs have a header and one row per sample", "[noise]")
{
    std::ostringstream fwq, ftq, selfish, spectrum;
    write_fwq_csv(fwq, std::vector<uint64_t>{1000, 2500}, 1e9);
    CHECK(fwq.str() == "sample,cycles,us\n0,1000,1.000\n1,2500,2.500\n");
    write_ftq_csv(ftq, std::vector<uint64_t>{3, 0}, 100);
    CHECK(ftq.str() == "window,start_us,count\n0,0.000,3\n1,100.000,0\n");
    write_detours_csv(selfish, std::vector<Detour>{{1000, 500}, {4000, 12345}}, 1e9);
    CHECK(selfish.str() == "detour,start_us,length_us\n0,1.000,0.500\n1,4.000,12.345\n");
    write_spectrum_csv(spectrum, std::vector<SpectrumBin>{{62.5, 1234.5}});
    CHECK(spectrum.str() == "frequency_hz,power\n62.5000,1234.5\n");
}

namespace {

Summary fwq_row()
{
    std::vector<uint64_t> cycles{2000, 2000, 3000, 2000, 6000};
    Summary s = summarize_fwq(cycles, 1e9, 1.5);
    s.cpu = 2;
    return s;
}

} // namespace

TEST_CASE("noise summary CSV: one row per benchmark and core", "[noise]")
{
    std::ostringstream out;
    std::vector<Summary> rows{fwq_row()};
    write_summary_csv(out, rows);
    CHECK(out.str() ==
        std::string(summary_csv_header) + "\n" +
            "fwq,2,5,us,2.000,2.000,3.000,6.000,1.549,4.000,33.3333,1,66666.67,0.000015,\n");
    rows[0].irqs_in_interval = 7;
    std::ostringstream counted;
    write_summary_csv(counted, rows);
    CHECK(counted.str().substr(counted.str().rfind(',')) == ",7\n");
}

TEST_CASE("noise summary table names its columns and has a row per result", "[noise]")
{
    std::ostringstream out;
    std::vector<Summary> rows{fwq_row(), fwq_row()};
    write_summary_table(out, rows);
    std::string text = out.str();
    CHECK(text.find("max detour us") != std::string::npos);
    CHECK(text.find("noise %") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 3);
}

TEST_CASE("noise JSON carries the method and every result", "[noise]")
{
    RunInfo info;
    info.version = "0.1.0";
    info.tsc_khz = 1e6;
    info.tsc_source = "given with --tsc-khz";
    info.tsc_invariant = true;
    info.work = "register";
    info.cpus = {2, 3};
    info.parameters = {{"fwq_samples", 5}};
    Summary ftq = summarize_ftq(std::vector<uint64_t>{10, 5}, 100, 1);
    ftq.cpu = 3;
    std::vector<Summary> rows{fwq_row(), ftq};
    std::vector<std::string> files{"out/fwq-cpu2.csv", ""};
    std::ostringstream out;
    write_json(out, info, rows, files);
    std::string j = out.str();
    for (const char* want : {"\"tool\": \"mk-noise\"", "\"tsc_khz\": 1000000",
             "\"tsc_source\": \"given with --tsc-khz\"", "\"cpus\": [\n    2,\n    3\n  ]",
             "\"fwq_samples\": 5", "\"benchmark\": \"fwq\"", "\"benchmark\": \"ftq\"",
             "\"max_detour_us\": 4", "\"noise_pct\": 25", "\"variance\": 6.25",
             "\"csv\": \"out/fwq-cpu2.csv\""}) {
        INFO(want);
        CHECK(j.find(want) != std::string::npos);
    }
    CHECK(j.find("\"csv\"") == j.rfind("\"csv\"")); // the row without a file has none
    CHECK(j.back() == '\n');
}

TEST_CASE("noise numbers are written with fixed decimals", "[noise]")
{
    CHECK(fixed(1.23456, 3) == "1.235");
    CHECK(fixed(2, 0) == "2");
    CHECK(fixed(std::nan(""), 2) == "nan");
}
