// The kernel log: lines into the shared ring Linux reads (mkctl log).
#pragma once

#include <cstdarg>

namespace lwk::log {

void init();
// One line: "[   seconds.micros] cN: message\n".
void printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintf(const char* fmt, va_list ap);
// For the panic path: takes the log even if another core holds it too long.
void printf_force(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// For NMI handlers: the line is dropped if the interrupted code of this very
// core holds the log (waiting for it would never end). Returns whether the
// line was written.
bool printf_nmi(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace lwk::log

#define klog(...) ::lwk::log::printf(__VA_ARGS__)
