#include "placement.hpp"

#include <mk/error.hpp>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace mkexec {
namespace {

std::optional<unsigned> number(const char* s)
{
    if (!s || !*s)
        return std::nullopt;
    unsigned v = 0;
    auto [end, ec] = std::from_chars(s, s + std::strlen(s), v);
    if (ec != std::errc() || *end)
        return std::nullopt;
    return v;
}

// SLURM_TASKS_PER_NODE: "2(x3),1" — the count of the first node is enough
// only when all nodes have the same; SLURM_NTASKS_PER_NODE is exact when set.
std::optional<unsigned> slurm_local_size(Getenv getenv)
{
    if (auto n = number(getenv("SLURM_NTASKS_PER_NODE")))
        return n;
    const char* t = getenv("SLURM_TASKS_PER_NODE");
    if (!t)
        return std::nullopt;
    std::string first(t, std::strcspn(t, "(,"));
    std::string rest(t + first.size());
    if (!rest.empty() && rest.rfind("(x", 0) != 0)
        return std::nullopt; // nodes with different counts: not known here
    if (rest.find(',') != std::string::npos)
        return std::nullopt;
    return number(first.c_str());
}

} // namespace

std::optional<LocalRank> local_rank(Getenv getenv)
{
    struct Pair {
        const char *rank, *size;
    };
    // In order of trust: the launcher that started this process sets its own.
    const Pair pairs[] = {
        {"OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE"},
        {"MPI_LOCALRANKID", "MPI_LOCALNRANKS"},
        {"PMIX_LOCAL_RANK", "PMIX_LOCAL_SIZE"},
        {"PMI_LOCAL_RANK", "PMI_LOCAL_SIZE"},
    };
    for (const Pair& p : pairs) {
        auto r = number(getenv(p.rank));
        auto n = number(getenv(p.size));
        if (r && n && *r < *n)
            return LocalRank{*r, *n, std::string(p.rank) + "/" + p.size};
    }
    auto r = number(getenv("SLURM_LOCALID"));
    auto n = slurm_local_size(getenv);
    if (r && n && *r < *n)
        return LocalRank{*r, *n, "SLURM_LOCALID/SLURM_NTASKS_PER_NODE"};
    return std::nullopt;
}

mk::CpuList rank_share(const std::vector<mk::LwkCore>& cores, const LocalRank& rank, bool oversubscribe)
{
    std::vector<mk::LwkCore> order = cores;
    std::sort(order.begin(), order.end(), [](const mk::LwkCore& a, const mk::LwkCore& b) {
        return a.node != b.node ? a.node < b.node : a.linux_cpu < b.linux_cpu;
    });
    const size_t n = order.size();
    if (!n)
        return {}; // no LWK running: the spawn says so
    if (rank.size > n && oversubscribe)
        return {order[size_t(uint64_t(rank.rank) * n / rank.size)].linux_cpu};
    if (rank.size > n)
        throw mk::Error(std::to_string(rank.size) + " ranks on this node (" + rank.source + ") but the LWK has " +
            std::to_string(n) + " core" + (n == 1 ? "" : "s") +
            ": start fewer ranks a node, share cores with --oversubscribe, or give each its cores with --cpus");
    // The first n % size ranks get one core more.
    const size_t base = n / rank.size, extra = n % rank.size;
    const size_t first = rank.rank * base + std::min<size_t>(rank.rank, extra);
    const size_t count = base + (rank.rank < extra ? 1 : 0);
    mk::CpuList share;
    for (size_t i = first; i < first + count; ++i)
        share.push_back(order[i].linux_cpu);
    std::sort(share.begin(), share.end());
    return share;
}

} // namespace mkexec
