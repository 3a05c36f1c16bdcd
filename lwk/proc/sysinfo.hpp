// The system-wide files a program reads to size itself, made for the
// program's LWK cores from Linux's own (which knows nothing of them: they
// are offline in Linux): /proc/cpuinfo gets one block per core, copied from
// Linux's first processor's with that core's numbers; /proc/stat gets cpu
// lines with the cores' busy and idle time, the rest of it as Linux has it.
#pragma once

#include <proc/procfiles.hpp>

#include <cstddef>

namespace lwk::proc {

struct Process;

void cpuinfo_text(const Process* p, const char* linux_text, size_t n, Text& out);
void stat_text(const Process* p, const char* linux_text, size_t n, Text& out);

} // namespace lwk::proc
