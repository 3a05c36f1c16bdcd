#include <catch2/catch.hpp>

#include <arch/pagetable.hpp>

#include <cstdlib>
#include <set>

using namespace lwk::arch;

namespace {

// Table pages from host memory; "physical" = host address (offset 0).
class HostTables final : public TableAllocator {
public:
    lwk::Result<uint64_t> alloc_table() override
    {
        if (fail_after == 0)
            return lwk::Errno::NOMEM;
        if (fail_after > 0)
            --fail_after;
        void* p = std::aligned_alloc(4096, 4096);
        __builtin_memset(p, 0, 4096);
        live.insert(reinterpret_cast<uint64_t>(p));
        return reinterpret_cast<uint64_t>(p);
    }
    void free_table(uint64_t phys) override
    {
        REQUIRE(live.erase(phys) == 1);
        std::free(reinterpret_cast<void*>(phys));
    }
    ~HostTables()
    {
        for (uint64_t p : live)
            std::free(reinterpret_cast<void*>(p));
    }
    std::set<uint64_t> live;
    int fail_after = -1;
};

constexpr uint64_t KERNEL = 0xffff800000000000ULL;

} // namespace

TEST_CASE("mappings use the largest page alignment allows", "[pagetable]")
{
    HostTables t;
    PageTable pt = PageTable::create(t, 0).value();
    REQUIRE_FALSE(pt.map(KERNEL, 0x40000000, PAGE_1G + PAGE_2M + PAGE_4K, PROT_KERNEL_RW).is_error());
    Translation tr;
    REQUIRE(pt.translate(KERNEL + 0x1234, tr));
    CHECK(tr.phys == 0x40001234);
    CHECK(tr.page_size == PAGE_1G);
    CHECK((tr.flags & PTE_NX));
    CHECK((tr.flags & PTE_WRITE));
    REQUIRE(pt.translate(KERNEL + PAGE_1G + 5, tr));
    CHECK(tr.page_size == PAGE_2M);
    CHECK(tr.phys == 0x40000000 + PAGE_1G + 5);
    REQUIRE(pt.translate(KERNEL + PAGE_1G + PAGE_2M, tr));
    CHECK(tr.page_size == PAGE_4K);
    CHECK_FALSE(pt.translate(KERNEL + PAGE_1G + PAGE_2M + PAGE_4K, tr));
    // Misaligned physical memory gets small pages.
    REQUIRE_FALSE(pt.map(0x200000000, 0x1000, PAGE_2M, PTE_USER | PTE_WRITE).is_error());
    REQUIRE(pt.translate(0x200000000, tr));
    CHECK(tr.page_size == PAGE_4K);
    CHECK((tr.flags & PTE_USER));
    // max_page limits the page size.
    REQUIRE_FALSE(pt.map(0x400000000, 0x80000000, PAGE_2M, 0, PAGE_4K).is_error());
    REQUIRE(pt.translate(0x400000000, tr));
    CHECK(tr.page_size == PAGE_4K);
}

TEST_CASE("mapping over a mapping is refused and changes nothing", "[pagetable]")
{
    HostTables t;
    PageTable pt = PageTable::create(t, 0).value();
    REQUIRE_FALSE(pt.map(0x10000000, 0x10000000, 3 * PAGE_4K, PROT_KERNEL_RW).is_error());
    size_t tables = t.live.size();
    CHECK(pt.map(0x10000000 - PAGE_4K, 0x50000000, 2 * PAGE_4K, PROT_KERNEL_RW).error().code ==
        int(lwk::Errno::EXIST));
    Translation tr;
    CHECK_FALSE(pt.translate(0x10000000 - PAGE_4K, tr));
    CHECK(t.live.size() == tables);
    CHECK(pt.map(0x1001, 0, PAGE_4K, 0).error().code == int(lwk::Errno::INVAL));
    CHECK(pt.map(0x0000800000000000ULL, 0, PAGE_4K, 0).error().code == int(lwk::Errno::INVAL)); // non-canonical
}

