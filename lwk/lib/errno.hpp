// Error numbers: Linux's x86-64 values, since system calls return -errno.
// Scoped (Errno::NOMEM) so that they never meet a C library's E* macros
// when the portable code is compiled for the host.
#pragma once

namespace lwk {

enum class Errno : int {
    PERM = 1,
    NOENT = 2,
    SRCH = 3,
    INTR = 4,
    IO = 5,
    TOOBIG = 7,
    NOEXEC = 8,
    BADF = 9,
    CHILD = 10,
    AGAIN = 11,
    NOMEM = 12,
    ACCES = 13,
    FAULT = 14,
    BUSY = 16,
    EXIST = 17,
    NODEV = 19,
    INVAL = 22,
    NFILE = 23,
    MFILE = 24,
    NOSPC = 28,
    PIPE = 32,
    RANGE = 34,
    NOSYS = 38,
    LIBBAD = 80,
    NOTSUP = 95,
    TIMEDOUT = 110,
    // Never seen by a program: a call a signal cut short is restarted, or
    // fails with INTR, when the signal has been dealt with (proc/signal).
    RESTARTSYS = 512,    // restarted unless a handler without SA_RESTART ran
    RESTARTNOINTR = 513, // always restarted
    RESTARTNOHAND = 514, // restarted unless a handler ran
};

} // namespace lwk
