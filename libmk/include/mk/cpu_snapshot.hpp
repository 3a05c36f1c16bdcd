// A copy of the sysfs topology of the CPUs mk takes from Linux, made before
// they go offline (MK_CPU_SNAPSHOT_DIR in <mk/proc.h>).
#pragma once

#include <mk/cpulist.hpp>

#include <string>

namespace mk {

// Copies /sys/devices/system/cpu/cpuN/topology/* and cache/index*/* of each
// online CPU of cpus to dir/cpuN/, replacing an older copy. Best effort:
// returns what could not be copied ("" when all was), changes nothing of a
// CPU it could not read.
std::string snapshot_cpu_topology(const CpuList& cpus, const std::string& sysfs_cpu_dir,
    const std::string& dir);

// Removes the copies of CPUs that Linux has online (not mk's any more, or
// never taken): what a failed reserve copied, or a released CPU's.
void forget_online_cpus(const std::string& sysfs_cpu_dir, const std::string& dir);

} // namespace mk
