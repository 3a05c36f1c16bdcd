// The vDSO in an LWK process (vdso/): its data page and its image, copied
// into the process's own memory where layout.hpp puts them.
#pragma once

#include <lib/result.hpp>

#include <cstdint>

namespace lwk::proc {

struct Process;

// The TSC-to-nanoseconds scale of every LWK clock: ns = ticks * mult >> shift.
constexpr uint32_t TSC_SHIFT = 40;
uint64_t tsc_mult();

// Maps the data page and the image; returns the address of the image's ELF
// header (AT_SYSINFO_EHDR).
Result<uint64_t> map_vdso(Process* p);

} // namespace lwk::proc
