// Where an LWK process's memory lives. Every user mapping stays inside the
// window mkexec maps at the same addresses for forwarded system calls; the
// window avoids what Linux gives mkexec itself (its PIE at 0x55.., its
// libraries and stack at 0x7f..).
#pragma once

#include <mk/proc.h>

#include <cstdint>

namespace lwk::proc {

constexpr uint64_t USER_START = MK_USER_WINDOW_START;
constexpr uint64_t USER_END = MK_USER_WINDOW_END;
constexpr uint64_t PIE_BASE = 0x0000000200000000ULL;      // where a PIE (static or not) is loaded
constexpr uint64_t INTERP_BASE = 0x0000080000000000ULL;   // the ELF interpreter (ld.so); brk stops there
constexpr uint64_t VDSO_BASE = 0x00000ffffff00000ULL;     // the vDSO's data page, then its image
constexpr uint64_t MMAP_BASE = 0x0000100000000000ULL;     // anonymous mmaps go up from here
constexpr uint64_t STACK_TOP = USER_END;                  // the stack grows down from here
constexpr uint64_t STACK_LIMIT_DEFAULT = 8ULL << 20;      // RLIMIT_STACK when Linux says infinity

} // namespace lwk::proc
