// CPU lists in the kernel's list format ("0-3,8,10-11"), as used by
// /sys/devices/system/cpu/online, sysfs and mkctl --cpus.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mk {

// A sorted set of CPU numbers without duplicates.
using CpuList = std::vector<unsigned>;

// Parses "2-5,8". Throws mk::Error with a message naming the bad part on
// malformed input, a reversed range, or a CPU number >= limit.
CpuList parse_cpulist(std::string_view text, unsigned limit = 8192);

// Formats a CPU list back into the compact kernel format ("" when empty).
std::string format_cpulist(const CpuList& cpus);

} // namespace mk
