#include <mk/cpu_snapshot.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace fs = std::filesystem;

namespace mk {
namespace {

constexpr fs::perms DIR_MODE = fs::perms::owner_all | fs::perms::group_read |
    fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec;
constexpr fs::perms FILE_MODE =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

// A directory every user can read and only its owner write (whatever the
// umask); one that is a symbolic link is refused (root follows no link
// somebody else may have made).
void make_dir(const fs::path& d)
{
    if (fs::is_symlink(d))
        throw fs::filesystem_error("a symbolic link where a directory should be", d,
            std::make_error_code(std::errc::not_a_directory));
    fs::create_directory(d);
    fs::permissions(d, DIR_MODE);
}

// Copies the regular files directly in from (not its subdirectories) to to.
void copy_files(const fs::path& from, const fs::path& to)
{
    make_dir(to);
    for (const fs::directory_entry& e : fs::directory_iterator(from)) {
        if (!e.is_regular_file() || e.path().filename() == "uevent")
            continue;
        std::ifstream in(e.path());
        if (!in)
            continue; // write-only attributes
        std::ostringstream text;
        text << in.rdbuf();
        std::ofstream out(to / e.path().filename());
        out << text.str();
        out.close();
        if (!out)
            throw fs::filesystem_error("cannot write", to / e.path().filename(),
                std::make_error_code(std::errc::io_error));
        fs::permissions(to / e.path().filename(), FILE_MODE);
    }
}

void snapshot_one(unsigned cpu, const fs::path& sysfs, const fs::path& dir)
{
    const std::string name = "cpu" + std::to_string(cpu);
    const fs::path from = sysfs / name;
    if (!fs::is_directory(from / "topology"))
        return; // offline already (then its copy, if any, is older and kept)
    const fs::path tmp = dir / ("." + name + ".new");
    fs::remove_all(tmp);
    make_dir(tmp);
    copy_files(from / "topology", tmp / "topology");
    if (fs::is_directory(from / "cache"))
        make_dir(tmp / "cache");
    if (fs::is_directory(from / "cache"))
        for (const fs::directory_entry& e : fs::directory_iterator(from / "cache"))
            if (e.is_directory() && e.path().filename().string().rfind("index", 0) == 0)
                copy_files(e.path(), tmp / "cache" / e.path().filename());
    fs::remove_all(dir / name);
    fs::rename(tmp, dir / name);
}

} // namespace

std::string snapshot_cpu_topology(const CpuList& cpus, const std::string& sysfs_cpu_dir,
    const std::string& dir)
{
    std::string failed;
    for (unsigned cpu : cpus) {
        try {
            make_dir(fs::path(dir).parent_path()); // /run/mk: made here with the right mode too
            make_dir(dir);
            snapshot_one(cpu, sysfs_cpu_dir, dir);
        } catch (const fs::filesystem_error& e) {
            failed += (failed.empty() ? "" : "; ") + std::string("CPU ") + std::to_string(cpu) +
                ": " + e.what();
        }
    }
    return failed;
}

void forget_online_cpus(const std::string& sysfs_cpu_dir, const std::string& dir)
{
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        // cpuN, and .cpuN.new left by a copy that failed half-way.
        const std::string cpu = name.rfind(".cpu", 0) == 0 ? name.substr(1, name.size() - 5) : name;
        if (cpu.rfind("cpu", 0) == 0 && fs::is_directory(fs::path(sysfs_cpu_dir) / cpu / "topology"))
            fs::remove_all(it->path(), ec);
    }
}

} // namespace mk
