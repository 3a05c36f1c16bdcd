#include <catch2/catch.hpp>

#include <mk/cpulist.hpp>
#include <mk/error.hpp>

using mk::CpuList;

TEST_CASE("CPU lists in kernel format parse to sorted unique CPUs", "[cpulist]")
{
    CHECK(mk::parse_cpulist("3") == CpuList{3});
    CHECK(mk::parse_cpulist("2-5,8") == CpuList{2, 3, 4, 5, 8});
    CHECK(mk::parse_cpulist("8,2-3,3") == CpuList{2, 3, 8});
    CHECK(mk::parse_cpulist("0-0") == CpuList{0});
}

TEST_CASE("malformed CPU lists are refused with the bad part named", "[cpulist]")
{
    for (const char* bad : {"", ",", "2-", "-3", "a", "1,,2", "5-2", "1-2-3", " 1", "1 ", "0x3"}) {
        INFO("input: '" << bad << "'");
        CHECK_THROWS_AS(mk::parse_cpulist(bad), mk::Error);
    }
    CHECK_THROWS_WITH(mk::parse_cpulist("5-2"), Catch::Contains("reversed"));
    CHECK_THROWS_WITH(mk::parse_cpulist("1,x"), Catch::Contains("'x'"));
    CHECK_THROWS_WITH(mk::parse_cpulist("9000"), Catch::Contains("out of range"));
    CHECK_THROWS_WITH(mk::parse_cpulist("4", 4), Catch::Contains("out of range"));
}

TEST_CASE("CPU lists format back to the compact kernel form", "[cpulist]")
{
    CHECK(mk::format_cpulist({}) == "");
    CHECK(mk::format_cpulist({1}) == "1");
    CHECK(mk::format_cpulist({0, 1, 2, 3, 8, 10, 11}) == "0-3,8,10-11");
    CpuList round = mk::parse_cpulist("1,3-7,9,12-13");
    CHECK(mk::format_cpulist(round) == "1,3-7,9,12-13");
}
