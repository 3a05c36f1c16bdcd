#include "fd_listing.hpp"
#include "lwk_process.hpp"

#include <cerrno>
#include <cstddef>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <sys/syscall.h>
#include <unistd.h>

namespace mkexec {
namespace {

struct Dirent64 {
    uint64_t ino;
    int64_t off;
    uint16_t reclen;
    uint8_t type;
    char name[];
};

long getdents(int fd, uint64_t buf, uint64_t len)
{
    long r = ::syscall(SYS_getdents64, fd, buf, len);
    return r == -1 ? -errno : r;
}

// Whether fd is /proc/<this pid>/fd or /proc/<this pid>/task/<tid>/fd.
bool is_own_fd_dir(int fd)
{
    char link[64], target[128];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = ::readlink(link, target, sizeof target - 1);
    if (n <= 0)
        return false;
    std::string t(target, static_cast<size_t>(n));
    std::string proc = "/proc/" + std::to_string(::getpid());
    if (t == proc + "/fd")
        return true;
    // /proc/<pid>/task/<tid>/fd: the same table.
    std::string task = proc + "/task/";
    return t.rfind(task, 0) == 0 && t.size() > task.size() + 3 && t.compare(t.size() - 3, 3, "/fd") == 0 &&
        t.find('/', task.size()) == t.size() - 3;
}

bool own_entry(const char* name, size_t room)
{
    const size_t len = ::strnlen(name, room);
    long n = 0;
    auto [end, ec] = std::from_chars(name, name + len, n);
    return len && ec == std::errc() && end == name + len && is_own_fd(n);
}

} // namespace

long list_dir(int fd, uint64_t buf, uint64_t len)
{
    long r = getdents(fd, buf, len);
    if (r <= 0 || !is_own_fd_dir(fd))
        return r;
    // The buffer is the program's, mapped here at the same address.
    auto* base = reinterpret_cast<char*>(buf);
    for (;;) {
        long kept = 0;
        for (long at = 0; at < r;) {
            auto* d = reinterpret_cast<Dirent64*>(base + at);
            uint16_t rl = d->reclen;
            // The program's memory: another of its threads may have changed
            // it. A record that does not fit ends the filtering.
            if (rl < offsetof(Dirent64, name) + 2 || rl > r - at)
                return kept ? kept : r;
            if (!own_entry(d->name, rl - offsetof(Dirent64, name))) {
                if (kept != at)
                    std::memmove(base + kept, base + at, rl);
                kept += rl;
            }
            at += rl;
        }
        if (kept)
            return kept;
        // Every entry was mkexec's: read on rather than report the end.
        r = getdents(fd, buf, len);
        if (r <= 0)
            return r;
    }
}

} // namespace mkexec
