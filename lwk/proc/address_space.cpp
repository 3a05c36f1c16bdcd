#include <proc/address_space.hpp>
#include <proc/elf.hpp>
#include <proc/layout.hpp>

#include <mk/proc.h>

#include <core/boot.hpp>
#include <mm/buddy.hpp>
#include <mm/frame_refs.hpp>
#include <mm/kernel_vm.hpp>
#include <mm/kmap.hpp>
#include <core/channel.hpp>
#include <mm/pmm.hpp>

#include <core/percpu.hpp>
#include <sched/mutex.hpp>

#include <arch/apic.hpp>
#include <arch/cpu.hpp>

namespace lwk::proc {
namespace {

constexpr uint64_t PAGE = arch::PAGE_4K;
constexpr uint64_t HUGE = arch::PAGE_2M;
constexpr unsigned HUGE_ORDER = 9;

bool aligned(uint64_t v, uint64_t a) { return (v & (a - 1)) == 0; }

} // namespace

// The leaves unmap takes out, as pieces of memory: a whole 2 MiB leaf as
// one block, a 4 KiB one as a page (the buddy allocator takes any
// naturally aligned piece of a block back). A leaf never dirty was never
// written: its memory is still zero. Pieces are freed in batches, each
// after a TLB flush (no core may write them any more, or set a dirty
// bit), or handed to `later` to be freed once Linux has dropped its view.
// A frame a fork shared goes back only with its last mapper.
static void free_piece(const Piece& p)
{
    if (!p.cow || mm::frame_put(p.phys))
        mm::free_pages(p.phys, p.order, p.zero);
}

class AddressSpace::Reclaim final : public arch::LeafSink {
public:
    Reclaim(const AddressSpace& as, Pieces* later, bool flush) : as_(as), later_(later), flush_(flush) {}
    ~Reclaim() { drain(); }
    void leaf(uint64_t entry, uint64_t page_size) override
    {
        unsigned order = page_size == HUGE ? HUGE_ORDER : 0;
        linux_mapped |= (entry & MK_PTE_LINUX_MAPPED) != 0;
        flushed = false;
        if (entry & arch::PTE_FOREIGN) {
            unflushed_ = true; // Linux's page: its pin, not the allocator, takes it back
            return;
        }
        batch_[n_++] = Piece{entry & arch::PTE_ADDR & ~(page_size - 1), order, !(entry & arch::PTE_DIRTY), 0, 0,
            (entry & arch::PTE_COW) != 0};
        if (n_ == BATCH)
            drain();
    }
    void drain()
    {
        if (!n_ && !unflushed_)
            return;
        unflushed_ = false;
        if (flush_) {
            as_.flush_tlb();
            flushed = true;
        }
        for (size_t i = 0; i < n_; ++i)
            // No room to defer: the caller dropped Linux's view before asking.
            if (!later_ || !later_->push_back(batch_[i]))
                free_piece(batch_[i]);
        n_ = 0;
    }
    bool linux_mapped = false; // a leaf mk.ko had mapped into mkexec
    // A flush came after the last leaf taken out: every leaf is followed by
    // one (its batch's drain, or the final one).
    bool flushed = false;

private:
    static constexpr size_t BATCH = 64;
    const AddressSpace& as_;
    Pieces* later_;
    bool flush_;
    Piece batch_[BATCH];
    size_t n_ = 0;
    bool unflushed_ = false; // foreign leaves taken out since the last flush
};

uint64_t pte_bits(uint32_t prot)
{
    uint64_t bits = arch::PTE_USER;
    if (prot & PROT_W)
        bits |= arch::PTE_WRITE;
    if (!(prot & PROT_X))
        bits |= arch::PTE_NX;
    return bits;
}

Result<AddressSpace*> AddressSpace::create()
{
    arch::PageTable pt = TRY(arch::PageTable::create(mm::table_allocator(), MK_LWK_DIRECT_BASE));
    pt.share_top(mm::kernel_page_table(), 256, 511);
    auto* as = new AddressSpace(pt);
    return as;
}

AddressSpace::~AddressSpace()
{
    // Never free the tables the core runs on: back to the kernel's first.
    if (arch::read_cr3() == pt_.root())
        mm::kernel_vm_load();
    if (percpu::current()->as_loaded.load() == this)
        percpu::current()->as_loaded.store(nullptr);
    Reclaim reclaim(*this, nullptr, false); // no core has these tables loaded any more
    for (const Region& r : regions_)
        (void)pt_.unmap(r.start, r.end - r.start, &reclaim);
    reclaim.drain();
    pt_.destroy_range(0, 255);
    pt_.destroy();
}

void AddressSpace::activate() const { arch::write_cr3(pt_.root()); }

// Allocates, zeroes and maps [addr, addr + len), 2 MiB pages where aligned.
Result<void> AddressSpace::populate(uint64_t addr, uint64_t len, uint32_t prot)
{
    if (!(prot & (PROT_R | PROT_W | PROT_X)))
        return {}; // PROT_NONE: reserved, nothing behind it
    const uint64_t bits = pte_bits(prot);
    uint64_t v = addr, end = addr + len;
    while (v < end) {
        uint64_t size = PAGE;
        Result<uint64_t> phys = Errno::NOMEM;
        if (aligned(v, HUGE) && end - v >= HUGE) {
            phys = mm::alloc_pages_zeroed(HUGE_ORDER);
            if (!phys.is_error())
                size = HUGE;
        }
        if (phys.is_error())
            phys = mm::alloc_pages_zeroed(0);
        if (phys.is_error()) {
            drop_pages(addr, v - addr, nullptr);
            return Errno::NOMEM;
        }
        auto mapped = pt_.map(v, phys.value(), size, bits, size);
        if (mapped.is_error()) {
            mm::free_pages(phys.value(), size == HUGE ? HUGE_ORDER : 0, true);
            drop_pages(addr, v - addr, nullptr);
            return mapped.error();
        }
        v += size;
    }
    return {};
}

void free_pieces(Pieces& pieces)
{
    for (const Piece& p : pieces) {
        if (p.pin) {
            mk_msg_unpin m{};
            m.hdr = {MK_MSG_UNPIN, 0, p.pid, 0, 0};
            m.id = p.pin;
            channel::send(&m, sizeof m);
            continue;
        }
        free_piece(p);
    }
    pieces.clear();
}

void* AddressSpace::view(const arch::Translation& t, unsigned slot)
{
    if (t.flags & arch::PTE_FOREIGN)
        return mm::kmap(slot, t.phys);
    return boot::phys_to_virt(t.phys);
}

uint64_t AddressSpace::page_size_at(uint64_t addr) const
{
    sched::MutexGuard g(mutex_);
    arch::Translation t;
    return pt_.translate(addr, t) ? t.page_size : 0;
}

bool AddressSpace::foreign_phys(uint64_t addr, uint64_t& phys) const
{
    sched::MutexGuard g(mutex_);
    arch::Translation t;
    if (!pt_.translate(addr, t) || !(t.flags & arch::PTE_FOREIGN))
        return false;
    phys = t.phys;
    return true;
}

bool AddressSpace::phys_at(uint64_t addr, uint64_t& phys, bool& foreign) const
{
    sched::MutexGuard g(mutex_);
    arch::Translation t;
    if (!pt_.translate(addr, t) || !(t.flags & arch::PTE_USER))
        return false;
    phys = t.phys;
    foreign = t.flags & arch::PTE_FOREIGN;
    return true;
}

const Region* AddressSpace::region_at(uint64_t addr) const
{
    sched::MutexGuard g(mutex_);
    for (const Region& r : regions_)
        if (r.start <= addr && addr < r.end)
            return &r;
    return nullptr;
}

Result<void> AddressSpace::map_shared(uint64_t addr, uint64_t len, uint32_t prot, uint32_t max_prot, uint32_t pin,
    bool shm, bool cow, bool tracked)
{
    sched::MutexGuard g(mutex_);
    if (!len || !aligned(addr, PAGE) || !aligned(len, PAGE) || (prot & ~max_prot))
        return Errno::INVAL;
    if (addr < USER_START || addr > USER_END || len > USER_END - addr)
        return Errno::NOMEM;
    size_t at = 0;
    for (const Region& r : regions_) {
        if (r.start < addr + len && addr < r.end)
            return Errno::EXIST;
        if (r.start < addr)
            ++at;
    }
    Region r{addr, addr + len, prot, RegionKind::shared};
    r.pin = pin;
    r.max_prot = max_prot;
    r.shm = shm;
    r.cow = cow;
    r.pin_base = addr;
    r.tracked = tracked;
    if (!regions_.insert(at, r))
        return Errno::NOMEM;
    return {};
}

Result<void> AddressSpace::insert_foreign(uint64_t addr, const uint64_t* pfns, uint64_t n)
{
    sched::MutexGuard g(mutex_);
    const Region* r = nullptr;
    for (const Region& x : regions_)
        if (x.start <= addr && addr < x.end)
            r = &x;
    if (!r || r->kind != RegionKind::shared || n > (r->end - addr) / PAGE)
        return Errno::INVAL;
    // PROT_NONE: present, but out of the program's reach.
    uint64_t bits = arch::PTE_FOREIGN | (r->prot ? pte_bits(r->prot) : arch::PTE_NX);
    for (uint64_t i = 0; i < n;) {
        uint64_t v = addr + i * PAGE, pa = pfns[i] * PAGE;
        uint64_t size = PAGE;
        if (aligned(v, HUGE) && aligned(pa, HUGE) && n - i >= 512) {
            bool run = true;
            for (uint64_t k = 1; k < 512 && run; ++k)
                run = pfns[i + k] == pfns[i] + k;
            if (run)
                size = HUGE;
        }
        TRY(pt_.map(v, pa, size, bits, size));
        i += size / PAGE;
    }
    return {};
}

bool AddressSpace::drop_pages(uint64_t addr, uint64_t len, Pieces* later)
{
    Reclaim r(*this, later, true);
    (void)pt_.unmap(addr, len, &r);
    return r.linux_mapped;
}

// Makes addr a boundary between regions (splitting the one around it).
Result<void> AddressSpace::split_regions_at(uint64_t addr)
{
    for (size_t i = 0; i < regions_.size(); ++i) {
        Region r = regions_[i];
        if (r.start < addr && addr < r.end) {
            Region upper = r;
            upper.start = addr;
            regions_[i].end = addr;
            if (!regions_.insert(i + 1, upper))
                return Errno::NOMEM;
            return {};
        }
    }
    return {};
}

uint64_t AddressSpace::find_free(uint64_t hint, uint64_t len) const
{
    sched::MutexGuard g(mutex_);
    uint64_t align = len >= HUGE ? HUGE : PAGE;
    uint64_t v = (hint < MMAP_BASE ? MMAP_BASE : hint);
    v = (v + align - 1) & ~(align - 1);
    for (const Region& r : regions_) {
        if (r.end <= v)
            continue;
        if (r.start >= v + len)
            break;
        v = (r.end + align - 1) & ~(align - 1);
    }
    if (v + len > STACK_TOP - (64ULL << 30) || v + len < v)
        return 0; // keep clear of the stack's reach
    return v;
}

Result<uint64_t> AddressSpace::map(uint64_t addr, uint64_t len, uint32_t prot, RegionKind kind, bool fixed)
{
    sched::MutexGuard g(mutex_);
    if (!len || !aligned(addr, PAGE) || !aligned(len, PAGE))
        return Errno::INVAL;
    if (!fixed) {
        addr = find_free(addr, len);
        if (!addr)
            return Errno::NOMEM;
    }
    if (addr < USER_START || addr > USER_END || len > USER_END - addr)
        return Errno::NOMEM;
    for (const Region& r : regions_)
        if (r.start < addr + len && addr < r.end)
            return Errno::EXIST;
    TRY(populate(addr, len, prot));
    size_t at = 0;
    while (at < regions_.size() && regions_[at].start < addr)
        ++at;
    if (!regions_.insert(at, Region{addr, addr + len, prot, kind})) {
        drop_pages(addr, len, nullptr);
        return Errno::NOMEM;
    }
    uint64_t now = mapped_bytes();
    if (now > peak_)
        peak_ = now;
    return addr;
}

Result<void> AddressSpace::unmap(uint64_t addr, uint64_t len, Pieces* later, bool* linux_mapped)
{
    sched::MutexGuard g(mutex_);
    if (!len || !aligned(addr, PAGE))
        return Errno::INVAL;
    len = (len + PAGE - 1) & ~(PAGE - 1);
    uint64_t end = addr + len;
    TRY(unshare_edges(addr, end));
    TRY(split_regions_at(addr));
    TRY(split_regions_at(end));
    {
        Reclaim reclaim(*this, later, true);
        uint32_t pins[8];
        unsigned nr_pins = 0;
        bool tracked_gone = false;
        for (size_t i = 0; i < regions_.size();) {
            Region r = regions_[i];
            if (r.start >= addr && r.end <= end) {
                if (r.tracked) {
                    // Markers too; mkexec's view of it is mk.ko's, which
                    // must drop it before the addresses are reused.
                    untrack(r.start, r.end);
                    tracked_gone = true;
                }
                (void)pt_.unmap(r.start, r.end - r.start, &reclaim);
                regions_.erase(i);
                if (r.kind == RegionKind::shared && nr_pins < 8)
                    pins[nr_pins++] = r.pin;
            } else {
                ++i;
            }
        }
        reclaim.drain();
        // A pin nothing maps any more goes back, after Linux's view of it
        // (the caller drops that before freeing `later`).
        for (unsigned k = 0; k < nr_pins; ++k) {
            bool again = false;
            for (unsigned j = 0; j < k; ++j)
                again |= pins[j] == pins[k];
            if (!again)
                release_pin_if_unused(pins[k], later);
        }
        if (linux_mapped)
            *linux_mapped = reclaim.linux_mapped || tracked_gone;
        if (reclaim.flushed && !tracked_gone)
            return {}; // the pieces' flush covered every change
    }
    flush_tlb(); // (also when nothing was mapped there: the caller's rule)
    return {};
}

// Stale translations must go before the pages they name are reused. Every
// core with this page table loaded flushes (without PCIDs a core holds no
// translations of an address space it has not loaded): this one now, the
// others on a TLB IPI, and this one waits until each has (or has moved to
// another page table, which flushes too). The generation tells which flush
// a core has done.
void AddressSpace::flush_tlb(uint64_t addr, uint64_t len) const
{
    // Up to this many pages are cheaper to invalidate one by one than to
    // refill the whole TLB after a CR3 reload (Linux's ceiling is 33).
    constexpr uint64_t INVLPG_MAX = 32;
    uint64_t gen = tlb_gen_.fetch_add(1) + 1;
    percpu::Cpu* me = percpu::current();
    if (me->as_loaded.load() == this) {
        // INVLPG drops any translation of the page, a 2 MiB one split
        // meanwhile included, and every paging-structure cache entry.
        if (len <= INVLPG_MAX * PAGE) {
            for (uint64_t v = addr; v < addr + len; v += PAGE)
                arch::invlpg(v);
        } else {
            arch::write_cr3(pt_.root());
        }
        me->flushed_gen.store(gen);
    }
    uint64_t waiting = 0;
    for (uint32_t i = 0; i < percpu::MAX_CORES; ++i) {
        percpu::Cpu* c = percpu::of(i);
        if (!c || c == me || c->as_loaded.load() != this)
            continue;
        arch::apic::send_ipi(c->apic_id, MK_LWK_VECTOR_TLB);
        waiting |= 1ULL << i;
    }
    while (waiting) {
        for (uint32_t i = 0; i < percpu::MAX_CORES; ++i) {
            percpu::Cpu* c = percpu::of(i);
            if ((waiting & (1ULL << i)) && (c->as_loaded.load() != this || c->flushed_gen.load() >= gen))
                waiting &= ~(1ULL << i);
        }
        arch::pause();
    }
}

Result<void*> AddressSpace::kernel_address(uint64_t addr, uint64_t len, bool write) const
{
    sched::MutexGuard g(mutex_);
    arch::Translation t;
    if (len == 0 || (addr & (PAGE - 1)) + len > PAGE)
        return Errno::INVAL;
    if (write && !own_page(addr))
        return Errno::FAULT;
    if ((!pt_.translate(addr, t) || (write && !(t.flags & arch::PTE_WRITE))) &&
        (!fault_in_tracked(*this, addr, write) || !pt_.translate(addr, t) || (write && !(t.flags & arch::PTE_WRITE))))
        return Errno::FAULT;
    if (write)
        pt_.set_dirty(addr);
    return view(t, 0);
}

Result<void> AddressSpace::protect(uint64_t addr, uint64_t len, uint32_t prot, Pieces* later, bool* linux_mapped)
{
    sched::MutexGuard g(mutex_);
    if (!aligned(addr, PAGE))
        return Errno::INVAL;
    len = (len + PAGE - 1) & ~(PAGE - 1);
    uint64_t end = addr + len;
    // Linux's rule: the whole range must be mapped.
    for (uint64_t v = addr; v < end;) {
        const Region* hit = nullptr;
        for (const Region& r : regions_)
            if (r.start <= v && v < r.end)
                hit = &r;
        if (!hit)
            return Errno::NOMEM;
        v = hit->end;
    }
    // Shared memory keeps the rights its pin allows (a file open read-only
    // cannot become writable), as Linux refuses with EACCES. A private
    // file mapping may become writable: it is copied then.
    for (const Region& r : regions_)
        if (r.start < end && addr < r.end && r.kind == RegionKind::shared && (prot & ~r.max_prot) &&
            !(r.cow && !(prot & ~(r.max_prot | PROT_W))))
            return Errno::ACCES;
    TRY(unshare_edges(addr, end));
    TRY(split_regions_at(addr));
    TRY(split_regions_at(end));
    uint64_t seen = 0;
    bool dropped_linux = false;
    for (Region& r : regions_) {
        if (r.start < addr || r.end > end)
            continue;
        if (r.kind == RegionKind::shared && r.cow && (prot & PROT_W)) {
            TRY(privatize(r, later, dropped_linux));
            TRY(pt_.protect(r.start, r.end - r.start, pte_bits(prot), &seen));
            r.prot = prot;
            continue;
        }
        bool was_none = !(r.prot & (PROT_R | PROT_W | PROT_X));
        bool now_none = !(prot & (PROT_R | PROT_W | PROT_X));
        if (r.tracked) {
            // Every page faults in anew with the new rights (mk.ko's view
            // of it too: a write must reach the file system as one).
            retrack(r, r.start, r.end, prot);
            dropped_linux = true;
        } else if (r.kind == RegionKind::shared) {
            // Linux's pages stay; only their rights change (PROT_NONE: out
            // of the program's reach, still mapped).
            TRY(pt_.protect(r.start, r.end - r.start, now_none ? arch::PTE_NX : pte_bits(prot), &seen));
        } else if (was_none && !now_none) {
            TRY(populate(r.start, r.end - r.start, prot));
        } else if (!was_none && now_none) {
            dropped_linux |= drop_pages(r.start, r.end - r.start, later);
        } else if (!now_none) {
            TRY(pt_.protect(r.start, r.end - r.start, pte_bits(prot), &seen));
        }
        r.prot = prot;
    }
    flush_tlb(addr, len);
    if (linux_mapped)
        *linux_mapped = dropped_linux || (seen & MK_PTE_LINUX_MAPPED);
    return {};
}

Result<void> AddressSpace::privatize(Region& r, Pieces* later, bool& linux_mapped)
{
    for (uint64_t v = r.start; v < r.end; v += PAGE) {
        uint64_t* e = pt_.leaf_entry(v);
        uint64_t old = e ? __atomic_load_n(e, __ATOMIC_RELAXED) : 0;
        if (!(old & arch::PTE_FOREIGN))
            continue; // a copy already, or past the file's end (nothing there)
        uint64_t phys = TRY(mm::alloc_pages(0));
        __builtin_memcpy(boot::phys_to_virt(phys), mm::kmap(0, old & arch::PTE_ADDR), PAGE);
        // Written memory from now on (freed as such); the rights follow.
        uint64_t now = phys | (old & ~arch::PTE_ADDR & ~arch::PTE_FOREIGN & ~uint64_t(MK_PTE_LINUX_MAPPED)) |
            arch::PTE_DIRTY | arch::PTE_ACCESSED;
        __atomic_exchange_n(e, now, __ATOMIC_SEQ_CST);
        linux_mapped |= (old & MK_PTE_LINUX_MAPPED) != 0;
    }
    // Every core drops the old translations before the pin can go.
    flush_tlb(r.start, r.end - r.start);
    uint32_t pin = r.pin;
    r.kind = RegionKind::anon;
    r.pin = 0;
    r.max_prot = 0;
    r.cow = false;
    release_pin_if_unused(pin, later);
    return {};
}

void AddressSpace::release_pin_if_unused(uint32_t pin, Pieces* later)
{
    for (const Region& r : regions_)
        if (r.kind == RegionKind::shared && r.pin == pin)
            return;
    if (later)
        (void)later->push_back(Piece{0, 0, false, pin, owner_});
}

bool AddressSpace::any_mapped(uint64_t addr, uint64_t len) const
{
    sched::MutexGuard g(mutex_);
    for (const Region& r : regions_)
        if (r.start < addr + len && addr < r.end)
            return true;
    return false;
}

bool AddressSpace::accessible(uint64_t addr, uint64_t len, uint32_t prot) const
{
    sched::MutexGuard g(mutex_);
    uint64_t end = addr + len;
    if (end < addr)
        return false;
    for (uint64_t v = addr; v < end;) {
        const Region* hit = nullptr;
        for (const Region& r : regions_)
            if (r.start <= v && v < r.end)
                hit = &r;
        if (!hit || (hit->prot & prot) != prot)
            return false;
        v = hit->end;
    }
    return true;
}

Result<void> AddressSpace::copy_in(void* dst, uint64_t src, uint64_t len) const
{
    sched::MutexGuard g(mutex_);
    auto* d = static_cast<uint8_t*>(dst);
    while (len) {
        arch::Translation t;
        if ((!pt_.translate(src, t) || !(t.flags & arch::PTE_USER)) &&
            (!fault_in_tracked(*this, src, false) || !pt_.translate(src, t) || !(t.flags & arch::PTE_USER)))
            return Errno::FAULT;
        uint64_t chunk = PAGE - (src & (PAGE - 1));
        if (chunk > len)
            chunk = len;
        __builtin_memcpy(d, view(t, 0), chunk);
        d += chunk;
        src += chunk;
        len -= chunk;
    }
    return {};
}

Result<void> AddressSpace::copy_out(uint64_t dst, const void* src, uint64_t len) const
{
    sched::MutexGuard g(mutex_);
    auto* s = static_cast<const uint8_t*>(src);
    while (len) {
        arch::Translation t;
        constexpr uint64_t RW = arch::PTE_WRITE | arch::PTE_USER;
        if (!own_page(dst))
            return Errno::FAULT;
        if ((!pt_.translate(dst, t) || (t.flags & RW) != RW) &&
            (!fault_in_tracked(*this, dst, true) || !pt_.translate(dst, t) || (t.flags & RW) != RW))
            return Errno::FAULT;
        pt_.set_dirty(dst);
        uint64_t chunk = PAGE - (dst & (PAGE - 1));
        if (chunk > len)
            chunk = len;
        __builtin_memcpy(view(t, 0), s, chunk);
        s += chunk;
        dst += chunk;
        len -= chunk;
    }
    return {};
}

Result<uint64_t> AddressSpace::map_sink(uint64_t len)
{
    sched::MutexGuard g(mutex_);
    len = (len + PAGE - 1) & ~(PAGE - 1);
    uint64_t addr = find_free(MMAP_BASE, len);
    if (!addr || !len)
        return Errno::NOMEM;
    size_t at = 0;
    while (at < regions_.size() && regions_[at].start < addr)
        ++at;
    if (!regions_.insert(at, Region{addr, addr + len, 0, RegionKind::sink}))
        return Errno::NOMEM;
    // Dirty: freed as written memory. Held by Linux: unmapping it waits for mk.ko.
    const uint64_t bits = arch::PTE_WRITE | arch::PTE_NX | arch::PTE_DIRTY | arch::PTE_LINUX_HELD | arch::PTE_PIN_SINK;
    for (uint64_t v = addr; v < addr + len; v += PAGE) {
        auto phys = mm::alloc_pages_zeroed(0);
        auto mapped = phys.is_error() ? Result<void>(phys.error()) : pt_.map(v, phys.value(), PAGE, bits, PAGE);
        if (mapped.is_error()) {
            if (!phys.is_error())
                mm::free_pages(phys.value(), 0, true);
            drop_pages(addr, v - addr, nullptr);
            regions_.erase(at);
            return Errno::NOMEM;
        }
    }
    return addr;
}

Result<void> AddressSpace::read_sink(void* dst, uint64_t src, uint64_t len) const
{
    sched::MutexGuard g(mutex_);
    auto* d = static_cast<uint8_t*>(dst);
    while (len) {
        arch::Translation t;
        if (!pt_.translate(src, t) || (t.flags & (arch::PTE_USER | arch::PTE_PIN_SINK)) != arch::PTE_PIN_SINK)
            return Errno::FAULT;
        uint64_t chunk = PAGE - (src & (PAGE - 1));
        if (chunk > len)
            chunk = len;
        __builtin_memcpy(d, boot::phys_to_virt(t.phys), chunk);
        d += chunk;
        src += chunk;
        len -= chunk;
    }
    return {};
}

Result<void> AddressSpace::copy_between(uint64_t dst, uint64_t src, uint64_t n) const
{
    sched::MutexGuard g(mutex_);
    while (n) {
        arch::Translation s, d;
        if (!own_page(dst))
            return Errno::FAULT;
        if (!pt_.translate(src, s) || !pt_.translate(dst, d) || !(s.flags & d.flags & arch::PTE_USER) ||
            !(d.flags & arch::PTE_WRITE))
            return Errno::FAULT;
        pt_.set_dirty(dst);
        uint64_t chunk = PAGE - (src & (PAGE - 1));
        uint64_t room = PAGE - (dst & (PAGE - 1));
        if (chunk > room)
            chunk = room;
        if (chunk > n)
            chunk = n;
        __builtin_memcpy(view(d, 0), view(s, 1), chunk);
        src += chunk;
        dst += chunk;
        n -= chunk;
    }
    return {};
}

Result<void> AddressSpace::zero(uint64_t addr, uint64_t len, bool only_written) const
{
    sched::MutexGuard g(mutex_);
    while (len) {
        arch::Translation t;
        uint64_t chunk = PAGE - (addr & (PAGE - 1));
        if (chunk > len)
            chunk = len;
        // PROT_NONE pages have nothing to zero; pages nobody wrote are zero;
        // a file's shared pages keep their contents (MADV_DONTNEED refaults
        // them from the file on Linux).
        if (pt_.translate(addr, t) && !(t.flags & arch::PTE_FOREIGN) &&
            (!only_written || (t.flags & arch::PTE_DIRTY))) {
            // A page a fork shares becomes this process's own first.
            if ((t.flags & arch::PTE_COW) && (!unshare_here(*this, addr, false) || !pt_.translate(addr, t)))
                return Errno::NOMEM;
            __builtin_memset(boot::phys_to_virt(t.phys), 0, chunk);
        }
        addr += chunk;
        len -= chunk;
    }
    return {};
}

uint64_t AddressSpace::written_run(uint64_t addr, uint64_t end, bool& written) const
{
    sched::MutexGuard g(mutex_);
    bool first = true;
    while (addr < end) {
        arch::Translation t;
        bool w = false;
        uint64_t step = PAGE - (addr & (PAGE - 1));
        if (pt_.translate(addr, t)) {
            w = t.flags & (arch::PTE_DIRTY | arch::PTE_FOREIGN);
            step = t.page_size - (addr & (t.page_size - 1));
        }
        if (first)
            written = w, first = false;
        else if (w != written)
            break;
        addr += step;
    }
    return addr < end ? addr : end;
}

Result<uint64_t> AddressSpace::strlen_user(uint64_t src, uint64_t max) const
{
    sched::MutexGuard g(mutex_);
    for (uint64_t n = 0; n < max; ++n) {
        char c;
        TRY(copy_in(&c, src + n, 1));
        if (!c)
            return n;
    }
    return Errno::TOOBIG;
}

uint64_t AddressSpace::mapped_bytes() const
{
    sched::MutexGuard g(mutex_);
    uint64_t n = 0;
    for (const Region& r : regions_)
        if (r.prot)
            n += r.end - r.start;
    return n;
}

} // namespace lwk::proc
