// The program's new processes and new images, on Linux (--fork=linux):
// MK_SYS_FORK and MK_SYS_EXECVE (<mk/proc.h>).
#pragma once

#include <mk/common.h>

namespace mkexec {

// fork/vfork/clone: a child of mkexec's with a copy of the program's
// memory, continuing from the call on Linux. Its pid, or -errno.
long fork_program(const __u64* args);
// execve/execveat: mkexec becomes the new program (never returns if it
// could); -errno otherwise, with mkexec as it was.
long exec_program(const __u64* args);

} // namespace mkexec
