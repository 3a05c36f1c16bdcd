// Interrupts a CPU has taken so far, read at the start and the end of a
// measured interval: on an LWK core (under mkexec) from the LWK itself
// with MK_SYS_CORE_IRQS, answered on the core without an interrupt;
// natively from /proc/interrupts (every source, the CPU's column).
#pragma once

#include <cstdint>

namespace mk::noise {

// The count, or -1 when neither source knows the CPU.
int64_t irq_count(unsigned cpu);

} // namespace mk::noise
