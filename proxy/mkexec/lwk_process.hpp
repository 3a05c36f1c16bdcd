// The LWK process behind a process fd: spawned on the LWK, its memory
// window mapped here at the same addresses, started, and served.
#pragma once

#include <mk/ioctl.h>

#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <string>
#include <vector>

namespace mkexec {

class LwkProcess {
public:
    // Spawns a process on `cores` LWK cores (or on the Linux CPUs in cpus)
    // with a staging area of staging_bytes, and maps its window.
    // fork_lwk: the program's forks make their children on the LWK; and
    // for the next image of an LWK program's execve (next_image), if
    // mkexec's parent is an LWK program's mkexec (this is the next image of
    // its fork's child), the process runs where that child did: on the
    // parent's cores, or on a free one with free_core (MK_SPAWN_NEAR_PARENT).
    LwkProcess(int dev_fd, unsigned cores, const mk_cpumask& cpus, uint64_t staging_bytes,
        const std::string& program, bool share_cores = false, bool fork_lwk = false, bool free_core = false,
        bool next_image = false);
    // The child of the fork the process of parent_fd is in (MK_SPAWN_FORK,
    // the LWK's image `image` of it),
    // running already: on the parent's cores, or on a free one if free_core
    // and there is one.
    LwkProcess(int dev_fd, int parent_fd, uint32_t image, bool free_core, const std::string& program);
    ~LwkProcess();
    LwkProcess(const LwkProcess&) = delete;
    LwkProcess& operator=(const LwkProcess&) = delete;

    int fd() const { return fd_; }
    // Whether it is a fork's child on the LWK, or the next image of one: it
    // then ends as the program did, with no report (its parent reports).
    bool lwk_child() const { return lwk_child_; }
    uint64_t staging() const { return staging_; }
    // Starts the program; throws mk::Error with the LWK's reason.
    void exec(uint64_t file_bytes, uint64_t strings_offset, uint64_t interp_offset, uint64_t interp_bytes);
    // Pins the pages of mkexec's own mapping [addr, addr + len) for the LWK
    // (MK_PROC_IOC_PIN), their frame numbers written at pfns. The pin's
    // id, or -errno. track: the pages are tracked, not pinned (MK_PIN_TRACK).
    long pin(uint64_t addr, uint64_t len, bool writable, uint64_t pfns, bool track = false);
    // Puts the page of a tracked mapping at window address addr into the
    // LWK's tables (MK_SYS_REFAULT, MK_PROC_IOC_REFAULT): 0 or -errno.
    long refault(uint64_t addr, bool write);
    // The NUMA node of page `page` of pin id (MK_SYS_PAGE_NODE), or -errno.
    long page_node(uint32_t id, uint64_t page) const;
    // mkexec's mapping of pin id (address, length), if it made that pin.
    std::optional<std::pair<uint64_t, uint64_t>> pin_mapping(uint32_t id) const;
    // Blocks until the next event: a system call to perform, or the end.
    mk_proc_event wait();
    // Replies to call and waits up to timeout_ms for the next call of the
    // same LWK thread, which mk.ko hands straight to this thread (spinning
    // on the thread's core's ring with poll); nothing when none came in
    // time or the process ended.
    std::optional<mk_proc_event> reply_and_serve(const mk_proc_event& call, long ret, unsigned timeout_ms,
        bool poll = false);
    // Delivers a signal to the program (as if from sender_pid, sender_uid).
    void signal(int sig, int sender_pid, unsigned sender_uid);

private:
    void spawn(int dev_fd, mk_spawn_request& req);
    int fd_ = -1;
    uint64_t staging_ = 0;
    bool lwk_child_ = false;
    // mkexec's mapping of each pin it made: where, how long (server
    // threads pin at once).
    mutable std::mutex pins_lock_;
    std::unordered_map<uint32_t, std::pair<uint64_t, uint64_t>> pins_;
};

// Where mkexec's own descriptors begin: near the top of the fd table.
int high_fd_floor();
// Moves fd to the top of the fd table (out of the program's way), close-on-exec.
int move_fd_high(int fd);
// fd, one of mkexec's own, was closed: the number is free for the program.
void forget_own_fd(int fd);
// Whether fd is one of mkexec's own; and all of them.
bool is_own_fd(long fd);
const std::vector<int>& own_fd_list();
// Whether fd (another number) is the same open file as one of mkexec's own.
bool is_own_file(int fd);
// Whether fd is mkexec's own memory (/proc/<its pid>[/task/<tid>]/mem).
bool is_own_memory(int fd);
// At the start: the descriptors mkexec got are the program's. Later, before
// the program's calls are served: every other open one is mkexec's own
// (the device, the event loop's epoll, eventfd and timerfd ...).
void remember_inherited_fds();
void adopt_own_fds();

} // namespace mkexec
