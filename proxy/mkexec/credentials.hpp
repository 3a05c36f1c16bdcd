// Calls that change who mkexec is, or what its threads may do. mkexec
// performs the program's calls on several threads; Linux keeps
// credentials, namespaces, capabilities and seccomp filters per thread, so
// a raw call would change one server thread only and the program's next
// call could run with other rights. Those calls apply to every mkexec
// thread at once, or are refused.
#pragma once

#include <linux/types.h>

namespace mkexec {

// Whether nr is such a call; if so, *ret is its result (or -errno).
bool thread_wide_call(long nr, const __u64* a, long* ret);

} // namespace mkexec
