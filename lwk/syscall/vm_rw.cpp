// process_vm_readv / process_vm_writev between two programs of this LWK
// (what Open MPI's shared-memory transport uses for one-copy messages,
// CMA): Linux cannot read an LWK process's memory (mkexec's window is no
// memory Linux's own copy can pin), so the LWK copies between the two
// address spaces itself, between processes of one user, after Linux has
// said the caller may (its ptrace check, PTRACE_MODE_ATTACH_REALCREDS,
// made by mkexec: MK_SYS_VM_ACCESS; remembered per peer process). Any
// other pid is Linux's: forwarded.
#include <syscall/syscall.hpp>

#include <proc/process.hpp>

#include <mk/proc.h>

namespace lwk::sys {
namespace {

struct IoVec {
    uint64_t base, len;
};
constexpr uint64_t IOV_MAX = 1024;

// Whether c's process may read and write peer's memory: only a process of
// the same user and group (as mk.ko recorded them when it created both:
// mkexec is the user's own program, so its answer alone proves nothing),
// and only if Linux's ptrace check, made by mkexec, allows it too (Yama,
// dumpable). Root reaches only root's processes.
Result<void> may_access(Context& c, proc::Process* peer)
{
    proc::Process* p = c.proc;
    if (peer == p)
        return {};
    if (peer->uid != p->uid || peer->gid != p->gid)
        return Errno::PERM;
    {
        LockGuard<Spinlock> g(p->lock);
        for (const auto& known : p->vm_peers)
            if (known.pid == peer->pid && known.serial == peer->serial)
                return {};
    }
    TRY(forward_call(c, MK_SYS_VM_ACCESS, uint64_t(uint32_t(peer->pid))));
    LockGuard<Spinlock> g(p->lock);
    auto& slot = p->vm_peers[peer->serial % (sizeof p->vm_peers / sizeof p->vm_peers[0])];
    slot = {peer->pid, peer->serial};
    return {};
}

Result<long> vm_rw(Context& c, bool write)
{
    const int32_t pid = int32_t(c.a[0]);
    const uint64_t local_iov = c.a[1], nlocal = c.a[2], remote_iov = c.a[3], nremote = c.a[4];
    proc::Process* peer = proc::get(pid);
    if (!peer)
        return forward(c); // a process of Linux's, or none
    struct Put {
        proc::Process* p;
        ~Put() { proc::put(p); }
    } put{peer};
    if (c.a[5])
        return Errno::INVAL;
    if (nlocal > IOV_MAX || nremote > IOV_MAX)
        return Errno::INVAL;
    TRY(may_access(c, peer));

    proc::AddressSpace& mine = *c.proc->as;
    proc::AddressSpace& theirs = *peer->as;
    uint64_t done = 0;
    IoVec l{}, r{};
    uint64_t li = 0, ri = 0;
    uint8_t bounce[2048]; // on the 16 KiB kernel stack

    for (;;) {
        while (!l.len && li < nlocal)
            TRY(mine.copy_in(&l, local_iov + 16 * li++, sizeof l));
        while (!r.len && ri < nremote) {
            if (mine.copy_in(&r, remote_iov + 16 * ri++, sizeof r).is_error())
                return done ? Result<long>(long(done)) : Result<long>(Errno::FAULT);
        }
        if (!l.len || !r.len)
            break;
        uint64_t n = l.len < r.len ? l.len : r.len;
        if (n > sizeof bounce)
            n = sizeof bounce;
        // A fault on the remote side ends the copy with what was done; one
        // on the local side is EFAULT (Linux's partial-transfer rules).
        if (write) {
            TRY(mine.copy_in(bounce, l.base, n));
            if (theirs.copy_out(r.base, bounce, n).is_error())
                return done ? Result<long>(long(done)) : Result<long>(Errno::FAULT);
        } else {
            if (theirs.copy_in(bounce, r.base, n).is_error())
                return done ? Result<long>(long(done)) : Result<long>(Errno::FAULT);
            TRY(mine.copy_out(l.base, bounce, n));
        }
        l.base += n, l.len -= n, r.base += n, r.len -= n;
        done += n;
    }
    return long(done);
}

} // namespace

Result<long> sys_process_vm_readv(Context& c) { return vm_rw(c, false); }
Result<long> sys_process_vm_writev(Context& c) { return vm_rw(c, true); }

} // namespace lwk::sys
