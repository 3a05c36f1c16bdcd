// The system-wide files a program reads to size itself, made for the
// program's LWK cores from Linux's own (which knows nothing of them: they
// are offline in Linux): /proc/cpuinfo gets one block per core, copied from
// Linux's first processor's with that core's numbers; /proc/stat gets cpu
// lines with the cores' busy and idle time, the rest of it as Linux has it.
// The CPU masks and lists of a CPU's topology (from mkctl's copy of it) and
// of a NUMA node name the program's cores only, as its CPU lists do.
#pragma once

#include <proc/procfiles.hpp>

#include <cstddef>
#include <cstdint>

namespace lwk::proc {

struct Process;

void cpuinfo_text(const Process* p, const char* linux_text, size_t n, Text& out);
void stat_text(const Process* p, const char* linux_text, size_t n, Text& out);
// A mask ("ff,0000000c") or list ("0-3,8") text with only the program's cores.
void topology_text(const Process* p, const char* linux_text, size_t n, bool list, Text& out);
// The program's cores on NUMA node node, as a list or a mask.
void node_cpus_text(const Process* p, int32_t node, bool list, Text& out);

} // namespace lwk::proc
