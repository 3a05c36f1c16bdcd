// printf-style formatting for the kernel log (portable: host-tested).
// Supports %d %i %u %x %X %p %s %c %% with flags '-' '0' '#', a width, a
// precision for %s, and the length modifiers l, ll, z.
#pragma once

#include <cstdarg>
#include <cstddef>

namespace lwk {

// Formats into buf (always NUL-terminated when size > 0); returns the
// length the whole output would have had, like vsnprintf.
size_t vformat(char* buf, size_t size, const char* fmt, va_list ap);
size_t format(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

} // namespace lwk
