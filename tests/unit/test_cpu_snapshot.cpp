#include <catch2/catch.hpp>

#include <mk/cpu_snapshot.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

void put(const fs::path& p, const std::string& text)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

std::string get(const fs::path& p)
{
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Dirs {
    fs::path root = fs::temp_directory_path() / ("mk-snapshot-" + std::to_string(getpid()));
    fs::path sys = root / "sys", copy = root / "copy";
    Dirs() { fs::remove_all(root); }
    ~Dirs() { fs::remove_all(root); }
};

} // namespace

TEST_CASE("a CPU's topology and caches are copied, nothing else", "[cpu_snapshot]")
{
    Dirs d;
    put(d.sys / "cpu2/topology/core_id", "2\n");
    put(d.sys / "cpu2/topology/package_cpus", "f\n");
    put(d.sys / "cpu2/cache/index0/size", "32K\n");
    put(d.sys / "cpu2/cache/index0/uevent", "");
    put(d.sys / "cpu2/cache/uevent", "");
    put(d.sys / "cpu2/online", "1\n");
    put(d.sys / "cpu2/cpufreq/scaling_governor", "performance\n");
    CHECK(mk::snapshot_cpu_topology({2}, d.sys, d.copy).empty());
    CHECK(get(d.copy / "cpu2/topology/core_id") == "2\n");
    CHECK(get(d.copy / "cpu2/topology/package_cpus") == "f\n");
    CHECK(get(d.copy / "cpu2/cache/index0/size") == "32K\n");
    CHECK_FALSE(fs::exists(d.copy / "cpu2/cache/index0/uevent"));
    CHECK_FALSE(fs::exists(d.copy / "cpu2/online"));
    CHECK_FALSE(fs::exists(d.copy / "cpu2/cpufreq"));
    // Readable by every user, whatever the umask.
    CHECK((fs::status(d.copy / "cpu2/topology/core_id").permissions() & fs::perms::others_read) !=
        fs::perms::none);
}

TEST_CASE("a CPU already offline keeps its older copy; a new one replaces the old", "[cpu_snapshot]")
{
    Dirs d;
    put(d.sys / "cpu3/topology/core_id", "3\n");
    CHECK(mk::snapshot_cpu_topology({3}, d.sys, d.copy).empty());
    fs::remove_all(d.sys / "cpu3/topology"); // offline: Linux removed it
    CHECK(mk::snapshot_cpu_topology({3}, d.sys, d.copy).empty());
    CHECK(get(d.copy / "cpu3/topology/core_id") == "3\n");
    put(d.sys / "cpu3/topology/die_id", "0\n"); // online again, and different
    CHECK(mk::snapshot_cpu_topology({3}, d.sys, d.copy).empty());
    CHECK(get(d.copy / "cpu3/topology/die_id") == "0\n");
    CHECK_FALSE(fs::exists(d.copy / "cpu3/topology/core_id"));
}

TEST_CASE("a copy that cannot be written is reported, not thrown", "[cpu_snapshot]")
{
    Dirs d;
    put(d.sys / "cpu2/topology/core_id", "2\n");
    put(d.root / "file", "x");
    std::string failed = mk::snapshot_cpu_topology({2}, d.sys, d.root / "file" / "copy");
    CHECK(failed.find("CPU 2") != std::string::npos);
}

TEST_CASE("copies of CPUs Linux has online again are forgotten", "[cpu_snapshot]")
{
    Dirs d;
    put(d.sys / "cpu2/topology/core_id", "2\n");
    put(d.sys / "cpu3/topology/core_id", "3\n");
    CHECK(mk::snapshot_cpu_topology({2, 3}, d.sys, d.copy).empty());
    fs::remove_all(d.sys / "cpu3/topology"); // mk holds CPU 3
    mk::forget_online_cpus(d.sys, d.copy);
    CHECK_FALSE(fs::exists(d.copy / "cpu2"));
    CHECK(get(d.copy / "cpu3/topology/core_id") == "3\n");
    fs::create_directories(d.copy / ".cpu2.new/topology"); // a copy that failed half-way
    mk::forget_online_cpus(d.sys, d.copy);
    CHECK_FALSE(fs::exists(d.copy / ".cpu2.new"));
    mk::forget_online_cpus(d.sys, d.root / "none"); // no copies at all: nothing to do
}

TEST_CASE("the copy's directory is made readable by all, and never through a link", "[cpu_snapshot]")
{
    Dirs d;
    put(d.sys / "cpu2/topology/core_id", "2\n");
    const mode_t old = umask(077);
    std::string failed = mk::snapshot_cpu_topology({2}, d.sys, d.root / "mk" / "cpu");
    umask(old);
    CHECK(failed.empty());
    CHECK((fs::status(d.root / "mk").permissions() & fs::perms::others_exec) != fs::perms::none);
    fs::create_directories(d.root / "elsewhere");
    fs::create_directory_symlink(d.root / "elsewhere", d.root / "link");
    failed = mk::snapshot_cpu_topology({2}, d.sys, d.root / "link" / "cpu");
    CHECK(failed.find("symbolic link") != std::string::npos);
    CHECK_FALSE(fs::exists(d.root / "elsewhere" / "cpu"));
}
