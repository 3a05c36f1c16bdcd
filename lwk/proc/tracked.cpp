// Tracked shared mappings (<mk/proc.h>, MK_PIN_SINK_TRACKED): a writable
// MAP_SHARED mapping of a file whose file system tracks dirty pages (ext4,
// xfs). Linux must stay free to write such pages back, truncate and
// reclaim them, so mk.ko does not pin them: the LWK's entry of an absent
// page is a marker (the pin, the page's index in it, the rights), a touch
// faults and asks mk.ko through mkexec (MK_SYS_REFAULT, syscall/refault.cpp)
// to put the page in, and mk.ko puts the marker back (and has this kernel
// flush its TLBs: MK_MSG_FLUSH) before Linux changes the page. Entries of
// tracked regions change atomically: mk.ko changes them too.
#include <proc/address_space.hpp>

#include <core/boot.hpp>
#include <core/cmdline.hpp>
#include <core/log.hpp>
#include <core/percpu.hpp>
#include <proc/process.hpp>
#include <sched/sched.hpp>

#include <arch/pagetable.hpp>
#include <mk/proc.h>

namespace lwk::proc {
namespace {

static_assert(MK_PTE_FOREIGN == arch::PTE_FOREIGN, "mk.ko marks a tracked page as the LWK marks Linux's");

constexpr uint64_t PAGE = arch::PAGE_4K;

uint64_t marker(uint32_t pin, uint64_t index, uint32_t prot)
{
    uint64_t bits = prot ? pte_bits(prot) : arch::PTE_NX; // PROT_NONE: out of the program's reach
    return MK_TRACK_MARKER | (uint64_t(pin) << MK_TRACK_ID_SHIFT) | (index << MK_TRACK_INDEX_SHIFT) |
        (bits & (arch::PTE_WRITE | arch::PTE_USER | arch::PTE_NX));
}

} // namespace

Result<void> AddressSpace::insert_markers(uint64_t addr, uint64_t n)
{
    sched::MutexGuard g(mutex_);
    const Region* r = nullptr;
    for (const Region& x : regions_)
        if (x.start <= addr && addr < x.end)
            r = &x;
    if (!r || !r->tracked || n > (r->end - addr) / PAGE || n > MK_TRACK_INDEX_MASK + 1)
        return Errno::INVAL;
    for (uint64_t i = 0; i < n; ++i) {
        uint64_t v = addr + i * PAGE;
        uint64_t* e = pt_.slot(v, true);
        if (!e)
            return Errno::NOMEM;
        __atomic_store_n(e, marker(r->pin, (v - r->pin_base) / PAGE, r->prot), __ATOMIC_RELEASE);
    }
    return {};
}

uint64_t AddressSpace::tracked_entry(uint64_t addr)
{
    uint64_t* e = pt_.slot(addr & ~(PAGE - 1), false);
    return e ? __atomic_load_n(e, __ATOMIC_ACQUIRE) : 0;
}

void AddressSpace::retrack(const Region& r, uint64_t from, uint64_t to, uint32_t prot)
{
    for (uint64_t v = from; v < to; v += PAGE) {
        uint64_t* e = pt_.slot(v, false);
        if (!e)
            continue;
        uint64_t old = __atomic_load_n(e, __ATOMIC_ACQUIRE);
        if (!(old & (MK_TRACK_MARKER | MK_PTE_TRACKED)))
            continue; // past the file's end: nothing there
        __atomic_exchange_n(e, marker(r.pin, (v - r.pin_base) / PAGE, prot), __ATOMIC_SEQ_CST);
    }
}

void AddressSpace::untrack(uint64_t from, uint64_t to)
{
    for (uint64_t v = from; v < to; v += PAGE)
        if (uint64_t* e = pt_.slot(v, false))
            __atomic_exchange_n(e, 0, __ATOMIC_SEQ_CST);
}

void flush_from_linux(const mk_msg_flush& m)
{
    // A broken LWK, for tests: Linux must stop it rather than wait for ever.
    if (cmdline::has("debug", "noflush")) {
        klog("debug=noflush on the command line: not flushing pid %d's pages", m.hdr.pid);
        return;
    }
    if (Process* p = get(m.hdr.pid)) {
        // Not with this core's tables loaded (a core waiting for this one
        // to flush, while this one waits for it, would wait for ever):
        // reloading the kernel's flushes this core, the others take IPIs.
        sched::unload_tables();
        p->as->flush_tlb(m.start & ~(PAGE - 1), m.len);
        put(p);
    }
    percpu::Cpu* cpu = percpu::current();
    boot::shared_store(cpu->boot->flush_done, m.hdr.seq);
}

} // namespace lwk::proc
