#include "status_view.hpp"

#include <mk/json.hpp>
#include <mk/ioctl.h>
#include <mk/size.hpp>
#include <mk/version.h>

#include <cinttypes>
#include <cstdio>
#include <pwd.h>
#include <ostream>

namespace mkctl {

namespace {

std::string hex(uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%012" PRIx64, v);
    return buf;
}

// The user's name, or the number if it has none.
std::string user_name(uint32_t uid)
{
    struct passwd pw, *found = nullptr;
    char buf[1024];
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found)
        return pw.pw_name;
    return std::to_string(uid);
}

} // namespace

namespace {

bool lwk_up(const mk::Status& s)
{
    return s.state == MK_STATE_BOOTING || s.state == MK_STATE_RUNNING || s.state == MK_STATE_PANICKED;
}

void print_lwk(std::ostream& out, const mk::Status& s)
{
    if (!s.last_error.empty() && !lwk_up(s))
        out << "last boot failed: " << s.last_error << "\n";
    if (!lwk_up(s))
        return;
    char line[160];
    std::snprintf(line, sizeof line, "lwk      %s, up %.3f s, booted in %.1f ms, %s free\n",
        mk::state_name(s.state), s.uptime_ns / 1e9, s.boot_ns / 1e6, mk::format_size(s.lwk_free_bytes).c_str());
    out << line;
    if (!s.panic.empty())
        out << "panic    " << s.panic << "\n";
    out << "cores    core  cpu  apic  node  state     irqs\n";
    for (const auto& c : s.cores) {
        std::snprintf(line, sizeof line, "         %4u %4u %5u %5d  %-8s %5llu\n", c.index, c.linux_cpu,
            c.apic_id, c.node, mk::cpu_state_name(c.state), static_cast<unsigned long long>(c.irqs));
        out << line;
    }
    if (s.programs.empty())
        return;
    out << "programs pid      user       cpus   memory      program\n";
    for (const auto& p : s.programs) {
        std::snprintf(line, sizeof line, "         %-8d %-10s %-6s %-11s %s%s\n", p.pid, user_name(p.uid).c_str(),
            mk::format_cpulist(p.cpus).c_str(), mk::format_size(p.user_bytes).c_str(), p.program.c_str(),
            p.state < MK_PROC_RUNNING ? " (starting)" : "");
        out << line;
    }
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
        print_lwk(out, s);
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
    print_lwk(out, s);
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
    j.key("lwk").begin_object();
    j.field("uptime_ns", s.uptime_ns);
    j.field("boot_ns", s.boot_ns);
    j.field("free_bytes", s.lwk_free_bytes);
    j.field("panic", s.panic);
    j.field("last_error", s.last_error);
    j.key("cores").begin_array();
    for (const auto& c : s.cores)
        j.begin_object()
            .field("core", c.index)
            .field("cpu", c.linux_cpu)
            .field("apic_id", c.apic_id)
            .field("node", c.node)
            .field("state", mk::cpu_state_name(c.state))
            .field("irqs", c.irqs)
            .end_object();
    j.end_array();
    j.key("programs").begin_array();
    for (const auto& p : s.programs)
        j.begin_object()
            .field("pid", p.pid)
            .field("program", p.program)
            .field("uid", p.uid)
            .field("user", user_name(p.uid))
            .field("cpulist", mk::format_cpulist(p.cpus))
            .field("user_bytes", p.user_bytes)
            .field("running", p.state == MK_PROC_RUNNING)
            .end_object();
    j.end_array();
    j.end_object();
    j.end_object();
}

} // namespace mkctl
