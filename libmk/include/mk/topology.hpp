// The node's cores and NUMA nodes (from hwloc), and the choice of cores for
// `mkctl reserve --cpus auto:N`.
#pragma once

#include <mk/cpulist.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace mk {

struct Core {
    int node; // NUMA node (OS index), -1 if unknown
    CpuList cpus; // Linux CPU numbers of its hardware threads
};

struct Topology {
    std::vector<Core> cores; // in hwloc's (logical) order
};

// The online cores of this machine.
Topology system_topology();

// A synthetic topology in hwloc's syntax ("NUMANode:2 Core:4 PU:2"), for tests.
Topology synthetic_topology(const std::string& description);

enum class Placement {
    compact, // as few NUMA nodes as possible
    spread, // round-robin over the NUMA nodes
};

struct AutoCpus {
    unsigned cores;
    Placement placement;
};

// Parses "auto:N", "auto:N:compact" or "auto:N:spread".
AutoCpus parse_auto_cpus(std::string_view text);

// Chooses n whole cores (all their hardware threads) for mk. The first core
// of every NUMA node stays with Linux, so Linux keeps a core on each node;
// within a node the highest-numbered cores are taken first. Throws mk::Error
// saying how many cores could be chosen when n is too many.
CpuList choose_cores(const Topology& topo, unsigned n, Placement placement);

} // namespace mk
