// Performing a forwarded system call in Linux, on the program's behalf.
#pragma once

#include <mk/ioctl.h>


namespace mkexec {

class LwkProcess;

// Performs the call with the program's arguments (its pointers are valid
// here: mkexec maps its memory at the same addresses). Returns the result
// or -errno.
long perform(LwkProcess& proc, const mk_proc_event& call);

} // namespace mkexec
