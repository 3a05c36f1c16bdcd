// Every forwarded call is performed as it comes, with these exceptions:
// its arguments are checked by their kinds (arguments.cpp: no pointer
// reaches mkexec's own memory); calls on credentials apply to all of
// mkexec's threads or are refused (credentials.cpp); the
// program may not close, read, write, ioctl, fcntl or dup mkexec's own
// descriptors nor see them in a listing of /proc/self/fd, and
// MK_SYS_MAP_SHARED
// MK_SYS_SHMAT, MK_SYS_FORK, MK_SYS_EXECVE and MK_SYS_VM_ACCESS (the
// LWK's, <mk/proc.h>) are mkexec's own work. (Its /proc/self files,
// /proc/self/exe among them, are the LWK's: those calls never come here.)
#include "forward.hpp"
#include "arguments.hpp"
#include "credentials.hpp"
#include "fd_listing.hpp"
#include "fork.hpp"
#include "lwk_process.hpp"
#include "shared_map.hpp"
#include "signals.hpp"

#include <mk/proc.h>

#include <cerrno>
#include <cstring>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

namespace mkexec {
namespace {

long raw(long nr, const __u64* a)
{
    long r = ::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    return r == -1 ? -errno : r;
}

} // namespace

long may_access_memory(pid_t pid)
{
    // A one-byte read of the other process's address 0 makes the very check
    // process_vm_readv makes (PTRACE_MODE_ATTACH_REALCREDS): EPERM is a
    // refusal, ESRCH no such process; EFAULT (nothing at 0) means allowed.
    char byte;
    iovec local{&byte, 1}, remote{nullptr, 1};
    if (::process_vm_readv(pid, &local, 1, &remote, 1, 0) >= 0 || errno == EFAULT)
        return 0;
    return -errno;
}

long perform(LwkProcess& proc, const mk_proc_event& call)
{
    const __u64* a = call.args;
    long ret = 0;
    switch (call.nr) {
    case MK_SYS_MAP_SHARED:
        return map_shared(proc, a);
    case MK_SYS_SHMAT:
        return shm_attach(proc, a);
    case MK_SYS_FORK:
        return fork_program(proc, a);
    case MK_SYS_EXECVE:
        return exec_program(a);
    case MK_SYS_VM_ACCESS:
        return may_access_memory(static_cast<pid_t>(a[0]));
    case MK_SYS_PAGE_NODE:
        return proc.page_node(static_cast<uint32_t>(a[0]), a[1]);
    case MK_SYS_REFAULT:
        return proc.refault(a[0], a[1] != 0);
    case SYS_kill:
        if (static_cast<pid_t>(a[0]) == 0 || static_cast<pid_t>(a[0]) < -1)
            return kill_group(static_cast<pid_t>(a[0]), static_cast<int>(a[1]));
        break;
    // mkexec's own descriptors (its process fd, its event loop's) are
    // closed to the program's calls as if they were not open.
    case SYS_close:
    case SYS_ioctl:
    case SYS_read:
    case SYS_write:
    case SYS_readv:
    case SYS_writev:
    case SYS_sendmsg:
    case SYS_recvmsg:
    case SYS_fcntl:
    case SYS_dup:
        if (is_own_fd(static_cast<long>(a[0])))
            return -EBADF;
        break;
    case SYS_dup2:
    case SYS_dup3:
        if (is_own_fd(static_cast<long>(a[0])) || is_own_fd(static_cast<long>(a[1])))
            return -EBADF;
        break;
    default: break;
    }
    if (checked_call(call, &ret) || thread_wide_call(static_cast<long>(call.nr), a, &ret))
        return ret;
    switch (call.nr) {
    case SYS_getdents64:
        return list_dir(static_cast<int>(a[0]), a[1], a[2]);
    case SYS_open:
    case SYS_openat:
    case SYS_openat2:
    case SYS_creat:
    case SYS_open_by_handle_at:
    case SYS_pidfd_getfd: {
        // mkexec's own memory (/proc/<its pid>/mem, however named) and a
        // copy of one of its own descriptors stay out of the program's reach.
        long fd = raw(static_cast<long>(call.nr), a);
        if (fd >= 0 && (is_own_memory(static_cast<int>(fd)) || is_own_file(static_cast<int>(fd)))) {
            ::close(static_cast<int>(fd));
            return call.nr == SYS_pidfd_getfd ? -EBADF : -EACCES;
        }
        return fd;
    }
    case SYS_close_range: {
        // Close what was asked around mkexec's own descriptors.
        unsigned first = static_cast<unsigned>(a[0]), last = static_cast<unsigned>(a[1]);
        for (unsigned fd = first; fd <= last && fd < 65536; ++fd)
            if (!is_own_fd(fd))
                ::syscall(SYS_close_range, fd, fd, a[2]);
        return 0;
    }
    default: break;
    }
    return raw(static_cast<long>(call.nr), a);
}

} // namespace mkexec
