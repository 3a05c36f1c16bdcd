// Performing a forwarded system call in Linux, on the program's behalf.
#pragma once

#include <mk/ioctl.h>

#include <sys/types.h>

namespace mkexec {

class LwkProcess;

// Performs the call with the program's arguments (its pointers are valid
// here: mkexec maps its memory at the same addresses). Returns the result
// or -errno.
long perform(LwkProcess& proc, const mk_proc_event& call);

// MK_SYS_VM_ACCESS: whether Linux lets mkexec's process (the program's)
// read and write pid's memory with process_vm_readv/writev: 0 or -errno.
long may_access_memory(pid_t pid);

} // namespace mkexec
