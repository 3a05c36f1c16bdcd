// New processes. Linux's (mkexec --fork=linux): fork, vfork and
// clone without CLONE_VM hand mkexec the calling thread's registers, its
// signal state and the list of the program's regions (MK_SYS_FORK,
// <mk/proc.h>); mkexec makes a child of its own holding a copy of that
// memory (and sharing the shared mappings' pages with the program), which
// continues from the call on Linux; a vfork's child runs in the program's
// own memory until its execve or end, and the call waits for that. execve leaves the LWK
// the same way (MK_SYS_EXECVE): mkexec becomes the new program. With
// mkexec --fork=same (the default) or free a fork's child is an LWK
// process instead, sharing this one's memory copy-on-write
// (proc/fork_image.cpp), but for a process with a tracked mapping; a
// vfork stays Linux's.
#include <syscall/syscall.hpp>

#include <proc/layout.hpp>
#include <proc/process.hpp>
#include <proc/signal.hpp>
#include <sched/mutex.hpp>
#include <syscall/scratch.hpp>

#include <lib/vector.hpp>

#include <mk/proc.h>

namespace lwk::sys {
namespace {

constexpr uint64_t CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
                   CLONE_VFORK = 0x4000, CLONE_THREAD = 0x10000, CLONE_SETTLS = 0x80000,
                   CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000,
                   CLONE_CHILD_SETTID = 0x1000000;
constexpr uint64_t PROCESS_FLAGS = CLONE_VM | CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID |
    CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | 0xff;

static_assert(__builtin_offsetof(mk_fork_state, fxsave) % 16 == 0);

// The signal state a new process or a new image starts from.
void fill_signals(Context& c, mk_fork_state& st)
{
    proc::Thread* t = c.thread;
    proc::Process* p = c.proc;
    LockGuard<Spinlock> g(p->lock);
    st.sigmask = t->sigmask;
    for (int i = 0; i < 64; ++i)
        st.actions[i] = {p->actions[i].handler, p->actions[i].flags, p->actions[i].restorer, p->actions[i].mask};
    st.altstack_sp = t->altstack_sp;
    st.altstack_size = t->altstack_size;
    st.altstack_flags = t->altstack_flags;
}

// A child on the LWK (--fork=same|free): its image waits in the process
// until mkexec's child has made its process of it, or the fork has failed.
Result<long> child_on_lwk(Context& c, mk_fork_state& st, uint64_t flags, uint64_t sp, uint64_t tls,
    uint64_t child_tid)
{
    auto made = proc::make_fork_image(*c.frame, flags, sp, tls, child_tid);
    // The pages are read-only now (shared with the child; or some of them,
    // if making the child failed): mkexec may hold them writable, and must
    // fault them in again.
    drop_linux_view(c, proc::USER_START, proc::USER_END - proc::USER_START);
    const uint32_t image = TRY(made);
    struct Drop {
        proc::Process* p;
        ~Drop() { proc::drop_fork_image(p); }
    } drop{c.proc};
    st.lwk_image = image;
    Scratch s(c, sizeof st);
    if (!s.addr())
        return Errno::NOMEM;
    TRY(s.put(0, &st, sizeof st));
    return forward_call(c, MK_SYS_FORK, s.addr(), sizeof st);
}

} // namespace

Result<long> new_process(Context& c, uint64_t flags, uint64_t sp, uint64_t parent_tid, uint64_t child_tid,
    uint64_t tls)
{
    // Sharing the address space is only vfork's way (the parent waits).
    if ((flags & ~PROCESS_FLAGS) || ((flags & CLONE_VM) && !(flags & CLONE_VFORK)) || (flags & 0xff) > 64)
        return Errno::INVAL;
    mk_fork_state st{};
    alignas(16) uint8_t fx[512];
    asm volatile("fxsave64 %0" : "=m"(fx)); // the program's x87/SSE registers, live in this call
    __builtin_memcpy(st.fxsave, fx, sizeof fx);
    const arch::InterruptFrame& f = *c.frame;
    st.flags = flags;
    st.child_tid = child_tid;
    st.r15 = f.r15, st.r14 = f.r14, st.r13 = f.r13, st.r12 = f.r12, st.r11 = f.r11, st.r10 = f.r10;
    st.r9 = f.r9, st.r8 = f.r8, st.rbp = f.rbp, st.rdi = f.rdi, st.rsi = f.rsi, st.rdx = f.rdx;
    st.rcx = f.rcx, st.rbx = f.rbx, st.rax = 0;
    st.rip = f.rip, st.rflags = f.rflags, st.rsp = sp ? sp : f.rsp;
    st.fs_base = (flags & CLONE_SETTLS) ? tls : c.thread->fs_base;
    fill_signals(c, st);

    long pid;
    sched::MutexGuard lock(c.proc->as->mutex());
    // A child on the LWK (--fork=same|free, the default): the address
    // space stays as shared until the fork is over. A process with a
    // tracked mapping (a writable shared file mapping on ext4, xfs: pages
    // Linux may reclaim) has its children on Linux, which share it.
    if (c.proc->fork_lwk && !(flags & (CLONE_VM | CLONE_VFORK)) && !c.proc->as->has_tracked()) {
        pid = TRY(child_on_lwk(c, st, flags, sp, tls, child_tid));
    } else {
        // The regions stay as listed until mkexec has copied them. Only
        // their written pages are copied; the rest is zero in the child;
        // shared mappings are shared. A vfork's child copies nothing: it
        // runs in this address space (mkexec's window onto it), which
        // stays as it is until the child's execve or end, when the call
        // returns.
        const proc::AddressSpace& as = *c.proc->as;
        const bool in_place = (flags & (CLONE_VM | CLONE_VFORK)) == (CLONE_VM | CLONE_VFORK);
        Vector<mk_fork_region> pieces;
        const auto& regions = as.regions();
        if (regions.size() > MK_FORK_MAX_REGIONS)
            return Errno::NOMEM;
        uint64_t left = regions.size(); // regions still to list, one piece each at least
        for (const proc::Region& r : regions) {
            if (in_place)
                break; // a vfork's child runs in this address space
            --left;
            if (proc::internal(r.kind))
                continue;
            // A shared mapping's pages are Linux's: the child shares them
            // (mkexec's own mapping of the pin moves into place there).
            if (r.kind == proc::RegionKind::shared && !r.cow && r.pin && r.start >= r.pin_base) {
                mk_fork_region share{r.start, r.end - r.start, r.prot, MK_FORK_SHARE, r.pin, 0, r.start - r.pin_base};
                if (!pieces.push_back(share))
                    return Errno::NOMEM;
                continue;
            }
            for (uint64_t at = r.start; at < r.end;) {
                bool written = false;
                uint64_t to = r.prot ? as.written_run(at, r.end, written) : r.end;
                if (pieces.size() + left + 1 >= MK_FORK_MAX_REGIONS) // too scattered: the rest whole
                    to = r.end, written = true;
                if (!pieces.push_back(mk_fork_region{at, to - at, r.prot, written ? MK_FORK_COPY : MK_FORK_ZERO, 0, 0, 0}))
                    return Errno::NOMEM;
                at = to;
            }
        }
        const uint64_t bytes = sizeof st + pieces.size() * sizeof(mk_fork_region);
        Scratch s(c, bytes);
        if (!s.addr())
            return Errno::NOMEM;
        st.nr_regions = uint32_t(pieces.size());
        TRY(s.put(0, &st, sizeof st));
        TRY(s.put(sizeof st, pieces.begin(), pieces.size() * sizeof(mk_fork_region)));
        pid = TRY(forward_call(c, MK_SYS_FORK, s.addr(), bytes));
    }
    if ((flags & CLONE_PARENT_SETTID) && parent_tid) {
        int32_t child = int32_t(pid);
        (void)c.proc->as->copy_out(parent_tid, &child, sizeof child);
    }
    return pid;
}

Result<long> sys_fork(Context& c) { return new_process(c, proc::SIGCHLD, 0, 0, 0, 0); }
Result<long> sys_vfork(Context& c) { return new_process(c, CLONE_VM | CLONE_VFORK | proc::SIGCHLD, 0, 0, 0, 0); }

Result<long> sys_execveat(Context& c)
{
    // execveat(dirfd, path, argv, envp, flags)
    mk_fork_state st{};
    fill_signals(c, st);
    sched::MutexGuard lock(c.proc->as->mutex());
    // /proc/self/exe is the program's file (for mkexec, its own).
    const bool own_exe = names_own_exe(c, c.a[1]);
    const uint64_t exe_len = __builtin_strlen(c.proc->exe) + 1;
    Scratch s(c, sizeof st + (own_exe ? exe_len : 0));
    if (!s.addr())
        return Errno::NOMEM;
    TRY(s.put(0, &st, sizeof st));
    uint64_t path = c.a[1];
    if (own_exe) {
        TRY(s.put(sizeof st, c.proc->exe, exe_len));
        path = s.addr() + sizeof st;
    }
    return forward_call(c, MK_SYS_EXECVE, c.a[0], path, c.a[2], c.a[3], c.a[4], s.addr());
}

Result<long> sys_execve(Context& c)
{
    constexpr uint64_t AT_FDCWD = uint64_t(-100);
    c.a[4] = 0;
    c.a[3] = c.a[2];
    c.a[2] = c.a[1];
    c.a[1] = c.a[0];
    c.a[0] = AT_FDCWD;
    return sys_execveat(c);
}

} // namespace lwk::sys
