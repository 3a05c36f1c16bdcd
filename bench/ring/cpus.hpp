// Which two CPUs the benchmark runs on.
#pragma once

#include "pair.hpp"

#include <mk/topology.hpp>

#include <string>
#include <vector>

namespace ringbench {

struct CpuChoice {
    CpuPair cpus;
    std::string description; // for the report: cores, node, how chosen
};

// requested empty: two different cores of the NUMA node with the most cores,
// the highest-numbered ones (away from CPU 0, which takes most interrupts),
// first hardware thread of each. Otherwise the two CPUs requested, which
// must exist. Throws mk::Error when there is no such pair.
CpuChoice choose_cpus(const mk::Topology& topo, const std::vector<unsigned>& requested);

} // namespace ringbench
