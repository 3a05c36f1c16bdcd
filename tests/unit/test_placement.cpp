#include <catch2/catch.hpp>

#include "placement.hpp"

#include <mk/error.hpp>

#include <map>
#include <string>

using mkexec::LocalRank;

namespace {

std::map<std::string, std::string> env;
char* fake_getenv(const char* name)
{
    auto it = env.find(name);
    return it == env.end() ? nullptr : const_cast<char*>(it->second.c_str());
}

std::vector<mk::LwkCore> cores_of(std::vector<std::pair<unsigned, int>> cpu_node)
{
    std::vector<mk::LwkCore> v;
    unsigned i = 0;
    for (auto [cpu, node] : cpu_node)
        v.push_back(mk::LwkCore{i++, cpu, cpu, node, 0, 0});
    return v;
}

} // namespace

TEST_CASE("the local rank comes from the launcher's variables")
{
    env = {};
    CHECK_FALSE(mkexec::local_rank(fake_getenv));
    env = {{"OMPI_COMM_WORLD_LOCAL_RANK", "1"}, {"OMPI_COMM_WORLD_LOCAL_SIZE", "4"}};
    auto r = mkexec::local_rank(fake_getenv);
    REQUIRE(r);
    CHECK(r->rank == 1);
    CHECK(r->size == 4);
    env = {{"MPI_LOCALRANKID", "0"}, {"MPI_LOCALNRANKS", "2"}};
    r = mkexec::local_rank(fake_getenv);
    REQUIRE(r);
    CHECK(r->size == 2);
    env = {{"SLURM_LOCALID", "2"}, {"SLURM_TASKS_PER_NODE", "3(x2)"}};
    r = mkexec::local_rank(fake_getenv);
    REQUIRE(r);
    CHECK(r->rank == 2);
    CHECK(r->size == 3);
    // Uneven Slurm nodes: this node's count is not known from the variable.
    env = {{"SLURM_LOCALID", "0"}, {"SLURM_TASKS_PER_NODE", "2,1"}};
    CHECK_FALSE(mkexec::local_rank(fake_getenv));
    // Malformed or inconsistent values are no rank.
    env = {{"MPI_LOCALRANKID", "2"}, {"MPI_LOCALNRANKS", "2"}};
    CHECK_FALSE(mkexec::local_rank(fake_getenv));
    env = {{"MPI_LOCALRANKID", "x"}, {"MPI_LOCALNRANKS", "2"}};
    CHECK_FALSE(mkexec::local_rank(fake_getenv));
}

TEST_CASE("ranks take equal shares of the LWK cores, in topology order")
{
    // Linux CPUs 2, 3, 6, 7 on node 0 and 4, 5 on node 1.
    auto cores = cores_of({{6, 0}, {4, 1}, {2, 0}, {5, 1}, {3, 0}, {7, 0}});
    CHECK(mkexec::rank_share(cores, LocalRank{0, 2, ""}) == mk::CpuList{2, 3, 6});
    CHECK(mkexec::rank_share(cores, LocalRank{1, 2, ""}) == mk::CpuList{4, 5, 7});
    CHECK(mkexec::rank_share(cores, LocalRank{0, 3, ""}) == mk::CpuList{2, 3});
    CHECK(mkexec::rank_share(cores, LocalRank{1, 3, ""}) == mk::CpuList{6, 7});
    CHECK(mkexec::rank_share(cores, LocalRank{2, 3, ""}) == mk::CpuList{4, 5});
    // 6 cores, 4 ranks: the first two get 2, the others 1; every core once.
    mk::CpuList all;
    for (unsigned r = 0; r < 4; ++r) {
        auto s = mkexec::rank_share(cores, LocalRank{r, 4, ""});
        CHECK(s.size() == (r < 2 ? 2u : 1u));
        all.insert(all.end(), s.begin(), s.end());
    }
    std::sort(all.begin(), all.end());
    CHECK(all == mk::CpuList{2, 3, 4, 5, 6, 7});
}

TEST_CASE("more ranks than LWK cores are refused clearly")
{
    auto cores = cores_of({{2, 0}, {3, 0}});
    CHECK_THROWS_WITH(mkexec::rank_share(cores, LocalRank{0, 3, "MPI_LOCALRANKID/MPI_LOCALNRANKS"}),
        Catch::Contains("3 ranks on this node") && Catch::Contains("the LWK has 2 cores"));
    CHECK(mkexec::rank_share({}, LocalRank{0, 1, ""}).empty()); // no LWK: the spawn says so
}

TEST_CASE("with --oversubscribe, more ranks than cores share them evenly, one core each")
{
    auto cores = cores_of({{4, 0}, {2, 0}, {5, 0}, {3, 0}});
    mk::CpuList got;
    for (unsigned r = 0; r < 5; ++r) {
        auto s = mkexec::rank_share(cores, LocalRank{r, 5, ""}, true);
        REQUIRE(s.size() == 1);
        got.push_back(s[0]);
    }
    CHECK(got == mk::CpuList{2, 2, 3, 4, 5}); // every core used, neighbours share
    for (unsigned r = 0; r < 9; ++r) // 9 on 4: no core takes 3 ranks while another has 1
        CHECK(mkexec::rank_share(cores, LocalRank{r, 9, ""}, true).size() == 1);
    // Enough cores: the same shares as without it.
    CHECK(mkexec::rank_share(cores, LocalRank{1, 2, ""}, true) == mk::CpuList{4, 5});
}
