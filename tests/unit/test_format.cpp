#include <catch2/catch.hpp>

#include <lib/format.hpp>

#include <cstdio>
#include <string>

namespace {

template <typename... Args> std::string ours(const char* fmt, Args... args)
{
    char buf[256];
    lwk::format(buf, sizeof buf, fmt, args...);
    return buf;
}

template <typename... Args> std::string libc(const char* fmt, Args... args)
{
    char buf[256];
    std::snprintf(buf, sizeof buf, fmt, args...);
    return buf;
}

} // namespace

#define SAME(...) CHECK(ours(__VA_ARGS__) == libc(__VA_ARGS__))

TEST_CASE("the kernel formatter agrees with printf", "[format]")
{
    SAME("plain text");
    SAME("%d %i %u", -42, 7, 3000000000u);
    SAME("%ld %lu %lx", -1L, 18446744073709551615UL, 0xdeadbeefUL);
    SAME("%5d|%-5d|%05d", 42, 42, 42);
    SAME("%016lx %#lx %#x %X", 0xabcUL, 0x1fUL, 255u, 0xbeefu);
    SAME("%s|%10s|%-10s|%.3s", "abc", "abc", "abc", "abcdef");
    SAME("%c%c%%", 'o', 'k');
    SAME("%zu", static_cast<size_t>(12345));
    SAME("[%5lu.%06lu]", 12UL, 3456UL);
    SAME("%d", -2147483647 - 1);
    SAME("%ld", -9223372036854775807L - 1);
}

TEST_CASE("the kernel formatter truncates and reports the full length", "[format]")
{
    char buf[8];
    CHECK(lwk::format(buf, sizeof buf, "%s", "0123456789") == 10);
    CHECK(std::string(buf) == "0123456");
    CHECK(lwk::format(nullptr, 0, "%d", 12345) == 5);
    const char* volatile none = nullptr; // hidden from the compiler's format checks
    CHECK(ours("%s", none) == "(null)");
    CHECK(ours("%p", reinterpret_cast<void*>(0x1000)) == "0x1000");
}
