// MK_SYS_MAP_SHARED: the LWK maps a file shared (<mk/proc.h>). mkexec maps
// the same part of the file shared in its own address space and has mk.ko
// pin the pages (their frame numbers go to the LWK), which the program then
// shares with Linux. mkexec's mapping lasts as long as the pin: mk.ko
// unmaps it when the LWK lets the pin go.
#pragma once

#include <mk/ioctl.h>

namespace mkexec {

class LwkProcess;

// MK_SYS_MAP_SHARED and MK_SYS_SHMAT (<mk/proc.h>): (pages pinned << 32)
// | MK_MAP_SHARED_WRITABLE | pin id, or -errno.
long map_shared(LwkProcess& proc, const __u64* args);
long shm_attach(LwkProcess& proc, const __u64* args);

} // namespace mkexec
