#include <catch2/catch.hpp>

#include <mknoise/stats.hpp>

#include <cstdint>
#include <vector>

using mk::noise::describe;

TEST_CASE("noise stats: order statistics and moments of a sample set", "[noise]")
{
    std::vector<uint64_t> odd{5, 1, 3, 2, 4};
    auto s = describe(odd);
    CHECK(s.count == 5);
    CHECK(s.min == 1);
    CHECK(s.median == 3);
    CHECK(s.mean == Approx(3));
    CHECK(s.max == 5);
    CHECK(s.stddev == Approx(1.4142135624)); // population: sqrt(10 / 5)

    std::vector<uint64_t> even{4, 1, 3, 2};
    CHECK(describe(even).median == 2.5);

    std::vector<uint64_t> same{7, 7, 7};
    CHECK(describe(same).stddev == 0);

    CHECK(describe({}).count == 0);
}

TEST_CASE("noise stats: large cycle counts keep their precision", "[noise]")
{
    // Values near 2^50 that differ by 1: naive sums of squares lose this.
    const uint64_t base = uint64_t(1) << 50;
    std::vector<uint64_t> v{base, base + 2, base, base + 2};
    auto s = describe(v);
    CHECK(s.stddev == Approx(1));
    CHECK(s.mean - s.min == Approx(1));
}

TEST_CASE("FWQ: the fastest quantum is the reference, the rest is noise", "[noise]")
{
    // 1 GHz TSC: 1000 cycles = 1 us.
    std::vector<uint64_t> cycles{2000, 2000, 3000, 2000, 6000};
    auto r = mk::noise::summarize_fwq(cycles, 1e9, 1.5);
    CHECK(r.benchmark == "fwq");
    CHECK(r.unit == "us");
    CHECK(r.stats.min == Approx(2));
    CHECK(r.stats.median == Approx(2));
    CHECK(r.stats.mean == Approx(3));
    CHECK(r.stats.max == Approx(6));
    CHECK(r.max_detour_us == Approx(4));
    CHECK(r.noise_pct == Approx(100.0 * 5000 / 15000)); // sum(sample - min) / sum(sample)
    CHECK(r.detours == 1); // only the 4 us excess exceeds 1.5 us
    CHECK(r.duration_s == Approx(15e-6));
    CHECK(r.detours_per_s == Approx(1 / 15e-6));

    CHECK(mk::noise::summarize_fwq(cycles, 1e9, 0.5).detours == 2);
}

TEST_CASE("FWQ without noise reports none", "[noise]")
{
    std::vector<uint64_t> cycles(100, 123456);
    auto r = mk::noise::summarize_fwq(cycles, 2.5e9, 1);
    CHECK(r.max_detour_us == 0);
    CHECK(r.noise_pct == 0);
    CHECK(r.detours == 0);
}

TEST_CASE("FTQ: the best window is the reference, missing work is noise", "[noise]")
{
    std::vector<uint64_t> counts{10, 10, 5, 10, 0};
    auto r = mk::noise::summarize_ftq(counts, 100, 20);
    CHECK(r.benchmark == "ftq");
    CHECK(r.unit == "units");
    CHECK(r.stats.min == 0);
    CHECK(r.stats.median == 10);
    CHECK(r.stats.mean == Approx(7));
    CHECK(r.max_detour_us == Approx(100)); // a whole window lost
    CHECK(r.noise_pct == Approx(30)); // 15 of 5 x 10 units missing
    CHECK(r.detours == 2); // 50 us and 100 us lost, both > 20 us
    CHECK(r.duration_s == Approx(500e-6));
    CHECK(r.detours_per_s == Approx(4000));
}

TEST_CASE("selfish: detour totals become rate, longest and CPU time lost", "[noise]")
{
    // 100 MHz TSC: 1 tick = 10 ns.
    std::vector<uint64_t> lengths{100, 300, 200};
    mk::noise::DetourTotals totals{5, 800, 300}; // two more were counted but not kept
    auto r = mk::noise::summarize_selfish(lengths, totals, 0.001, 1e8);
    CHECK(r.benchmark == "selfish");
    CHECK(r.stats.count == 3);
    CHECK(r.stats.median == Approx(2));
    CHECK(r.max_detour_us == Approx(3));
    CHECK(r.detours == 5);
    CHECK(r.detours_per_s == Approx(5000));
    CHECK(r.noise_pct == Approx(0.8)); // 8 us of 1000 us
}
