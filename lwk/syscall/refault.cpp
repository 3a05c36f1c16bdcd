// A program's page faults that are not its error. It writes a page a fork
// shares (proc/cow.cpp): the page becomes its own, and the write is tried
// again. It touched a page of a tracked mapping (proc/tracked.cpp) that is
// not there, or is there read-only and it writes: its thread asks mkexec
// (MK_SYS_REFAULT), which has mk.ko fault the page into mkexec's own
// mapping of the file and put it into this process's entry, and the access
// is tried again.
#include <syscall/syscall.hpp>

#include <core/percpu.hpp>
#include <proc/process.hpp>
#include <sched/mutex.hpp>

#include <arch/pagetable.hpp>
#include <mk/proc.h>

namespace lwk::sys {

namespace {

Refault resolve(Context& c, uint64_t addr, bool write, bool exec)
{
    proc::AddressSpace* as = c.proc->as;
    const uint64_t e = as->tracked_entry(addr);
    const bool present = e & arch::PTE_PRESENT;
    if (present ? !(e & MK_PTE_TRACKED) : !(e & MK_TRACK_MARKER))
        return Refault::none;
    const bool allowed = (e & arch::PTE_USER) && !(exec && (e & arch::PTE_NX)) &&
        !(write && !(e & (present ? MK_PTE_TRACK_W : arch::PTE_WRITE)));
    if (!allowed)
        return Refault::segv;
    if (present && (!write || (e & arch::PTE_WRITE)))
        return Refault::done; // another thread's fault put it in meanwhile
    auto r = forward_call(c, MK_SYS_REFAULT, addr & ~(arch::PAGE_4K - 1), write ? 1 : 0);
    if (!r.is_error())
        return Refault::done;
    switch (Errno(r.error().code)) {
    case Errno::ACCES:
        return Refault::segv; // its rights changed meanwhile
    case Errno::INVAL:
        // Not a tracked page by now (unmapped meanwhile: the access faults
        // as there is nothing), unless the entry is still what it was.
        return as->tracked_entry(addr) == e ? Refault::bus : Refault::done;
    case Errno::FAULT:
    case Errno::NOMEM:
        return Refault::bus; // no page of the file there (past its end)
    default:
        // A signal cut the wait short, or the process is ending: the
        // signal is dealt with, then the access faults again.
        return Refault::done;
    }
}

// The context of thread t's refault, outside any system call of its own.
Context refault_context(proc::Thread* t, arch::InterruptFrame* f)
{
    Context c{};
    c.nr = MK_SYS_REFAULT;
    c.frame = f;
    c.thread = t;
    c.proc = t->proc;
    return c;
}

} // namespace

// The shared page at addr becomes the process's own, Linux's view of the
// old one dropped first where Linux may hold it (the thread waits for that
// under the address space's lock, as munmap does).
proc::AddressSpace::Unshare unshare(Context& c, proc::AddressSpace& as, uint64_t addr, bool for_write)
{
    using U = proc::AddressSpace::Unshare;
    // Linux's view of another process's page is not this thread's to drop.
    const bool own = &as == c.proc->as;
    const auto view = own ? proc::AddressSpace::LinuxView::drop_now : proc::AddressSpace::LinuxView::keep;
    sched::MutexGuard g(as.mutex());
    for (;;) {
        uint64_t start = 0, len = 0;
        const U u = as.unshare_locked(addr, for_write, view, start, len);
        if (u != U::drop)
            return u;
        if (!own)
            return U::nomem;
        drop_linux_view(c, start, len);
    }
}

Refault refault(arch::InterruptFrame& f, uint64_t addr)
{
    constexpr uint64_t PF_WRITE = 1 << 1, PF_FETCH = 1 << 4;
    Context c = refault_context(percpu::current()->current, &f);
    if (f.error_code & PF_WRITE) {
        using U = proc::AddressSpace::Unshare;
        switch (unshare(c, *c.proc->as, addr, true)) {
        case U::done: return Refault::done;
        case U::refused: return Refault::segv; // a read-only mapping
        case U::nomem: return Refault::bus;    // no memory for the copy
        default: break;                        // not a shared page
        }
    }
    return resolve(c, addr, f.error_code & PF_WRITE, f.error_code & PF_FETCH);
}

} // namespace lwk::sys

namespace lwk::proc {

bool fault_in_tracked(const AddressSpace& as, uint64_t addr, bool write)
{
    percpu::Cpu* cpu = percpu::current();
    Thread* t = cpu ? cpu->current : nullptr;
    if (!t || t->proc->as != &as)
        return false; // another process's memory, or no thread of the process here
    sys::Context c = sys::refault_context(t, nullptr);
    return !sys::fault_in(c, addr, write).is_error();
}

bool unshare_here(const AddressSpace& as, uint64_t addr, bool for_write)
{
    percpu::Cpu* cpu = percpu::current();
    Thread* t = cpu ? cpu->current : nullptr;
    auto& mine = const_cast<AddressSpace&>(as); // the lock held: the caller's is a read-only view of it
    AddressSpace::Unshare u;
    if (t) {
        sys::Context c = sys::refault_context(t, nullptr);
        u = sys::unshare(c, mine, addr, for_write);
    } else { // the core loop (a fork's child before it runs): no thread to wait for Linux
        uint64_t start = 0, len = 0;
        u = mine.unshare_locked(addr, for_write, AddressSpace::LinuxView::keep, start, len);
    }
    return u != AddressSpace::Unshare::nomem && u != AddressSpace::Unshare::drop;
}

} // namespace lwk::proc

namespace lwk::sys {

Result<void> fault_in(Context& c, uint64_t addr, bool write)
{
    for (int tries = 0; tries < 8; ++tries) {
        const uint64_t e = c.proc->as->tracked_entry(addr);
        if (!(e & (MK_TRACK_MARKER | MK_PTE_TRACKED)) ||
            ((e & arch::PTE_PRESENT) && (!write || (e & arch::PTE_WRITE))))
            return {}; // nothing to do: not tracked, or there
        if (resolve(c, addr, write, false) != Refault::done)
            return Errno::FAULT;
    }
    return {}; // taken out again each time: the call's own check decides
}

} // namespace lwk::sys