TEST_CASE("a 4 KiB slot holds what its owner puts there, present or not", "[pagetable]")
{
    HostTables t;
    PageTable pt = PageTable::create(t, 0).value();
    CHECK(pt.slot(0x30000000, false) == nullptr); // no tables there yet
    uint64_t* e = pt.slot(0x30001000, true);
    REQUIRE(e != nullptr);
    CHECK(*e == 0);
    *e = 0x4000000000000002ULL; // an absent page with bits of the caller's (a marker)
    CHECK(pt.slot(0x30001000, false) == e);
    Translation tr;
    CHECK_FALSE(pt.translate(0x30001000, tr)); // absent for the CPU and for walks
    CHECK_FALSE(pt.any_mapped(0x30000000, PAGE_2M));
    REQUIRE_FALSE(pt.unmap(0x30000000, PAGE_2M).is_error());
    CHECK(*e == 0x4000000000000002ULL); // unmap leaves what is not a page alone
    // A slot inside a large page does not exist.
    REQUIRE_FALSE(pt.map(0x40000000, 0x40000000, PAGE_2M, PTE_USER).is_error());
    CHECK(pt.slot(0x40001000, true) == nullptr);
    CHECK(pt.slot(0x0000800000000000ULL, true) == nullptr); // non-canonical
}

TEST_CASE("unmapping part of a large page splits it and keeps the rest", "[pagetable]")
{
    HostTables t;
    PageTable pt = PageTable::create(t, 0).value();
    REQUIRE_FALSE(pt.map(0x40000000, 0x80000000, PAGE_2M, PROT_KERNEL_RW).is_error());
    REQUIRE_FALSE(pt.unmap(0x40000000 + 2 * PAGE_4K, PAGE_4K).is_error());
    Translation tr;
    CHECK_FALSE(pt.translate(0x40000000 + 2 * PAGE_4K, tr));
    REQUIRE(pt.translate(0x40000000 + 3 * PAGE_4K + 7, tr));
    CHECK(tr.phys == 0x80000000 + 3 * PAGE_4K + 7);
    CHECK(tr.page_size == PAGE_4K);
    CHECK((tr.flags & PTE_HUGE) == 0); // bit 7 is PAT at the 4 KiB level
    REQUIRE(pt.translate(0x40000000, tr));
    CHECK(tr.phys == 0x80000000);
    // A 1 GiB page cut in the middle splits twice.
    REQUIRE_FALSE(pt.map(KERNEL, 0, PAGE_1G, PROT_KERNEL_RW).is_error());
    REQUIRE_FALSE(pt.unmap(KERNEL + PAGE_2M + PAGE_4K, PAGE_4K).is_error());
    REQUIRE(pt.translate(KERNEL + PAGE_2M, tr));
    CHECK(tr.page_size == PAGE_4K);
    REQUIRE(pt.translate(KERNEL + 5 * PAGE_2M, tr));
    CHECK(tr.page_size == PAGE_2M);
    CHECK(tr.phys == 5 * PAGE_2M);
    // Unmapping what is not mapped is fine.
    REQUIRE_FALSE(pt.unmap(0x7000000000, PAGE_1G).is_error());
}

TEST_CASE("protect changes the permission bits of what is mapped", "[pagetable]")
{
    HostTables t;
    PageTable pt = PageTable::create(t, 0).value();
    REQUIRE_FALSE(pt.map(0x600000, 0x600000, 4 * PAGE_4K, PTE_USER | PTE_WRITE | PTE_NX).is_error());
    REQUIRE_FALSE(pt.protect(0x601000, PAGE_4K, PTE_USER).is_error());
    Translation tr;
    REQUIRE(pt.translate(0x601000, tr));
    CHECK((tr.flags & (PTE_WRITE | PTE_NX)) == 0);
    CHECK((tr.flags & PTE_USER));
    REQUIRE(pt.translate(0x602000, tr));
    CHECK((tr.flags & PTE_WRITE));
}

