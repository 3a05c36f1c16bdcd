// The program's pointers reach only the program's memory: every argument
// of a forwarded call is checked by its kind in the system-call table
// (<mk/syscalls.def>) before mkexec performs the call, so no call writes
// into or reads from mkexec's own memory (its stack, heap, libraries).
#pragma once

#include <mk/ioctl.h>

#include <cstddef>
#include <cstdint>

namespace mkexec {

// Checks the call's arguments. Returns false to perform it as it came;
// true when it was refused or performed here (with arrays the kernel
// would read from the program's memory copied and checked first, so the
// program cannot change them after the check), *ret its result.
bool checked_call(const mk_proc_event& call, long* ret);

// Copies len bytes of the program's memory at addr to dst (mkexec's):
// false if any of them is outside the window or not mapped.
bool fetch_program(void* dst, uint64_t addr, size_t len);
// Whether [addr, addr + len) lies in the program's window (len 0: always).
bool in_program_window(uint64_t addr, uint64_t len);

// The pipe the checks copy through: made before mkexec's own descriptors
// are taken out of the program's reach (adopt_own_fds).
void open_copy_pipe();

} // namespace mkexec
