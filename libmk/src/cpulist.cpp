#include <mk/cpulist.hpp>
#include <mk/error.hpp>

#include <algorithm>
#include <charconv>

namespace mk {
namespace {

unsigned parse_cpu(std::string_view part, std::string_view whole, unsigned limit)
{
    unsigned value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size())
        throw Error("malformed CPU list '" + std::string(whole) + "': '" + std::string(part) +
            "' is not a CPU number");
    if (value >= limit)
        throw Error("CPU " + std::to_string(value) + " in '" + std::string(whole) +
            "' is out of range (limit " + std::to_string(limit) + ")");
    return value;
}

} // namespace

CpuList parse_cpulist(std::string_view text, unsigned limit)
{
    CpuList cpus;
    if (text.empty())
        throw Error("empty CPU list");
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        if (comma == std::string_view::npos)
            comma = text.size();
        std::string_view item = text.substr(pos, comma - pos);
        size_t dash = item.find('-');
        unsigned first, last;
        if (dash == std::string_view::npos) {
            first = last = parse_cpu(item, text, limit);
        } else {
            first = parse_cpu(item.substr(0, dash), text, limit);
            last = parse_cpu(item.substr(dash + 1), text, limit);
            if (last < first)
                throw Error("malformed CPU list '" + std::string(text) + "': range '" +
                    std::string(item) + "' is reversed");
        }
        for (unsigned c = first; c <= last; ++c)
            cpus.push_back(c);
        pos = comma + 1;
    }
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    return cpus;
}

std::string format_cpulist(const CpuList& cpus)
{
    std::string out;
    for (size_t i = 0; i < cpus.size();) {
        size_t j = i;
        while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1)
            ++j;
        if (!out.empty())
            out += ',';
        out += std::to_string(cpus[i]);
        if (j > i)
            out += '-' + std::to_string(cpus[j]);
        i = j + 1;
    }
    return out;
}

} // namespace mk
