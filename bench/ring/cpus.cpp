#include "cpus.hpp"

#include <mk/error.hpp>

#include <algorithm>
#include <map>

namespace ringbench {
namespace {

// The core (index into topo.cores) that holds cpu, or -1.
int core_of(const mk::Topology& topo, unsigned cpu)
{
    for (size_t i = 0; i < topo.cores.size(); ++i) {
        const auto& c = topo.cores[i].cpus;
        if (std::find(c.begin(), c.end(), cpu) != c.end())
            return int(i);
    }
    return -1;
}

std::string describe(const mk::Topology& topo, unsigned a, unsigned b, const char* how)
{
    int ca = core_of(topo, a), cb = core_of(topo, b);
    std::string s = "CPUs " + std::to_string(a) + " and " + std::to_string(b) + " (" + how + "): ";
    if (ca == cb)
        return s +
            "two hardware threads of one core; the floor is then an L1 hand-over, "
            "not a core-to-core transfer";
    int na = topo.cores[ca].node, nb = topo.cores[cb].node;
    s += "cores " + std::to_string(ca) + " and " + std::to_string(cb);
    if (na == nb)
        return s + ", NUMA node " + std::to_string(na);
    return s + ", NUMA nodes " + std::to_string(na) + " and " + std::to_string(nb) +
        " (cross-node)";
}

} // namespace

CpuChoice choose_cpus(const mk::Topology& topo, const std::vector<unsigned>& requested)
{
    if (!requested.empty()) {
        for (unsigned cpu : requested)
            if (core_of(topo, cpu) < 0)
                throw mk::Error(
                    "CPU " + std::to_string(cpu) + " is not an online CPU of this machine");
        if (requested[0] == requested[1])
            throw mk::Error("--cpus needs two different CPUs");
        return {{requested[0], requested[1]}, describe(topo, requested[0], requested[1], "--cpus")};
    }
    std::map<int, std::vector<size_t>> by_node;
    for (size_t i = 0; i < topo.cores.size(); ++i)
        by_node[topo.cores[i].node].push_back(i);
    const std::vector<size_t>* best = nullptr;
    for (const auto& [node, cores] : by_node)
        if (!best || cores.size() > best->size())
            best = &cores;
    if (!best || best->size() < 2) {
        if (topo.cores.size() < 2)
            throw mk::Error("this machine has fewer than two cores; name two hardware threads "
                            "with --cpus A,B");
        // One core per node: take two nodes.
        unsigned a = topo.cores[topo.cores.size() - 2].cpus.front();
        unsigned b = topo.cores.back().cpus.front();
        return {{a, b}, describe(topo, a, b, "chosen with hwloc")};
    }
    unsigned a = topo.cores[(*best)[best->size() - 2]].cpus.front();
    unsigned b = topo.cores[best->back()].cpus.front();
    return {{a, b}, describe(topo, a, b, "chosen with hwloc")};
}

} // namespace ringbench
