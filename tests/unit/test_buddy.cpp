#include <catch2/catch.hpp>

#include <mm/buddy.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <random>

using lwk::mm::Buddy;
using lwk::mm::order_bytes;
using lwk::mm::PAGE_SIZE;

namespace {

// Host memory standing in for physical memory: "physical" = host address.
struct Arena {
    explicit Arena(size_t bytes, size_t align = 4 << 20)
        : base(static_cast<uint8_t*>(std::aligned_alloc(align, bytes))), size(bytes) {}
    ~Arena() { std::free(base); }
    uint64_t phys() const { return reinterpret_cast<uint64_t>(base); }
    uint8_t* base;
    size_t size;
};

} // namespace

TEST_CASE("a region is managed in its largest aligned blocks, minus its metadata", "[buddy]")
{
    Arena a(8 << 20);
    auto b = std::make_unique<Buddy>();
    REQUIRE_FALSE(b->add_region(a.phys(), a.size).is_error());
    // 2048 pages need one metadata page.
    CHECK(b->managed_bytes() == a.size - PAGE_SIZE);
    CHECK(b->free_bytes() == b->managed_bytes());
    CHECK(b->largest_free_order() == 10); // the aligned 4 MiB half
}

TEST_CASE("blocks are naturally aligned and split and merge back", "[buddy]")
{
    Arena a(8 << 20);
    auto b = std::make_unique<Buddy>();
    REQUIRE_FALSE(b->add_region(a.phys(), a.size).is_error());
    uint64_t before = b->free_bytes();
    for (unsigned order : {0u, 1u, 5u, 9u, 10u}) {
        auto r = b->alloc(order);
        REQUIRE_FALSE(r.is_error());
        CHECK(r.value() % order_bytes(order) == 0);
        CHECK(r.value() >= a.phys());
        CHECK(r.value() + order_bytes(order) <= a.phys() + a.size);
        CHECK(b->free_bytes() == before - order_bytes(order));
        REQUIRE_FALSE(b->free(r.value(), order).is_error());
        CHECK(b->free_bytes() == before);
    }
    CHECK(b->largest_free_order() == 10);
}

TEST_CASE("every page can be allocated once, then everything merges back", "[buddy]")
{
    Arena a(4 << 20);
    auto b = std::make_unique<Buddy>();
    REQUIRE_FALSE(b->add_region(a.phys(), a.size).is_error());
    uint64_t pages = b->free_bytes() / PAGE_SIZE;
    std::vector<uint64_t> got;
    for (uint64_t i = 0; i < pages; ++i) {
        auto r = b->alloc(0);
        REQUIRE_FALSE(r.is_error());
        got.push_back(r.value());
    }
    CHECK(b->alloc(0).error().code == int(lwk::Errno::NOMEM));
    std::sort(got.begin(), got.end());
    CHECK(std::adjacent_find(got.begin(), got.end()) == got.end());
    std::shuffle(got.begin(), got.end(), std::mt19937(42));
    for (uint64_t p : got)
        REQUIRE_FALSE(b->free(p, 0).is_error());
    CHECK(b->free_bytes() == pages * PAGE_SIZE);
    CHECK(b->free_blocks(0) == 1); // only the page beside the metadata page stays alone
}

TEST_CASE("bad frees are refused: double free, wrong order, foreign address", "[buddy]")
{
    Arena a(4 << 20);
    auto b = std::make_unique<Buddy>();
    REQUIRE_FALSE(b->add_region(a.phys(), a.size).is_error());
    uint64_t p = b->alloc(3).value();
    CHECK(b->free(p + PAGE_SIZE, 3).is_error()); // misaligned for order 3
    CHECK(b->free(0x1000, 0).is_error());        // not managed
    REQUIRE_FALSE(b->free(p, 3).is_error());
    CHECK(b->free(p, 3).is_error()); // double free
    CHECK(b->alloc(lwk::mm::MAX_ORDER + 1).is_error());
}

TEST_CASE("random allocation never hands out overlapping blocks", "[buddy]")
{
    Arena a(16 << 20);
    auto b = std::make_unique<Buddy>();
    REQUIRE_FALSE(b->add_region(a.phys(), a.size / 2).is_error());
    REQUIRE_FALSE(b->add_region(a.phys() + a.size / 2, a.size / 2).is_error());
    CHECK(b->add_region(a.phys(), PAGE_SIZE * 4).error().code == int(lwk::Errno::EXIST));
    const uint64_t total = b->free_bytes();
    std::map<uint64_t, unsigned> live; // phys -> order
    std::mt19937 rng(7);
    for (int step = 0; step < 20000; ++step) {
        if (live.empty() || rng() % 3) {
            unsigned order = rng() % 8;
            auto r = b->alloc(order);
            if (r.is_error())
                continue;
            uint64_t p = r.value();
            auto next = live.lower_bound(p);
            if (next != live.end())
                REQUIRE(p + order_bytes(order) <= next->first);
            if (next != live.begin()) {
                auto prev = std::prev(next);
                REQUIRE(prev->first + order_bytes(prev->second) <= p);
            }
            live[p] = order;
        } else {
            auto it = live.begin();
            std::advance(it, rng() % live.size());
            REQUIRE_FALSE(b->free(it->first, it->second).is_error());
            live.erase(it);
        }
    }
    for (auto [p, order] : live)
        REQUIRE_FALSE(b->free(p, order).is_error());
    CHECK(b->free_bytes() == total);
}

