#include "lwk_process.hpp"

#include <mk/error.hpp>
#include <mk/proc.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace mkexec {
namespace {

std::vector<int> own_fds;
std::vector<int> inherited_fds;

std::vector<int> open_fds()
{
    std::vector<int> fds;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        int self = ::dirfd(d);
        while (dirent* e = ::readdir(d)) {
            char* end;
            long fd = std::strtol(e->d_name, &end, 10);
            if (*end == '\0' && end != e->d_name && fd != self)
                fds.push_back(static_cast<int>(fd));
        }
        ::closedir(d);
    }
    return fds;
}

bool contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

} // namespace

void remember_inherited_fds() { inherited_fds = open_fds(); }

void adopt_own_fds()
{
    for (int fd : open_fds())
        if (!contains(inherited_fds, fd) && !contains(own_fds, fd))
            own_fds.push_back(fd);
}

int high_fd_floor()
{
    struct rlimit rl;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur > 16)
        return static_cast<int>(rl.rlim_cur) - 8;
    return 1000;
}

int move_fd_high(int fd)
{
    int high = ::fcntl(fd, F_DUPFD_CLOEXEC, high_fd_floor());
    if (high < 0)
        return fd;
    ::close(fd);
    own_fds.push_back(high);
    return high;
}

void forget_own_fd(int fd) { own_fds.erase(std::remove(own_fds.begin(), own_fds.end(), fd), own_fds.end()); }

const std::vector<int>& own_fd_list() { return own_fds; }

bool is_own_fd(long fd)
{
    for (int own : own_fds)
        if (own == fd)
            return true;
    return false;
}

bool is_own_file(int fd)
{
    constexpr int KCMP_FILE = 0;
    const pid_t self = ::getpid();
    for (int own : own_fds)
        if (own != fd && ::syscall(SYS_kcmp, self, self, KCMP_FILE, fd, own) == 0)
            return true;
    return false;
}

bool is_own_memory(int fd)
{
    static const dev_t proc_dev = [] {
        struct stat st {};
        return ::stat("/proc/self", &st) == 0 ? st.st_dev : dev_t(-1);
    }();
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_dev != proc_dev)
        return false;
    char link[64], path[128];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = ::readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return false;
    path[n] = '\0';
    char mine[32];
    int len = std::snprintf(mine, sizeof mine, "/proc/%d/", static_cast<int>(::getpid()));
    if (std::strncmp(path, mine, static_cast<size_t>(len)) != 0)
        return false;
    const char* rest = path + len;
    if (!std::strncmp(rest, "task/", 5)) {
        rest = std::strchr(rest + 5, '/');
        if (!rest)
            return false;
        ++rest;
    }
    return !std::strcmp(rest, "mem");
}

LwkProcess::LwkProcess(int dev_fd, unsigned cores, const mk_cpumask& cpus, uint64_t staging_bytes,
    const std::string& program, bool share_cores, bool fork_lwk, bool free_core, bool next_image)
{
    mk_spawn_request req{};
    req.size = sizeof req;
    req.nr_cores = cores;
    req.flags = (share_cores ? MK_SPAWN_SHARE_CORES : 0) | (fork_lwk ? MK_SPAWN_FORK_LWK : 0) |
        (fork_lwk && next_image ? MK_SPAWN_NEAR_PARENT : 0) | (free_core ? MK_SPAWN_FORK_FREE : 0);
    req.cpus = cpus;
    req.staging_bytes = staging_bytes;
    std::strncpy(req.program, program.c_str(), sizeof req.program - 1);
    spawn(dev_fd, req);
}

LwkProcess::LwkProcess(int dev_fd, int parent_fd, uint32_t image, bool free_core, const std::string& program)
{
    mk_spawn_request req{};
    req.size = sizeof req;
    // Its own forks make their children on the LWK too.
    req.flags = MK_SPAWN_FORK | MK_SPAWN_FORK_LWK | (free_core ? MK_SPAWN_FORK_FREE : 0);
    req.fork_fd = parent_fd;
    req.fork_image = image;
    std::strncpy(req.program, program.c_str(), sizeof req.program - 1);
    spawn(dev_fd, req);
}

void LwkProcess::spawn(int dev_fd, mk_spawn_request& req)
{
    struct rlimit rl;
    req.stack_limit = ::getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur : 0;
    // Cores whose last program is still being torn down (its mkexec was just
    // killed) are free again within moments: wait up to 2 s for them.
    int rc;
    for (int tries = 0; (rc = ::ioctl(dev_fd, MK_IOC_SPAWN, &req)) != 0 && errno == EBUSY && tries < 40; ++tries)
        ::usleep(50 * 1000);
    if (rc != 0) {
        int e = errno;
        req.msg[sizeof req.msg - 1] = '\0';
        throw mk::Error(req.msg[0] ? req.msg : std::string("cannot create the LWK process: ") + std::strerror(e), e);
    }
    fd_ = move_fd_high(req.fd);
    staging_ = req.staging;
    lwk_child_ = req.flags & (MK_SPAWN_FORK | MK_SPAWN_NEAR_PARENT);
    void* want = reinterpret_cast<void*>(MK_USER_WINDOW_START);
    void* got = ::mmap(want, MK_USER_WINDOW_END - MK_USER_WINDOW_START, PROT_READ | PROT_WRITE,
        MAP_SHARED | MAP_FIXED_NOREPLACE, fd_, 0);
    if (got != want) {
        int e = errno;
        if (got != MAP_FAILED)
            ::munmap(got, MK_USER_WINDOW_END - MK_USER_WINDOW_START);
        ::close(fd_);
        throw mk::Error(std::string("cannot map the LWK process's memory at the addresses it uses: ") +
                std::strerror(e),
            e);
    }
}

