// Fatal errors: report, mark the instance panicked, stop every LWK core.
#pragma once

#include <arch/interrupts.hpp>

namespace lwk {

[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void panic_exception(const arch::InterruptFrame& frame);
// This core stops because another panicked.
[[noreturn]] void halt_for_panic();

} // namespace lwk
