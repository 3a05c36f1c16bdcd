// What the LWK does with exceptions and interrupts (arch/ calls these).
#pragma once

#include <arch/interrupts.hpp>

namespace lwk::core {

void handle_exception(arch::InterruptFrame& frame);
void handle_interrupt(arch::InterruptFrame& frame);

} // namespace lwk::core
