// The program shares its pid, and so /proc/<pid>/fd, with mkexec: a listing
// of that directory (getdents64) leaves out mkexec's own descriptors, so
// the program sees its descriptors only, as on Linux.
#pragma once

#include <cstdint>

namespace mkexec {

// getdents64(fd, buf, len) for the program: mkexec's own descriptors are
// taken out when fd is this process's fd directory. The result or -errno.
long list_dir(int fd, uint64_t buf, uint64_t len);

} // namespace mkexec
