#include <mk/error.hpp>
#include <mk/size.hpp>

#include <cctype>
#include <charconv>
#include <cstdio>

namespace mk {

uint64_t parse_size(std::string_view text)
{
    auto bad = [&](const std::string& why) {
        return Error("bad size '" + std::string(text) + "': " + why + " (examples: 512M, 4G, 1T)");
    };
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range)
        throw bad("too large");
    if (ec != std::errc() || end == text.data())
        throw bad("it does not start with a number");
    std::string unit(end, text.data() + text.size());
    for (auto& ch : unit)
        ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    unsigned shift = 0;
    if (!unit.empty()) {
        switch (unit[0]) {
        case 'B': shift = 0; break;
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default: throw bad("unknown unit '" + unit + "'");
        }
        std::string rest = unit.substr(1);
        bool ok = unit[0] == 'B' ? rest.empty() : (rest.empty() || rest == "B" || rest == "IB");
        if (!ok)
            throw bad("unknown unit '" + unit + "'");
    }
    if (value == 0)
        throw bad("it must be greater than 0");
    if (shift && value > (UINT64_MAX >> shift))
        throw bad("too large");
    return value << shift;
}

std::string format_size(uint64_t bytes)
{
    static const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024)
        return std::to_string(bytes) + " B";
    double v = static_cast<double>(bytes);
    int u = -1;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    char buf[32];
    if (v == static_cast<double>(static_cast<uint64_t>(v)))
        std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(v), units[u]);
    else
        std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
    return buf;
}

} // namespace mk
