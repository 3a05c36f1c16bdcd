// The program's credential calls go through glibc, which applies them to
// every thread of the process (its set*id broadcast), so all of mkexec's
// threads change together, exactly as the program's threads would on
// Linux. What glibc cannot apply process-wide is refused: the capability,
// securebits, no-new-privs and seccomp prctls with EPERM; setfsuid and
// setfsgid answer the current id without changing it (their way of
// refusing). (capset, seccomp, unshare and setns are refused by the
// system-call table, <mk/syscalls.def>.)
#include "credentials.hpp"

#include <cerrno>
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace mkexec {
namespace {

long result(int r)
{
    return r == -1 ? -errno : r;
}

bool thread_local_prctl(unsigned long option)
{
    switch (option) {
    case PR_SET_KEEPCAPS:
    case PR_SET_SECUREBITS:
    case PR_CAPBSET_DROP:
    case PR_CAP_AMBIENT:
    case PR_SET_NO_NEW_PRIVS:
    case PR_SET_SECCOMP:
    case PR_SET_MM: return true;
    default: return false;
    }
}

} // namespace

bool thread_wide_call(long nr, const __u64* a, long* ret)
{
    const auto u = [&](int i) { return static_cast<uid_t>(a[i]); };
    const auto g = [&](int i) { return static_cast<gid_t>(a[i]); };
    switch (nr) {
    case SYS_setuid: *ret = result(::setuid(u(0))); return true;
    case SYS_setgid: *ret = result(::setgid(g(0))); return true;
    case SYS_setreuid: *ret = result(::setreuid(u(0), u(1))); return true;
    case SYS_setregid: *ret = result(::setregid(g(0), g(1))); return true;
    case SYS_setresuid: *ret = result(::setresuid(u(0), u(1), u(2))); return true;
    case SYS_setresgid: *ret = result(::setresgid(g(0), g(1), g(2))); return true;
    case SYS_setgroups:
        if (a[0] > 65536) {
            *ret = -EINVAL;
            return true;
        }
        *ret = result(::setgroups(static_cast<size_t>(a[0]), reinterpret_cast<const gid_t*>(a[1])));
        return true;
    case SYS_setfsuid: *ret = ::setfsuid(static_cast<uid_t>(-1)); return true;
    case SYS_setfsgid: *ret = ::setfsgid(static_cast<gid_t>(-1)); return true;
    case SYS_prctl:
        if (!thread_local_prctl(a[0]))
            return false;
        *ret = -EPERM;
        return true;
    default: return false;
    }
}

} // namespace mkexec
