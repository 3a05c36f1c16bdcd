#include <lib/format.hpp>

#include <cstdint>

namespace lwk {
namespace {

class Out {
public:
    Out(char* buf, size_t size) : buf_(buf), size_(size) {}
    void put(char c)
    {
        if (len_ + 1 < size_)
            buf_[len_] = c;
        ++len_;
    }
    void pad(char c, int n)
    {
        while (n-- > 0)
            put(c);
    }
    size_t finish()
    {
        if (size_)
            buf_[len_ < size_ ? len_ : size_ - 1] = '\0';
        return len_;
    }

private:
    char* buf_;
    size_t size_;
    size_t len_ = 0;
};

struct Spec {
    bool left = false;
    bool zero = false;
    bool alt = false; // '#': 0x before hex
    int width = 0;
    int precision = -1;
};

void emit_string(Out& out, const char* s, const Spec& spec)
{
    if (!s)
        s = "(null)";
    int len = 0;
    while (s[len] && (spec.precision < 0 || len < spec.precision))
        ++len;
    if (!spec.left)
        out.pad(' ', spec.width - len);
    for (int i = 0; i < len; ++i)
        out.put(s[i]);
    if (spec.left)
        out.pad(' ', spec.width - len);
}

void emit_number(Out& out, uint64_t v, bool negative, unsigned base, bool upper, const Spec& spec,
    const char* prefix = "")
{
    char digits[24];
    int n = 0;
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[n++] = set[v % base];
        v /= base;
    } while (v);
    int plen = 0;
    while (prefix[plen])
        ++plen;
    int len = n + plen + (negative ? 1 : 0);
    if (!spec.left && !spec.zero)
        out.pad(' ', spec.width - len);
    if (negative)
        out.put('-');
    for (int i = 0; i < plen; ++i)
        out.put(prefix[i]);
    if (!spec.left && spec.zero)
        out.pad('0', spec.width - len);
    while (n)
        out.put(digits[--n]);
    if (spec.left)
        out.pad(' ', spec.width - len);
}

} // namespace

size_t vformat(char* buf, size_t size, const char* fmt, va_list ap)
{
    Out out(buf, size);
    for (const char* p = fmt; *p; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        Spec spec;
        ++p;
        for (;; ++p) {
            if (*p == '-')
                spec.left = true;
            else if (*p == '0')
                spec.zero = true;
            else if (*p == '#')
                spec.alt = true;
            else
                break;
        }
        if (*p == '*') {
            spec.width = va_arg(ap, int);
            ++p;
        }
        while (*p >= '0' && *p <= '9')
            spec.width = spec.width * 10 + (*p++ - '0');
        if (*p == '.') {
            ++p;
            spec.precision = 0;
            if (*p == '*') {
                spec.precision = va_arg(ap, int);
                ++p;
            }
            while (*p >= '0' && *p <= '9')
                spec.precision = spec.precision * 10 + (*p++ - '0');
        }
        int longs = 0;
        bool size_t_mod = false;
        while (*p == 'l') {
            ++longs;
            ++p;
        }
        if (*p == 'z') {
            size_t_mod = true;
            ++p;
        }
        auto get_signed = [&]() -> int64_t {
            if (longs || size_t_mod)
                return va_arg(ap, long);
            return va_arg(ap, int);
        };
        auto get_unsigned = [&]() -> uint64_t {
            if (longs || size_t_mod)
                return va_arg(ap, unsigned long);
            return va_arg(ap, unsigned int);
        };
        switch (*p) {
        case 'd':
        case 'i': {
            int64_t v = get_signed();
            uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
            emit_number(out, mag, v < 0, 10, false, spec);
            break;
        }
        case 'u': emit_number(out, get_unsigned(), false, 10, false, spec); break;
        case 'x': emit_number(out, get_unsigned(), false, 16, false, spec, spec.alt ? "0x" : ""); break;
        case 'X': emit_number(out, get_unsigned(), false, 16, true, spec, spec.alt ? "0X" : ""); break;
        case 'p':
            emit_number(out, reinterpret_cast<uintptr_t>(va_arg(ap, void*)), false, 16, false, spec,
                "0x");
            break;
        case 's': emit_string(out, va_arg(ap, const char*), spec); break;
        case 'c': out.put(static_cast<char>(va_arg(ap, int))); break;
        case '%': out.put('%'); break;
        case '\0': --p; break;
        default:
            out.put('%');
            out.put(*p);
        }
    }
    return out.finish();
}

size_t format(char* buf, size_t size, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

} // namespace lwk
