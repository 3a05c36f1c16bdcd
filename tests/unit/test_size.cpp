#include <catch2/catch.hpp>

#include <mk/error.hpp>
#include <mk/memspec.hpp>
#include <mk/size.hpp>

TEST_CASE("sizes parse with binary units", "[size]")
{
    CHECK(mk::parse_size("512M") == 512ULL << 20);
    CHECK(mk::parse_size("4G") == 4ULL << 30);
    CHECK(mk::parse_size("4g") == 4ULL << 30);
    CHECK(mk::parse_size("2GiB") == 2ULL << 30);
    CHECK(mk::parse_size("1T") == 1ULL << 40);
    CHECK(mk::parse_size("64K") == 64ULL << 10);
    CHECK(mk::parse_size("1048576") == 1048576);
    CHECK(mk::parse_size("100B") == 100);
}

TEST_CASE("bad sizes are refused with a reason", "[size]")
{
    CHECK_THROWS_WITH(mk::parse_size("0"), Catch::Contains("greater than 0"));
    CHECK_THROWS_WITH(mk::parse_size("0M"), Catch::Contains("greater than 0"));
    CHECK_THROWS_WITH(mk::parse_size("M"), Catch::Contains("does not start with a number"));
    CHECK_THROWS_WITH(mk::parse_size("12Q"), Catch::Contains("unknown unit"));
    CHECK_THROWS_WITH(mk::parse_size("12MX"), Catch::Contains("unknown unit"));
    CHECK_THROWS_WITH(mk::parse_size("-5M"), Catch::Contains("does not start with a number"));
    CHECK_THROWS_WITH(mk::parse_size("99999999999T"), Catch::Contains("too large"));
    CHECK_THROWS_WITH(mk::parse_size("99999999999999999999"), Catch::Contains("too large"));
}

TEST_CASE("sizes format for people", "[size]")
{
    CHECK(mk::format_size(0) == "0 B");
    CHECK(mk::format_size(512ULL << 20) == "512 MiB");
    CHECK(mk::format_size(3ULL << 29) == "1.5 GiB");
    CHECK(mk::format_size(2ULL << 40) == "2 TiB");
}

TEST_CASE("memory requests name sizes and nodes", "[memspec]")
{
    using W = mk::MemWant;
    CHECK(mk::parse_mem_spec("512M") == std::vector<W>{{512ULL << 20, MK_NODE_ANY}});
    CHECK(mk::parse_mem_spec("1G@0,2G@1") == std::vector<W>{{1ULL << 30, 0}, {2ULL << 30, 1}});
    CHECK(mk::parse_mem_spec("256M@auto") == std::vector<W>{{256ULL << 20, MK_NODE_AUTO}});
    CHECK(mk::parse_mem_spec("all@1") == std::vector<W>{{MK_MEM_ALL, 1}});
    CHECK(mk::parse_mem_spec("all") == std::vector<W>{{MK_MEM_ALL, MK_NODE_ANY}});
}

TEST_CASE("malformed memory requests are refused", "[memspec]")
{
    CHECK_THROWS_AS(mk::parse_mem_spec(""), mk::Error);
    CHECK_THROWS_WITH(mk::parse_mem_spec("0@1"), Catch::Contains("greater than 0"));
    CHECK_THROWS_WITH(mk::parse_mem_spec("1G@x"), Catch::Contains("bad NUMA node 'x'"));
    CHECK_THROWS_WITH(mk::parse_mem_spec("1G@"), Catch::Contains("bad NUMA node"));
    CHECK_THROWS_WITH(mk::parse_mem_spec("1G@-1"), Catch::Contains("bad NUMA node"));
    CHECK_THROWS_WITH(mk::parse_mem_spec("1G@64"), Catch::Contains("out of range"));
    CHECK_THROWS_WITH(mk::parse_mem_spec("1G@0,1G@0"), Catch::Contains("twice"));
    CHECK_THROWS_WITH(mk::parse_mem_spec("1G,"), Catch::Contains("bad size"));
    CHECK_THROWS_WITH(mk::parse_mem_spec("lots@1"), Catch::Contains("bad size"));
}