TEST_CASE("a copy-on-write leaf is never writable: mapped, protected, found at any size", "[pagetable]")
{
    HostTables t;
    PageTable pt = PageTable::create(t, 0).value();
    // A fork's shared pages: asked for writable, mapped read-only.
    REQUIRE_FALSE(pt.map(0x400000, 0x40000000, PAGE_2M, PTE_USER | PTE_WRITE | PTE_COW, PAGE_2M).is_error());
    REQUIRE_FALSE(pt.map(0x800000, 0x7000, PAGE_4K, PTE_USER | PTE_WRITE | PTE_COW).is_error());
    REQUIRE_FALSE(pt.map(0x801000, 0x8000, PAGE_4K, PTE_USER | PTE_WRITE).is_error());
    Translation tr;
    REQUIRE(pt.translate(0x400000 + 5, tr));
    CHECK(tr.page_size == PAGE_2M);
    CHECK((tr.flags & PTE_COW));
    CHECK_FALSE((tr.flags & PTE_WRITE));
    // mprotect(PROT_READ | PROT_WRITE) keeps it read-only (its first write copies it).
    REQUIRE_FALSE(pt.protect(0x400000, PAGE_2M, PTE_USER | PTE_WRITE).is_error());
    REQUIRE_FALSE(pt.protect(0x800000, 2 * PAGE_4K, PTE_USER | PTE_WRITE | PTE_NX).is_error());
    REQUIRE(pt.translate(0x400000, tr));
    CHECK_FALSE((tr.flags & PTE_WRITE));
    REQUIRE(pt.translate(0x800000, tr));
    CHECK_FALSE((tr.flags & PTE_WRITE));
    CHECK((tr.flags & PTE_NX));
    REQUIRE(pt.translate(0x801000, tr));
    CHECK((tr.flags & PTE_WRITE)); // a page of its own becomes writable
    uint64_t span = 0;
    uint64_t* e = pt.leaf_at(0x400000 + 0x12345, span);
    REQUIRE(e);
    CHECK(span == PAGE_2M);
    CHECK((*e & PTE_ADDR) == 0x40000000);
    e = pt.leaf_at(0x800000, span);
    REQUIRE(e);
    CHECK(span == PAGE_4K);
    CHECK((*e & PTE_COW));
    CHECK_FALSE(pt.leaf_at(0x900000, span));
    // A shared 2 MiB page copied in 4 KiB pieces: the leaf becomes a table of them.
    e = pt.leaf_at(0x400000, span);
    const uint64_t old = *e;
    uint64_t frames[512];
    for (unsigned i = 0; i < 512; ++i)
        frames[i] = 0x10000000 + (511 - i) * PAGE_4K;
    CHECK_FALSE(pt.replace_2m(e, old ^ PTE_ACCESSED, frames, PTE_USER | PTE_WRITE).value()); // changed meanwhile
    REQUIRE(pt.replace_2m(e, old, frames, PTE_USER | PTE_WRITE | PTE_HUGE).value());
    REQUIRE(pt.translate(0x400000 + 3 * PAGE_4K + 7, tr));
    CHECK(tr.page_size == PAGE_4K);
    CHECK(tr.phys == 0x10000000 + 508 * PAGE_4K + 7);
    CHECK((tr.flags & PTE_WRITE));
    REQUIRE(pt.leaf_entry(0x400000 + PAGE_2M - PAGE_4K));
    CHECK((*pt.leaf_entry(0x400000 + PAGE_2M - PAGE_4K) & PTE_ADDR) == 0x10000000);
}

TEST_CASE("protect reports the bits its leaves held before the change", "[pagetable]")
{
    HostTables t;
    PageTable pt = PageTable::create(t, 0).value();
    REQUIRE_FALSE(pt.map(0x600000, 0x600000, 4 * PAGE_4K, PTE_USER | PTE_WRITE | PTE_NX).is_error());
    pt.set_dirty(0x602000); // as mk.ko or a CPU marks a leaf
    uint64_t seen = 0;
    REQUIRE_FALSE(pt.protect(0x600000, 2 * PAGE_4K, PTE_USER, &seen).is_error());
    CHECK((seen & PTE_WRITE));
    CHECK_FALSE((seen & PTE_DIRTY));
    seen = 0;
    REQUIRE_FALSE(pt.protect(0x600000, 4 * PAGE_4K, PTE_USER, &seen).is_error());
    CHECK((seen & PTE_DIRTY)); // the third page's
    Translation tr;
    REQUIRE(pt.translate(0x602000, tr));
    CHECK((tr.flags & PTE_DIRTY)); // kept through the change
    CHECK_FALSE((tr.flags & PTE_WRITE));
}

TEST_CASE("tables are freed, shared kernel halves are not", "[pagetable]")
{
    HostTables t;
    PageTable kernel = PageTable::create(t, 0).value();
    REQUIRE_FALSE(kernel.map(KERNEL, 0, PAGE_2M, PROT_KERNEL_RW).is_error());
    size_t kernel_tables = t.live.size();
    PageTable user = PageTable::create(t, 0).value();
    user.share_top(kernel, 256, 511);
    Translation tr;
    CHECK(user.translate(KERNEL + 42, tr));
    REQUIRE_FALSE(user.map(0x400000, 0x1000000, 64 * PAGE_4K, PTE_USER).is_error());
    user.destroy_range(0, 255);
    CHECK_FALSE(user.translate(0x400000, tr));
    user.destroy();
    CHECK(t.live.size() == kernel_tables);
    CHECK(kernel.translate(KERNEL + 42, tr));
}

TEST_CASE("running out of table memory fails cleanly", "[pagetable]")
{
    HostTables t;
    PageTable pt = PageTable::create(t, 0).value();
    t.fail_after = 1;
    CHECK(pt.map(0x400000, 0, PAGE_4K, 0).error().code == int(lwk::Errno::NOMEM));
}
