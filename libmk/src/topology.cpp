#include <mk/error.hpp>
#include <mk/topology.hpp>

#include <hwloc.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>

namespace mk {
namespace {

using TopoPtr = std::unique_ptr<hwloc_topology, decltype(&hwloc_topology_destroy)>;

Topology from_hwloc(hwloc_topology_t topo)
{
    Topology result;
    int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    for (int i = 0; i < n; ++i) {
        hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, i);
        Core c;
        c.node = core->nodeset ? hwloc_bitmap_first(core->nodeset) : -1;
        unsigned pu;
        hwloc_bitmap_foreach_begin(pu, core->cpuset)
        {
            c.cpus.push_back(pu);
        }
        hwloc_bitmap_foreach_end();
        if (!c.cpus.empty())
            result.cores.push_back(std::move(c));
    }
    return result;
}

TopoPtr make_topology()
{
    hwloc_topology_t t = nullptr;
    if (hwloc_topology_init(&t) != 0)
        throw Error("hwloc: cannot initialise a topology");
    return TopoPtr(t, hwloc_topology_destroy);
}

} // namespace

Topology system_topology()
{
    TopoPtr t = make_topology();
    if (hwloc_topology_load(t.get()) != 0)
        throw Error("hwloc: cannot read this machine's topology");
    return from_hwloc(t.get());
}

Topology synthetic_topology(const std::string& description)
{
    TopoPtr t = make_topology();
    if (hwloc_topology_set_synthetic(t.get(), description.c_str()) != 0 ||
        hwloc_topology_load(t.get()) != 0)
        throw Error("hwloc: bad synthetic topology '" + description + "'");
    return from_hwloc(t.get());
}

AutoCpus parse_auto_cpus(std::string_view text)
{
    auto bad = [&] {
        return Error("bad CPU choice '" + std::string(text) +
            "': use auto:N, auto:N:compact or auto:N:spread (N cores)");
    };
    if (text.substr(0, 5) != "auto:")
        throw bad();
    std::string_view rest = text.substr(5);
    AutoCpus a{0, Placement::compact};
    size_t colon = rest.find(':');
    std::string_view num = rest.substr(0, colon);
    auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), a.cores);
    if (num.empty() || ec != std::errc() || end != num.data() + num.size())
        throw bad();
    if (a.cores == 0)
        throw Error("auto:0 chooses no cores: ask for at least one");
    if (colon != std::string_view::npos) {
        std::string_view how = rest.substr(colon + 1);
        if (how == "spread")
            a.placement = Placement::spread;
        else if (how != "compact")
            throw bad();
    }
    return a;
}

CpuList choose_cores(const Topology& topo, unsigned n, Placement placement)
{
    // Candidates per node, highest-numbered first; each node's first core stays with Linux.
    std::map<int, std::vector<const Core*>> by_node;
    for (const Core& c : topo.cores)
        by_node[c.node].push_back(&c);
    std::vector<std::vector<const Core*>> nodes;
    size_t available = 0;
    for (auto& [node, cores] : by_node) {
        std::sort(cores.begin(), cores.end(),
            [](const Core* a, const Core* b) { return a->cpus.front() < b->cpus.front(); });
        cores.erase(cores.begin());
        std::reverse(cores.begin(), cores.end());
        available += cores.size();
        nodes.push_back(std::move(cores));
    }
    if (n > available)
        throw Error("cannot choose " + std::to_string(n) + " cores: " + std::to_string(available) +
            " can be given to mk (Linux keeps the first core of each of the " +
            std::to_string(nodes.size()) + " NUMA nodes)");

    std::vector<const Core*> chosen;
    if (placement == Placement::compact) {
        // Fewest nodes: among the nodes that can hold all that is left, the one
        // with the most free cores (ties: the higher node, away from Linux's boot
        // node); if none can, the fullest node, then again.
        while (chosen.size() < n) {
            size_t want = n - chosen.size();
            auto better = [&](size_t a, size_t b) { // is node a a better pick than b?
                bool fa = nodes[a].size() >= want, fb = nodes[b].size() >= want;
                if (fa != fb)
                    return fa;
                return nodes[a].size() != nodes[b].size() ? nodes[a].size() > nodes[b].size()
                                                          : a > b;
            };
            size_t pick = 0;
            for (size_t i = 1; i < nodes.size(); ++i)
                if (better(i, pick))
                    pick = i;
            size_t take = std::min(want, nodes[pick].size());
            chosen.insert(chosen.end(), nodes[pick].begin(), nodes[pick].begin() + take);
            nodes[pick].erase(nodes[pick].begin(), nodes[pick].begin() + take);
        }
    } else {
        for (size_t round = 0; chosen.size() < n; ++round)
            for (auto& cores : nodes)
                if (round < cores.size() && chosen.size() < n)
                    chosen.push_back(cores[round]);
    }
    CpuList cpus;
    for (const Core* c : chosen)
        cpus.insert(cpus.end(), c->cpus.begin(), c->cpus.end());
    std::sort(cpus.begin(), cpus.end());
    return cpus;
}

} // namespace mk
