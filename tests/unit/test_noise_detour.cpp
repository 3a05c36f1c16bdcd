#include <catch2/catch.hpp>

#include <mknoise/detour.hpp>

#include <cstdint>
#include <vector>

using namespace mk::noise;

TEST_CASE("selfish threshold is a percentage of the minimum loop", "[noise]")
{
    CHECK(detour_threshold(20, 900) == 180); // netgauge's default
    CHECK(detour_threshold(10, 250) == 25);
}

TEST_CASE("the minimum loop is the smallest gap between reads", "[noise]")
{
    std::vector<uint64_t> t{100, 112, 122, 140};
    CHECK(min_gap(t) == 10);
    CHECK(min_gap(std::vector<uint64_t>{5}) == 0);
}

TEST_CASE("gaps above the threshold are detours with start and length", "[noise]")
{
    //                      gap: 10  10  10  100  10  10  250  10   90
    std::vector<uint64_t> t{1000, 1010, 1020, 1030, 1130, 1140, 1150, 1400, 1410, 1500};
    uint64_t threshold = detour_threshold(min_gap(t), 900);
    REQUIRE(threshold == 90);
    DetourRecorder rec = find_detours(t, threshold);
    REQUIRE(rec.detours().size() == 2); // a gap of exactly the threshold is not a detour
    CHECK(rec.detours()[0].start == 30); // since the first timestamp
    CHECK(rec.detours()[0].length == 100);
    CHECK(rec.detours()[1].start == 150);
    CHECK(rec.detours()[1].length == 250);
    CHECK(rec.totals().count == 2);
    CHECK(rec.totals().total_ticks == 350);
    CHECK(rec.totals().longest_ticks == 250);
    CHECK(rec.lengths() == std::vector<uint64_t>{100, 250});
}

TEST_CASE("a full detour log still counts every detour", "[noise]")
{
    DetourRecorder rec(0, 5, 1);
    rec.observe(0, 20);
    rec.observe(20, 25);
    rec.observe(25, 60);
    CHECK(rec.detours().size() == 1);
    CHECK(rec.totals().count == 2);
    CHECK(rec.totals().total_ticks == 55);
    CHECK(rec.totals().longest_ticks == 35);
}

TEST_CASE("no detours in a quiet trace", "[noise]")
{
    std::vector<uint64_t> t;
    for (uint64_t i = 0; i < 1000; ++i)
        t.push_back(i * 7);
    DetourRecorder rec = find_detours(t, detour_threshold(min_gap(t), 900));
    CHECK(rec.detours().empty());
    CHECK(rec.totals().count == 0);
}
