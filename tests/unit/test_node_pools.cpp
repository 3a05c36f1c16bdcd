#include <catch2/catch.hpp>

#include <mm/node_pools.hpp>

#include <cstdlib>
#include <memory>
#include <vector>

using lwk::mm::NodePools;
using lwk::mm::order_bytes;

namespace {

// Host memory standing in for physical memory: "physical" = host address.
struct Arena {
    explicit Arena(size_t bytes) : base(static_cast<uint8_t*>(std::aligned_alloc(4 << 20, bytes))), size(bytes) {}
    ~Arena() { std::free(base); }
    uint64_t phys() const { return reinterpret_cast<uint64_t>(base); }
    uint8_t* base;
    size_t size;
};

// Three nodes in a line: 0 - 1 - 2 (0 and 2 are the farthest apart).
uint8_t line[NodePools::MAX_NODES][NodePools::MAX_NODES];
void set_line()
{
    for (unsigned a = 0; a < 3; ++a)
        for (unsigned b = 0; b < 3; ++b)
            line[a][b] = static_cast<uint8_t>(10 + 10 * (a > b ? a - b : b - a));
}

} // namespace

TEST_CASE("a core's node is served first, then the nearest nodes", "[node_pools]")
{
    set_line();
    Arena a0(4 << 20), a1(4 << 20), a2(4 << 20);
    auto p = std::make_unique<NodePools>();
    p->set_distances(line, 3);
    REQUIRE_FALSE(p->add(a2.phys(), a2.size, 2).is_error());
    REQUIRE_FALSE(p->add(a0.phys(), a0.size, 0).is_error());
    REQUIRE_FALSE(p->add(a1.phys(), a1.size, 1).is_error());
    CHECK(p->pools() == 3);
    CHECK(p->nodes_mask() == 0b111);

    // From node 2: its own memory first.
    auto r = p->alloc(2, 0);
    REQUIRE_FALSE(r.is_error());
    CHECK(p->node_of(r.value()) == 2);
    CHECK(r.value() >= a2.phys());
    CHECK(r.value() < a2.phys() + a2.size);
    REQUIRE_FALSE(p->free(r.value(), 0).is_error());

    // From node 0, order 8 (1 MiB) blocks until none is left: node 0's
    // come first, then node 1's, node 2's last.
    std::vector<uint64_t> got;
    int32_t prev = 0;
    bool in_order = true;
    for (;;) {
        auto b = p->alloc(0, 8);
        if (b.is_error())
            break;
        int32_t n = p->node_of(b.value());
        in_order = in_order && n >= prev;
        prev = n;
        got.push_back(b.value());
    }
    CHECK(in_order);
    CHECK(prev == 2);
    CHECK(got.size() == 3 * 3); // each 4 MiB region loses 1 MiB to its metadata and alignment
    for (uint64_t b : got)
        REQUIRE_FALSE(p->free(b, 8).is_error());
    CHECK(p->free_bytes() == p->managed_bytes());
}

TEST_CASE("memory goes back to the pool of its node", "[node_pools]")
{
    set_line();
    Arena a0(4 << 20), a1(4 << 20);
    auto p = std::make_unique<NodePools>();
    p->set_distances(line, 3);
    REQUIRE_FALSE(p->add(a0.phys(), a0.size, 0).is_error());
    REQUIRE_FALSE(p->add(a1.phys(), a1.size, 1).is_error());
    uint64_t free1 = p->free_bytes_of(1);
    auto r = p->alloc(1, 0);
    REQUIRE_FALSE(r.is_error());
    CHECK(p->free_bytes_of(1) == free1 - order_bytes(0));
    REQUIRE_FALSE(p->free(r.value(), 0).is_error());
    CHECK(p->free_bytes_of(1) == free1);
    CHECK(p->node_of(a0.phys() + a0.size) == -1); // not the LWK's
    CHECK(p->free(a0.phys() + a0.size, 0).is_error());
}

TEST_CASE("a node without memory is served by the nearest node that has some", "[node_pools]")
{
    set_line();
    Arena a0(4 << 20), a2(4 << 20);
    auto p = std::make_unique<NodePools>();
    p->set_distances(line, 3);
    REQUIRE_FALSE(p->add(a0.phys(), a0.size, 0).is_error());
    REQUIRE_FALSE(p->add(a2.phys(), a2.size, 2).is_error());
    // Node 1 is as near to 0 as to 2: ties go to the pool added first.
    auto r = p->alloc(1, 0);
    REQUIRE_FALSE(r.is_error());
    CHECK(p->node_of(r.value()) == 0);
    // Unknown nodes (a core Linux put on no node) are served like the first pool's node.
    auto u = p->alloc(-1, 0);
    REQUIRE_FALSE(u.is_error());
    CHECK(p->node_of(u.value()) == 0);
    REQUIRE_FALSE(p->free(r.value(), 0).is_error());
    REQUIRE_FALSE(p->free(u.value(), 0).is_error());
    // Memory of an unknown node joins the first pool.
    Arena ax(4 << 20);
    REQUIRE_FALSE(p->add(ax.phys(), ax.size, -1).is_error());
    CHECK(p->pools() == 2);
    CHECK(p->node_of(ax.phys() + ax.size / 2) == 0);
}

TEST_CASE("without distances a node is near itself and equally far from the rest", "[node_pools]")
{
    Arena a0(4 << 20), a1(4 << 20);
    auto p = std::make_unique<NodePools>();
    REQUIRE_FALSE(p->add(a0.phys(), a0.size, 0).is_error());
    REQUIRE_FALSE(p->add(a1.phys(), a1.size, 1).is_error());
    auto r = p->alloc(1, 0);
    REQUIRE_FALSE(r.is_error());
    CHECK(p->node_of(r.value()) == 1);
    REQUIRE_FALSE(p->free(r.value(), 0).is_error());
}

TEST_CASE("nodes beyond the pools' number share the last pool", "[node_pools]")
{
    std::vector<std::unique_ptr<Arena>> arenas;
    auto p = std::make_unique<NodePools>();
    for (unsigned n = 0; n < NodePools::MAX_POOLS + 2; ++n) {
        arenas.push_back(std::make_unique<Arena>(4 << 20));
        REQUIRE_FALSE(p->add(arenas.back()->phys(), arenas.back()->size, int32_t(n)).is_error());
    }
    CHECK(p->pools() == NodePools::MAX_POOLS);
    CHECK(p->node_of(arenas.back()->phys() + 8192) == int32_t(NodePools::MAX_POOLS - 1));
    CHECK(p->free_bytes() == p->managed_bytes());
}
