// The local APIC timer, armed only for the nearest deadline a thread waits
// for: no periodic tick. TSC-deadline mode where the CPU has it, one-shot
// countdown (calibrated against the TSC) otherwise.
#pragma once

#include <cstdint>

namespace lwk::arch::timer {

// Per core, after apic::init(). tsc_khz from Linux.
void init_core(uint64_t tsc_khz);
// An interrupt at (or a little after) this TSC value.
void arm(uint64_t deadline_tsc);
void disarm();
// Whether the deadline had to be cut short (one-shot counts are 32 bits):
// the interrupt may come before the deadline, and the caller re-arms.
bool tsc_deadline_mode();

} // namespace lwk::arch::timer
