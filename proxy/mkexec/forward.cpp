// Every forwarded call is performed as it comes, with three exceptions:
// the program may not close mkexec's own descriptors, and
// /proc/self/exe names the program, not mkexec.
#include "forward.hpp"
#include "lwk_process.hpp"

#include <cerrno>
#include <climits>
#include <cstring>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

namespace mkexec {
namespace {

std::string program_path;

long raw(long nr, const __u64* a)
{
    long r = ::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    return r == -1 ? -errno : r;
}

// Copies into the program's memory with the kernel's checks: a bad
// pointer is an error, not a fault in mkexec.
long copy_to_program(uint64_t dst, const void* src, size_t n)
{
    struct iovec local = {const_cast<void*>(src), n};
    struct iovec remote = {reinterpret_cast<void*>(dst), n};
    ssize_t r = ::process_vm_writev(::getpid(), &local, 1, &remote, 1, 0);
    return r < 0 ? -errno : r;
}

// readlink of "/proc/self/exe" (the path pointer is in the program's memory).
bool is_self_exe(uint64_t path)
{
    static const char self[] = "/proc/self/exe";
    char buf[sizeof self];
    struct iovec local = {buf, sizeof buf};
    struct iovec remote = {reinterpret_cast<void*>(path), sizeof buf};
    if (::process_vm_readv(::getpid(), &local, 1, &remote, 1, 0) != sizeof buf)
        return false;
    return std::memcmp(buf, self, sizeof self) == 0;
}

long readlink_self(uint64_t buf, uint64_t size)
{
    size_t n = program_path.size() < size ? program_path.size() : size;
    return copy_to_program(buf, program_path.data(), n);
}

} // namespace

void set_program_path(const std::string& absolute) { program_path = absolute; }

long perform(const mk_proc_event& call)
{
    const __u64* a = call.args;
    switch (call.nr) {
    case SYS_close:
        if (is_own_fd(static_cast<long>(a[0])))
            return -EBADF;
        break;
    case SYS_dup2:
    case SYS_dup3:
        if (is_own_fd(static_cast<long>(a[1])))
            return -EBADF;
        break;
    case SYS_close_range: {
        // Close what was asked around mkexec's own descriptors.
        unsigned first = static_cast<unsigned>(a[0]), last = static_cast<unsigned>(a[1]);
        for (unsigned fd = first; fd <= last && fd < 65536; ++fd)
            if (!is_own_fd(fd))
                ::syscall(SYS_close_range, fd, fd, a[2]);
        return 0;
    }
    case SYS_readlink:
        if (is_self_exe(a[0]))
            return readlink_self(a[1], a[2]);
        break;
    case SYS_readlinkat:
        if (is_self_exe(a[1]))
            return readlink_self(a[2], a[3]);
        break;
    default: break;
    }
    return raw(static_cast<long>(call.nr), a);
}

} // namespace mkexec