TEST_CASE("zero blocks: split, handed out only when wanted, merged only with zero ones", "[buddy]")
{
    Arena a(8 << 20);
    std::memset(a.base, 0, a.size);
    auto b = std::make_unique<Buddy>();
    REQUIRE_FALSE(b->add_region(a.phys(), a.size, true).is_error());
    CHECK(b->zero_bytes() == b->free_bytes());

    // Wanted zero: a zero block, zero but for its list links.
    bool zero = false;
    auto z = b->alloc(9, true, &zero);
    REQUIRE_FALSE(z.is_error());
    CHECK(zero);
    auto* p = reinterpret_cast<uint8_t*>(z.value());
    std::memset(p, 0, Buddy::NODE_BYTES);
    CHECK(std::all_of(p, p + order_bytes(9), [](uint8_t c) { return c == 0; }));

    // Written and given back as not zero: a zero request avoids it, the
    // next plain one takes it.
    std::memset(p, 0xab, order_bytes(9));
    REQUIRE_FALSE(b->free(z.value(), 9, false).is_error());
    CHECK(b->zero_bytes() == b->free_bytes() - order_bytes(9));
    auto z2 = b->alloc(9, true, &zero);
    REQUIRE_FALSE(z2.is_error());
    CHECK(zero);
    CHECK(z2.value() != z.value());
    auto d = b->alloc(9, false, &zero);
    REQUIRE_FALSE(d.is_error());
    CHECK_FALSE(zero);
    CHECK(d.value() == z.value());

    // A zero block merged with its zero buddy leaves no links inside.
    std::memset(reinterpret_cast<uint8_t*>(z2.value()), 0, order_bytes(9));
    REQUIRE_FALSE(b->free(z2.value(), 9, true).is_error());
    std::memset(reinterpret_cast<uint8_t*>(d.value()), 0, order_bytes(9));
    REQUIRE_FALSE(b->free(d.value(), 9, true).is_error());
    CHECK(b->zero_bytes() == b->free_bytes());
    auto big = b->alloc(10, true, &zero);
    REQUIRE_FALSE(big.is_error());
    CHECK(zero);
    auto* q = reinterpret_cast<uint8_t*>(big.value());
    std::memset(q, 0, Buddy::NODE_BYTES);
    CHECK(std::all_of(q, q + order_bytes(10), [](uint8_t c) { return c == 0; }));
    // Everything back: one kind of memory again, all merged.
    REQUIRE_FALSE(b->free(big.value(), 10, true).is_error());
    CHECK(b->zero_bytes() == b->free_bytes());
    CHECK(b->largest_free_order() == 10);
}

TEST_CASE("a written block and its zero buddy stay apart until an allocation needs them joined", "[buddy]")
{
    // 8 pages: page 0 holds the metadata; 1, 2-3 and 4-7 are free blocks.
    Arena a(8 * PAGE_SIZE, 8 * PAGE_SIZE);
    std::memset(a.base, 0, a.size);
    auto b = std::make_unique<Buddy>();
    REQUIRE_FALSE(b->add_region(a.phys(), a.size, true).is_error());
    for (int i = 0; i < 7; ++i)
        REQUIRE_FALSE(b->alloc(0, true).is_error());
    uint64_t p2 = a.phys() + 2 * PAGE_SIZE, p3 = a.phys() + 3 * PAGE_SIZE;
    REQUIRE_FALSE(b->free(p2, 0, false).is_error());
    REQUIRE_FALSE(b->free(p3, 0, true).is_error());
    CHECK(b->free_blocks(0) == 2);
    CHECK(b->zero_bytes() == PAGE_SIZE); // page 3 is still known to be zero
    bool zero = true;
    auto z = b->alloc(0, true, &zero);
    REQUIRE_FALSE(z.is_error());
    CHECK(zero);
    CHECK(z.value() == p3);
    REQUIRE_FALSE(b->free(p3, 0, true).is_error());
    // Two pages at once: only by joining them, as written memory.
    auto two = b->alloc(1, true, &zero);
    REQUIRE_FALSE(two.is_error());
    CHECK(two.value() == p2);
    CHECK_FALSE(zero);
    CHECK(b->free_bytes() == 0);
}

TEST_CASE("zero blocks merging over several orders keep no links inside", "[buddy]")
{
    // 8 pages: page 0 holds the metadata; 1, 2-3 and 4-7 are free blocks.
    Arena a(8 * PAGE_SIZE, 8 * PAGE_SIZE);
    std::memset(a.base, 0, a.size);
    auto b = std::make_unique<Buddy>();
    REQUIRE_FALSE(b->add_region(a.phys(), a.size, true).is_error());
    uint64_t pages[7];
    for (auto& p : pages) {
        auto r = b->alloc(0, true);
        REQUIRE_FALSE(r.is_error());
        p = r.value();
        std::memset(reinterpret_cast<void*>(p), 0, PAGE_SIZE);
    }
    std::sort(pages, pages + 7);
    uint64_t p4 = a.phys() + 4 * PAGE_SIZE;
    REQUIRE(pages[3] == p4);
    // 6 free (with its links), 4 and 5 merge; then 7 merges with 6, the
    // lower buddy, and that pair into 4-7, where page 6 is not the start.
    for (uint64_t k : {6, 4, 5, 7})
        REQUIRE_FALSE(b->free(a.phys() + k * PAGE_SIZE, 0, true).is_error());
    CHECK(b->free_blocks(2) == 1);
    auto* q = reinterpret_cast<uint8_t*>(p4);
    CHECK(std::all_of(q + Buddy::NODE_BYTES, q + order_bytes(2), [](uint8_t c) { return c == 0; }));
}
