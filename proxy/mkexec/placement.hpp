// Where an MPI rank runs: under mpirun, srun or another PMI launcher, each
// mkexec of a node finds its local rank r of n in the environment and takes
// the r-th of n equal shares of the LWK's cores, in topology order (cores of
// one NUMA node, then by Linux CPU number, so that a share keeps cores that
// sit together). Every rank computes the same split from the same list, so
// no rank waits for another and none can take another's cores.
#pragma once

#include <mk/cpulist.hpp>
#include <mk/device.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mkexec {

struct LocalRank {
    unsigned rank, size;
    std::string source; // the variables it came from, for messages
};

// The local rank from the launcher's variables (Open MPI, MPICH Hydra,
// PMIx, Slurm), or none. getenv is a function so that tests can give
// their own environment.
using Getenv = char* (*)(const char*);
std::optional<LocalRank> local_rank(Getenv getenv);

// The Linux CPUs of rank's share of the LWK cores (none when the LWK has
// no cores). With more ranks than cores: throws mk::Error, or with
// oversubscribe gives each rank one core, ranks spread evenly over the
// cores (neighbouring ranks share one: 5 ranks on 4 cores: 0, 0, 1, 2, 3).
mk::CpuList rank_share(const std::vector<mk::LwkCore>& cores, const LocalRank& rank, bool oversubscribe = false);

} // namespace mkexec
