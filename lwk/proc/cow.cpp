// Copy-on-write: a fork shares every page of the process's own with its
// child. Both leaves become read-only with PTE_COW and the frame is
// counted once more (mm/frame_refs; a 2 MiB page on its first frame, and
// never split while shared). The first write to such a page, by the
// program (a page fault, syscall/cow_fault.cpp), by the kernel (copy_out
// and the like) or by mkexec through the window (mk.ko asks with
// MK_MSG_COW, answered here from the core loop), copies it; the last
// mapper left just makes it writable again. A page Linux may hold
// (MK_PTE_LINUX_MAPPED) is copied only once Linux has dropped its view:
// mkexec must never read the old page for the new one.
#include <proc/address_space.hpp>
#include <proc/elf.hpp>
#include <proc/process.hpp>

#include <mk/proc.h>

#include <core/boot.hpp>
#include <core/percpu.hpp>
#include <mm/frame_refs.hpp>
#include <mm/pmm.hpp>
#include <sched/sched.hpp>

namespace lwk::proc {
namespace {

constexpr uint64_t PAGE = arch::PAGE_4K, HUGE = arch::PAGE_2M;
static_assert(arch::PTE_COW == MK_PTE_COW && arch::PTE_COW_ASKED == MK_PTE_COW_ASKED,
    "one copy-on-write bit for the LWK and mk.ko");

unsigned order_of(uint64_t span)
{
    return span == HUGE ? 9 : 0;
}

bool swap(uint64_t* e, uint64_t old, uint64_t now)
{
    return __atomic_compare_exchange_n(e, &old, now, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

} // namespace

const Region* AddressSpace::region_locked(uint64_t addr) const
{
    for (const Region& r : regions_)
        if (r.start <= addr && addr < r.end)
            return &r;
    return nullptr;
}

bool AddressSpace::has_tracked() const
{
    for (const Region& r : regions_)
        if (r.tracked && !internal(r.kind))
            return true;
    return false;
}

Result<AddressSpace*> AddressSpace::share_for_fork()
{
    sched::MutexGuard g(mutex_);
    AddressSpace* child = TRY(create());
    // The leaf bits the child keeps (not Linux's hold: the child's mkexec
    // has mapped nothing yet).
    constexpr uint64_t KEEP = arch::PTE_WRITE | arch::PTE_USER | arch::PTE_NX | arch::PTE_PWT |
        arch::PTE_PCD | arch::PTE_FOREIGN | arch::PTE_DIRTY | arch::PTE_COW;
    auto fail = [&] {
        flush_tlb();
        delete child; // its counts go back
        return Errno::NOMEM;
    };
    if (has_tracked()) {
        delete child; // nothing changed yet
        return Errno::NOMEM;
    }
    for (const Region& r : regions_) {
        if (internal(r.kind))
            continue;
        if (!child->regions_.push_back(r))
            return fail();
        for (uint64_t at = r.start; at < r.end;) {
            uint64_t span = 0;
            uint64_t* e = pt_.leaf_at(at, span);
            if (!e) {
                at += PAGE;
                continue;
            }
            const uint64_t base = at & ~(span - 1);
            uint64_t old = __atomic_load_n(e, __ATOMIC_RELAXED);
            const bool inside = base >= r.start && base + span <= r.end;
            if (old & arch::PTE_FOREIGN) {
                // Linux's page, shared as it is (mk.ko duplicates the pin).
                const uint64_t from = inside ? base : at, size = inside ? span : PAGE;
                if (child->pt_
                        .map(from, (old & arch::PTE_ADDR & ~(span - 1)) + (from - base), size,
                            old & KEEP, size)
                        .is_error())
                    return fail();
                at = from + size;
                continue;
            }
            if (!inside) {
                // A large page across the region's end (not shared: it
                // would have to be split): this part of it a copy.
                auto copy = mm::alloc_pages(0);
                if (copy.is_error())
                    return fail();
                __builtin_memcpy(boot::phys_to_virt(copy.value()),
                    boot::phys_to_virt((old & arch::PTE_ADDR) + (at - base)), PAGE);
                if (child->pt_
                        .map(at, copy.value(), PAGE,
                            (old & KEEP & ~arch::PTE_COW) | arch::PTE_DIRTY, PAGE)
                        .is_error()) {
                    mm::free_pages(copy.value(), 0);
                    return fail();
                }
                at += PAGE;
                continue;
            }
            const uint64_t frame = old & arch::PTE_ADDR & ~(span - 1);
            if (!mm::frame_get(frame))
                return fail();
            // Read-only here from now on (a write copies it); Linux's
            // writable view of it is the caller's to drop.
            uint64_t now;
            do
                now = (old | arch::PTE_COW) & ~arch::PTE_WRITE & ~uint64_t(MK_PTE_LINUX_MAPPED);
            while (!__atomic_compare_exchange_n(
                e, &old, now, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
            if (child->pt_.map(base, frame, span, now & KEEP, span).is_error()) {
                if (mm::frame_put(frame)) // not the child's after all
                    mm::free_pages(frame, order_of(span), !(now & arch::PTE_DIRTY));
                return fail();
            }
            at = base + span;
        }
    }
    flush_tlb(); // no core may write a shared page through an old translation
    child->brk_start = brk_start;
    child->brk = brk;
    child->peak_ = child->mapped_bytes();
    return child;
}

// No 2 MiB block free for a copy of a shared 2 MiB page: this process's
// leaf becomes 512 copies of 4 KiB (true), unless it changed meanwhile
// (false).
Result<bool> AddressSpace::copy_2m_in_pages(uint64_t* e, uint64_t old, uint64_t base, uint64_t bits)
{
    const uint64_t frame = old & arch::PTE_ADDR & ~(HUGE - 1);
    const uint64_t list = TRY(mm::alloc_pages(0)); // the 512 frames' addresses
    auto* pages = static_cast<uint64_t*>(boot::phys_to_virt(list));
    unsigned n = 0;
    auto undo = [&] {
        for (unsigned i = 0; i < n; ++i)
            mm::free_pages(pages[i], 0);
        mm::free_pages(list, 0);
    };
    for (; n < 512; ++n) {
        auto page = mm::alloc_pages(0);
        if (page.is_error()) {
            undo();
            return Errno::NOMEM;
        }
        pages[n] = page.value();
        __builtin_memcpy(boot::phys_to_virt(pages[n]), boot::phys_to_virt(frame + n * PAGE), PAGE);
    }
    auto replaced = pt_.replace_2m(e, old, pages, bits);
    if (replaced.is_error() || !replaced.value()) {
        undo();
        return replaced;
    }
    mm::free_pages(list, 0);
    flush_tlb(base, HUGE);
    if (mm::frame_put(frame)) // the others left meanwhile
        mm::free_pages(frame, order_of(HUGE), !(old & arch::PTE_DIRTY));
    return true;
}

AddressSpace::Unshare AddressSpace::unshare_locked(
    uint64_t va, bool for_write, LinuxView view, uint64_t& drop_start, uint64_t& drop_len)
{
    // Linux's hold on the page, and the LWK's question about it.
    constexpr uint64_t MARKS = MK_PTE_LINUX_MAPPED | arch::PTE_COW_ASKED;
    for (;;) {
        uint64_t span = 0;
        uint64_t* e = pt_.leaf_at(va, span);
        uint64_t old = e ? __atomic_load_n(e, __ATOMIC_ACQUIRE) : 0;
        if (!(old & arch::PTE_COW))
            return Unshare::none;
        const Region* r = region_locked(va);
        const bool writable = r && (r->prot & PROT_W);
        if (for_write && !writable)
            return Unshare::refused;
        const uint64_t base = va & ~(span - 1), frame = old & arch::PTE_ADDR & ~(span - 1);
        const uint64_t rights = writable ? arch::PTE_WRITE : 0;
        if (!mm::frame_shared(frame)) {
            // Nobody else maps it any more: this process's own as it is
            // (Linux's view of it stays right: the same page).
            if (!swap(e, old, (old & ~arch::PTE_COW & ~arch::PTE_COW_ASKED) | rights))
                continue;
            flush_tlb(base, span);
            return Unshare::done;
        }
        if (old & MK_PTE_LINUX_MAPPED) {
            // mkexec may read the old page: it must see the new one only,
            // so its views go first (and the bit stays until they are gone).
            drop_start = base;
            drop_len = span;
            if (view == LinuxView::drop_now) {
                // The caller drops them, holding the lock, and asks again.
                if (!swap(e, old, old & ~MARKS))
                    continue;
                return Unshare::drop;
            }
            if (view == LinuxView::keep)
                return Unshare::drop;
            if (view == LinuxView::ask || !(old & arch::PTE_COW_ASKED)) {
                // mk.ko drops them and asks again (dropped); a view it
                // makes meanwhile clears the question.
                if (!(old & arch::PTE_COW_ASKED) && !swap(e, old, old | arch::PTE_COW_ASKED))
                    continue;
                return Unshare::drop;
            }
            // dropped, and no view made since: copied below.
        }
        const uint64_t bits = (old & ~arch::PTE_ADDR & ~arch::PTE_COW & ~MARKS) | rights;
        auto copy = mm::alloc_pages(order_of(span));
        if (copy.is_error()) {
            if (span != HUGE)
                return Unshare::nomem;
            auto pages = copy_2m_in_pages(e, old, base, bits);
            if (pages.is_error())
                return Unshare::nomem;
            if (!pages.value())
                continue;
            return Unshare::done;
        }
        __builtin_memcpy(boot::phys_to_virt(copy.value()), boot::phys_to_virt(frame), span);
        if (!swap(e, old, copy.value() | bits)) {
            mm::free_pages(copy.value(), order_of(span));
            continue; // changed meanwhile (Linux mapped it, a CPU marked it accessed)
        }
        flush_tlb(base, span);
        if (mm::frame_put(frame)) // the others left meanwhile
            mm::free_pages(frame, order_of(span), !(old & arch::PTE_DIRTY));
        return Unshare::done;
    }
}

bool AddressSpace::own_page(uint64_t addr) const
{
    arch::Translation t;
    return !pt_.translate(addr, t) || !(t.flags & arch::PTE_COW) || unshare_here(*this, addr, true);
}

Result<void> AddressSpace::unshare_edges(uint64_t addr, uint64_t end) const
{
    for (uint64_t at : {addr, end}) {
        uint64_t span = 0;
        uint64_t* e = (at & (HUGE - 1)) ? pt_.leaf_at(at, span) : nullptr;
        if (e && span != PAGE && (__atomic_load_n(e, __ATOMIC_RELAXED) & arch::PTE_COW) &&
            !unshare_here(*this, at, false))
            return Errno::NOMEM;
    }
    return {};
}

namespace {

uint32_t answer_of(AddressSpace& as, uint64_t va, bool dropped)
{
    uint64_t start = 0, len = 0;
    const auto view = dropped ? AddressSpace::LinuxView::dropped : AddressSpace::LinuxView::ask;
    switch (as.unshare_locked(va & ~(PAGE - 1), true, view, start, len)) {
    case AddressSpace::Unshare::none: // unshared meanwhile: mk.ko looks again
    case AddressSpace::Unshare::done: return MK_COW_DONE;
    case AddressSpace::Unshare::drop:
        return MK_COW_DROP; // mk.ko drops Linux's view, then asks again
    default: return MK_COW_FAILED;
    }
}

void answer(uint32_t core, uint32_t seq, uint32_t what)
{
    boot::shared_store(percpu::of(core)->boot->cow_done, (seq << 2) | what);
}

// The thread holding p's address space, if it waits for a forwarded call
// (mkexec may be writing for that very call, or for a vfork's child that
// runs in this memory meanwhile): lent to do it, it answers.
bool lend_owner(Process* p, const mk_msg_cow& m)
{
    Thread* owner = p->as->mutex().owner();
    LockGuard<Spinlock> g(p->lock); // a thread on the list is not freed
    for (Thread* t = p->threads; t; t = t->proc_next)
        if (t == owner)
            return sched::lend(t, (m.va & ~(PAGE - 1)) | ((m.hdr.flags & MK_COW_DROPPED) ? 2 : 1),
                m.hdr.seq, percpu::index());
    return false;
}

} // namespace

// MK_MSG_COW, in the core loop: unshared here if no thread holds the
// address space; by the thread that does, if it waits for Linux; or
// later (it may be waiting for Linux to drop a view, which waits for this).
void cow_from_linux(const mk_msg_cow& m)
{
    uint32_t what = MK_COW_FAILED;
    if (Process* p = get(m.hdr.pid)) {
        if (p->state != Process::State::running) {
            what = MK_COW_FAILED;
        } else if (p->as->mutex().try_lock_loop()) {
            sched::unload_tables(); // as for a flush (tracked.cpp)
            what = answer_of(*p->as, m.va, m.hdr.flags & MK_COW_DROPPED);
            p->as->mutex().unlock_loop();
        } else if (lend_owner(p, m)) {
            put(p);
            return;
        } else {
            what = MK_COW_BUSY;
        }
        put(p);
    }
    answer(percpu::index(), m.hdr.seq, what);
}

void serve_lent(Thread* t)
{
    // Still the holder (it cannot let go while it waits): its page tables.
    // lent_va's low bits: 2 if mk.ko has dropped its views (MK_COW_DROPPED).
    const uint32_t what = t->proc->as->mutex().owner() == t
        ? answer_of(*t->proc->as, t->lent_va, t->lent_va & 2)
        : MK_COW_BUSY;
    answer(t->lent_core, t->lent_seq, what);
}

} // namespace lwk::proc
