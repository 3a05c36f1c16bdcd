#include <catch2/catch.hpp>

#include <mk/error.hpp>
#include <mk/topology.hpp>

using mk::CpuList;
using mk::Placement;

TEST_CASE("synthetic topologies come back as cores with their threads and nodes", "[topology]")
{
    mk::Topology t = mk::synthetic_topology("NUMANode:2 Core:4 PU:2");
    REQUIRE(t.cores.size() == 8);
    CHECK(t.cores[0].cpus == CpuList{0, 1});
    CHECK(t.cores[0].node == 0);
    CHECK(t.cores[7].cpus == CpuList{14, 15});
    CHECK(t.cores[7].node == 1);
}

TEST_CASE("auto CPU choices parse", "[topology]")
{
    auto a = mk::parse_auto_cpus("auto:3");
    CHECK(a.cores == 3);
    CHECK(a.placement == Placement::compact);
    CHECK(mk::parse_auto_cpus("auto:2:spread").placement == Placement::spread);
    CHECK(mk::parse_auto_cpus("auto:2:compact").placement == Placement::compact);
    CHECK_THROWS_WITH(mk::parse_auto_cpus("auto:0"), Catch::Contains("at least one"));
    for (const char* bad : {"auto:", "auto:x", "auto:2:wide", "auto2", "auto:-1", "auto:2:"})
        CHECK_THROWS_AS(mk::parse_auto_cpus(bad), mk::Error);
}

TEST_CASE("whole cores are chosen, highest first, never a node's first core", "[topology]")
{
    mk::Topology one = mk::synthetic_topology("NUMANode:1 Core:4 PU:1");
    CHECK(mk::choose_cores(one, 1, Placement::compact) == CpuList{3});
    CHECK(mk::choose_cores(one, 3, Placement::compact) == CpuList{1, 2, 3});
    CHECK_THROWS_WITH(
        mk::choose_cores(one, 4, Placement::compact), Catch::Contains("3 can be given"));

    mk::Topology ht = mk::synthetic_topology("NUMANode:1 Core:4 PU:2");
    CHECK(mk::choose_cores(ht, 2, Placement::compact) == CpuList{4, 5, 6, 7});
}

TEST_CASE("compact placement keeps to one NUMA node when it can", "[topology]")
{
    mk::Topology t = mk::synthetic_topology("NUMANode:2 Core:4 PU:2");
    // Both nodes can give 3 cores: the higher node is chosen.
    CHECK(mk::choose_cores(t, 1, Placement::compact) == CpuList{14, 15});
    CHECK(mk::choose_cores(t, 3, Placement::compact) == CpuList{10, 11, 12, 13, 14, 15});
    // 4 cores cannot fit one node: fill one, then the other.
    CHECK(mk::choose_cores(t, 4, Placement::compact) == CpuList{6, 7, 10, 11, 12, 13, 14, 15});
    CHECK_THROWS_WITH(mk::choose_cores(t, 7, Placement::compact),
        Catch::Contains("6 can be given") && Catch::Contains("2 NUMA nodes"));
}

TEST_CASE("spread placement goes round-robin over the NUMA nodes", "[topology]")
{
    mk::Topology t = mk::synthetic_topology("NUMANode:2 Core:4 PU:1");
    CHECK(mk::choose_cores(t, 2, Placement::spread) == CpuList{3, 7});
    CHECK(mk::choose_cores(t, 4, Placement::spread) == CpuList{2, 3, 6, 7});
    mk::Topology four = mk::synthetic_topology("NUMANode:4 Core:2 PU:1");
    CHECK(mk::choose_cores(four, 4, Placement::spread) == CpuList{1, 3, 5, 7});
}

TEST_CASE("uneven nodes: compact picks the node that fits", "[topology]")
{
    // Node 0 loses its first core; hand-built: node 0 has 2 cores, node 1 has 5.
    mk::Topology t;
    for (unsigned c = 0; c < 2; ++c)
        t.cores.push_back({0, {c}});
    for (unsigned c = 2; c < 7; ++c)
        t.cores.push_back({1, {c}});
    CHECK(mk::choose_cores(t, 1, Placement::compact) == CpuList{6});
    CHECK(mk::choose_cores(t, 4, Placement::compact) == CpuList{3, 4, 5, 6});
    CHECK(mk::choose_cores(t, 5, Placement::compact) == CpuList{1, 3, 4, 5, 6});
}