LwkProcess::~LwkProcess()
{
    ::munmap(reinterpret_cast<void*>(MK_USER_WINDOW_START), MK_USER_WINDOW_END - MK_USER_WINDOW_START);
    ::close(fd_);
}

void LwkProcess::exec(uint64_t file_bytes, uint64_t strings_offset, uint64_t interp_offset, uint64_t interp_bytes)
{
    mk_proc_exec req{};
    req.size = sizeof req;
    req.file_bytes = file_bytes;
    req.strings_offset = strings_offset;
    req.interp_offset = interp_offset;
    req.interp_bytes = interp_bytes;
    if (::ioctl(fd_, MK_PROC_IOC_EXEC, &req) != 0)
        throw mk::Error(std::string("the LWK did not answer: ") + std::strerror(errno), errno);
    if (req.error) {
        req.why[sizeof req.why - 1] = '\0';
        throw mk::Error(req.why[0] ? req.why : std::strerror(req.error), req.error);
    }
}

long LwkProcess::pin(uint64_t addr, uint64_t len, bool writable, uint64_t pfns, bool track)
{
    mk_proc_pin req{};
    req.size = sizeof req;
    req.flags = (writable ? MK_PIN_WRITE : 0) | (track ? MK_PIN_TRACK : 0);
    req.addr = addr;
    req.len = len;
    req.pfns = pfns;
    if (::ioctl(fd_, MK_PROC_IOC_PIN, &req) != 0)
        return -errno;
    std::lock_guard<std::mutex> g(pins_lock_);
    pins_[req.id] = {addr, len};
    return req.id;
}

std::optional<std::pair<uint64_t, uint64_t>> LwkProcess::pin_mapping(uint32_t id) const
{
    std::lock_guard<std::mutex> g(pins_lock_);
    auto it = pins_.find(id);
    if (it == pins_.end())
        return std::nullopt;
    return it->second;
}

long LwkProcess::refault(uint64_t addr, bool write)
{
    mk_proc_refault req{};
    req.size = sizeof req;
    req.flags = write ? MK_REFAULT_WRITE : 0;
    req.addr = addr;
    return ::ioctl(fd_, MK_PROC_IOC_REFAULT, &req) == 0 ? 0 : -errno;
}

long LwkProcess::page_node(uint32_t id, uint64_t page) const
{
    uint64_t addr;
    {
        std::lock_guard<std::mutex> g(pins_lock_);
        auto it = pins_.find(id);
        if (it == pins_.end() || page >= it->second.second / 4096)
            return -EINVAL;
        addr = it->second.first + page * 4096;
    }
    void* pages[1] = {reinterpret_cast<void*>(addr)};
    int status = 0;
    if (::syscall(SYS_move_pages, 0, 1, pages, nullptr, &status, 0) != 0)
        return -errno;
    return status;
}

mk_proc_event LwkProcess::wait()
{
    for (;;) {
        mk_proc_event ev{};
        ev.size = sizeof ev;
        if (::ioctl(fd_, MK_PROC_IOC_WAIT, &ev) == 0)
            return ev;
        if (errno != EINTR)
            throw mk::Error(std::string("lost the LWK process: ") + std::strerror(errno), errno);
    }
}

std::optional<mk_proc_event> LwkProcess::reply_and_serve(const mk_proc_event& call, long ret,
    unsigned timeout_ms, bool poll)
{
    mk_proc_serve s{};
    s.size = sizeof s;
    s.flags = MK_SERVE_REPLY | (poll ? MK_SERVE_POLL : 0);
    s.tid = call.tid;
    s.timeout_ms = timeout_ms;
    s.reply = {sizeof s.reply, call.tid, call.seq, call.core, ret};
    for (;;) {
        if (::ioctl(fd_, MK_PROC_IOC_SERVE, &s) == 0)
            return s.ev;
        if (errno == ETIMEDOUT || errno == ESRCH || errno == EBUSY) // EBUSY: another serves the thread
            return std::nullopt;
        if (errno != EINTR) // the reply went out before the wait
            throw mk::Error(std::string("cannot answer the LWK process: ") + std::strerror(errno), errno);
        s.flags &= ~MK_SERVE_REPLY; // an interrupt meant for the call landed in the wait
    }
}

void LwkProcess::signal(int sig, int sender_pid, unsigned sender_uid)
{
    mk_proc_signal s{};
    s.size = sizeof s;
    s.signal = sig;
    s.sender_pid = sender_pid;
    s.sender_uid = sender_uid;
    // ESRCH: the program has just ended; its end is on its way.
    if (::ioctl(fd_, MK_PROC_IOC_SIGNAL, &s) != 0 && errno != ESRCH)
        std::fprintf(stderr, "mkexec: cannot pass signal %d on to the program: %s\n", sig, std::strerror(errno));
}

} // namespace mkexec
