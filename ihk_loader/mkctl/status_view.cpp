#include "status_view.hpp"

#include <mk/json.hpp>
#include <mk/size.hpp>
#include <mk/version.h>

#include <cinttypes>
#include <cstdio>
#include <ostream>

namespace mkctl {

namespace {

std::string hex(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%012" PRIx64, v);
    return buf;
}

} // namespace

void print_status(std::ostream& out, const mk::Status& s)
{
    out << "state    " << mk::state_name(s.state) << "\n";
    out << "cpus     "
        << (s.cpus.empty() ? "none"
                           : mk::format_cpulist(s.cpus) + " (" + std::to_string(s.cpus.size()) +
                       (s.cpus.size() == 1 ? " CPU)" : " CPUs)"))
        << "\n";
    out << "memory   ";
    if (!s.mem_bytes) {
        out << "none\n";
        return;
    }
    out << mk::format_size(s.mem_bytes) << " in " << s.chunks.size()
        << (s.chunks.size() == 1 ? " chunk" : " chunks") << "\n";
    for (auto [node, bytes] : s.node_bytes)
        out << "  node " << node << "   " << mk::format_size(bytes) << "\n";
    out << "chunks   start            end              size        node\n";
    for (const auto& c : s.chunks) {
        char line[128];
        std::snprintf(line, sizeof line, "         %s   %s   %-10s  %d\n", hex(c.phys).c_str(),
            hex(c.phys + c.bytes).c_str(), mk::format_size(c.bytes).c_str(), c.node);
        out << line;
    }
}

void print_status_json(std::ostream& out, const mk::Status& s)
{
    mk::JsonWriter j(out);
    j.begin_object();
    j.field("version", MK_VERSION_STRING);
    j.field("state", mk::state_name(s.state));
    j.field("cpulist", mk::format_cpulist(s.cpus));
    j.key("cpus").begin_array();
    for (unsigned c : s.cpus)
        j.value(c);
    j.end_array();
    j.key("memory").begin_object();
    j.field("total_bytes", s.mem_bytes);
    j.key("nodes").begin_array();
    for (auto [node, bytes] : s.node_bytes)
        j.begin_object().field("node", node).field("bytes", bytes).end_object();
    j.end_array();
    j.key("chunks").begin_array();
    for (const auto& c : s.chunks)
        j.begin_object()
            .field("start", c.phys)
            .field("bytes", c.bytes)
            .field("node", c.node)
            .end_object();
    j.end_array();
    j.end_object();
    j.end_object();
}

} // namespace mkctl
