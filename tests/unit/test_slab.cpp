#include <catch2/catch.hpp>

#include <mm/slab.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <set>
#include <vector>

using lwk::mm::Slabs;

namespace {

// Pages from the host, counted; a limit makes the source run dry.
struct Pages {
    size_t out = 0;
    size_t limit = SIZE_MAX;
    std::set<void*> live;

    static void* get(void* ctx)
    {
        auto* self = static_cast<Pages*>(ctx);
        if (self->out == self->limit)
            return nullptr;
        void* p = std::aligned_alloc(Slabs::PAGE, Slabs::PAGE);
        std::memset(p, 0xa5, Slabs::PAGE); // pages come back dirty
        self->out++;
        self->live.insert(p);
        return p;
    }
    static void put(void* ctx, void* page)
    {
        auto* self = static_cast<Pages*>(ctx);
        REQUIRE(self->live.erase(page) == 1);
        self->out--;
        std::free(page);
    }
    Slabs::PageSource source() { return {get, put, this}; }
    ~Pages()
    {
        for (void* p : live)
            std::free(p);
    }
};

uintptr_t addr(void* p)
{
    return reinterpret_cast<uintptr_t>(p);
}

} // namespace

TEST_CASE("size classes hold what they are asked for, 16-byte aligned", "[slab]")
{
    size_t prev = 0;
    for (size_t c = 0; c < Slabs::CLASSES; ++c) {
        size_t size = Slabs::block_size(c);
        CHECK(size > prev);
        CHECK(size % 16 == 0);
        CHECK(Slabs::class_for(size) == c);
        CHECK(Slabs::class_for(prev + 1) == c);
        prev = size;
    }
    CHECK(Slabs::class_for(1) == 0);
    CHECK(Slabs::class_for(prev + 1) == Slabs::CLASSES);
}

TEST_CASE("blocks do not overlap, lie inside their page and after its header", "[slab]")
{
    Pages pages;
    Slabs slabs(pages.source());
    for (size_t c = 0; c < Slabs::CLASSES; ++c) {
        size_t size = Slabs::block_size(c);
        std::vector<void*> blocks;
        for (int i = 0; i < 300; ++i) {
            void* b = slabs.alloc(c);
            REQUIRE(b);
            CHECK(addr(b) % 16 == 0);
            uintptr_t off = addr(b) % Slabs::PAGE;
            CHECK(off >= Slabs::PAGE_HEADER);
            CHECK(off + size <= Slabs::PAGE);
            std::memset(b, int(c), size); // a block's bytes are all its own
            blocks.push_back(b);
        }
        std::sort(blocks.begin(), blocks.end());
        for (size_t i = 1; i < blocks.size(); ++i)
            CHECK(addr(blocks[i - 1]) + size <= addr(blocks[i]));
        for (void* b : blocks)
            CHECK(slabs.free(b));
    }
    CHECK(pages.out == 0);
    CHECK(slabs.pages() == 0);
}

TEST_CASE("a page goes back to its source when its last block is freed", "[slab]")
{
    Pages pages;
    Slabs slabs(pages.source());
    void* a = slabs.alloc(0);
    void* b = slabs.alloc(0);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(pages.out == 1);
    CHECK(slabs.free(a));
    CHECK(pages.out == 1);
    CHECK(slabs.free(b));
    CHECK(pages.out == 0);

    // A full page becomes usable again when one of its blocks is freed.
    std::vector<void*> full;
    size_t per_page = (Slabs::PAGE - Slabs::PAGE_HEADER) / Slabs::block_size(6);
    for (size_t i = 0; i < per_page; ++i)
        full.push_back(slabs.alloc(6));
    CHECK(pages.out == 1);
    CHECK(slabs.free(full.back()));
    CHECK(slabs.alloc(6) == full.back());
    CHECK(pages.out == 1);
    for (void* p : full)
        CHECK(slabs.free(p));
    CHECK(pages.out == 0);
}

TEST_CASE("random allocation and freeing ends with every page given back", "[slab]")
{
    Pages pages;
    Slabs slabs(pages.source());
    std::mt19937 rng(42);
    std::vector<std::pair<void*, size_t>> live;
    size_t peak = 0;
    for (int step = 0; step < 200000; ++step) {
        if (live.empty() || rng() % 100 < 55) {
            size_t c = rng() % Slabs::CLASSES;
            void* b = slabs.alloc(c);
            REQUIRE(b);
            std::memset(b, uint8_t(c + 1), Slabs::block_size(c));
            live.push_back({b, c});
        } else {
            size_t i = rng() % live.size();
            auto [b, c] = live[i];
            // Nobody else wrote into the block while it was out.
            auto* bytes = static_cast<unsigned char*>(b);
            REQUIRE(std::all_of(bytes, bytes + Slabs::block_size(c),
                [&](unsigned char x) { return x == uint8_t(c + 1); }));
            REQUIRE(slabs.free(b));
            live[i] = live.back();
            live.pop_back();
        }
        peak = std::max(peak, pages.out);
        REQUIRE(slabs.pages() == pages.out);
    }
    for (auto [b, c] : live)
        CHECK(slabs.free(b));
    CHECK(peak > 10);
    CHECK(pages.out == 0);
}

TEST_CASE("an empty page source is an allocation failure, not a crash", "[slab]")
{
    Pages pages;
    pages.limit = 1;
    Slabs slabs(pages.source());
    std::vector<void*> blocks;
    while (void* b = slabs.alloc(5))
        blocks.push_back(b);
    CHECK(blocks.size() == (Slabs::PAGE - Slabs::PAGE_HEADER) / Slabs::block_size(5));
    CHECK(slabs.alloc(Slabs::CLASSES) == nullptr);
    for (void* b : blocks)
        CHECK(slabs.free(b));
    CHECK(pages.out == 0);
}

TEST_CASE("freeing what is not a block is refused and changes nothing", "[slab]")
{
    Pages pages;
    Slabs slabs(pages.source());
    auto* a = static_cast<unsigned char*>(slabs.alloc(2));
    REQUIRE(a);
    CHECK_FALSE(slabs.free(a + 16)); // inside a block
    uintptr_t page = addr(a) & ~uintptr_t(Slabs::PAGE - 1);
    CHECK_FALSE(slabs.free(reinterpret_cast<void*>(page + 8))); // the header
    void* other = std::aligned_alloc(Slabs::PAGE, Slabs::PAGE);
    std::memset(other, 0, Slabs::PAGE);
    CHECK_FALSE(slabs.free(static_cast<char*>(other) + 64)); // not a slab page
    std::free(other);
    CHECK(pages.out == 1);
    CHECK(slabs.free(a));
    CHECK(pages.out == 0);
}
