#include <mk/error.hpp>
#include <mk/memspec.hpp>
#include <mk/size.hpp>

#include <algorithm>
#include <charconv>
#include <string>

namespace mk {

std::vector<MemWant> parse_mem_spec(std::string_view text)
{
    std::vector<MemWant> wants;
    if (text.empty())
        throw Error("empty memory request (examples: 512M, 1G@0,1G@1, 256M@auto, all@1)");
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t comma = text.find(',', pos);
        if (comma == std::string_view::npos)
            comma = text.size();
        std::string_view part = text.substr(pos, comma - pos);
        std::string_view size = part, node;
        size_t at = part.find('@');
        if (at != std::string_view::npos) {
            size = part.substr(0, at);
            node = part.substr(at + 1);
        }
        MemWant w{};
        w.bytes = size == "all" ? MK_MEM_ALL : parse_size(size);
        if (at == std::string_view::npos) {
            w.node = MK_NODE_ANY;
        } else if (node == "auto") {
            w.node = MK_NODE_AUTO;
        } else {
            unsigned n = 0;
            auto [end, ec] = std::from_chars(node.data(), node.data() + node.size(), n);
            if (node.empty() || ec != std::errc() || end != node.data() + node.size())
                throw Error("bad NUMA node '" + std::string(node) + "' in '" + std::string(text) +
                    "': give a node number or 'auto'");
            if (n >= MK_MAX_NODES)
                throw Error("NUMA node " + std::to_string(n) + " is out of range (at most " +
                    std::to_string(MK_MAX_NODES - 1) + ")");
            w.node = static_cast<int>(n);
        }
        bool twice = std::any_of(
            wants.begin(), wants.end(), [&](const MemWant& o) { return o.node == w.node; });
        if (twice)
            throw Error("'" + std::string(text) + "' names the same node twice");
        wants.push_back(w);
        if (wants.size() > MK_MAX_NODES)
            throw Error("too many parts in '" + std::string(text) + "'");
        pos = comma + 1;
    }
    return wants;
}

} // namespace mk
