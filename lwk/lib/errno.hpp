// Error numbers: Linux's x86-64 values, since system calls return -errno.
#pragma once

namespace lwk {

enum Errno : int {
    EPERM = 1,
    ENOENT = 2,
    ESRCH = 3,
    EINTR = 4,
    EIO = 5,
    E2BIG = 7,
    ENOEXEC = 8,
    EBADF = 9,
    ECHILD = 10,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EFAULT = 14,
    EBUSY = 16,
    EEXIST = 17,
    EINVAL = 22,
    ENFILE = 23,
    EMFILE = 24,
    ENOSPC = 28,
    ERANGE = 34,
    ENOSYS = 38,
    ENOTSUP = 95,
    ETIMEDOUT = 110,
};

} // namespace lwk
