// A fork's child on the LWK (--fork=same|free). The LWK has copied the
// program's address space and the forking thread's state into an image
// (MK_SYS_FORK says lwk_image). mkexec forks, and its child executes
// mkexec again (a clean process: mkexec's other threads and their locks
// stay behind) with --fork-child, naming the parent's process fd and a
// pipe to report on; that mkexec asks mk.ko for the child's LWK process
// (MK_SPAWN_FORK: only a child of the parent's mkexec may), which runs at
// once, and serves it. The program's descriptors are inherited as fork
// inherits them: those that are close-on-exec are cleared for the exec and
// set again. The program's fork answers the child's pid — a Linux pid,
// mkexec's, whose wait status is the program's child's — once the child
// runs, or the errno its making failed with.
#include "fork.hpp"
#include "lwk_process.hpp"

#include <mk/proc.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace mkexec {
namespace {

// The program's open descriptors that are close-on-exec.
std::vector<int> program_cloexec_fds()
{
    std::vector<int> fds;
    DIR* d = ::opendir("/proc/self/fd");
    if (!d)
        return fds;
    const int own = ::dirfd(d);
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        long fd = std::strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end || fd == own || is_own_fd(fd))
            continue;
        int flags = ::fcntl(int(fd), F_GETFD);
        if (flags >= 0 && (flags & FD_CLOEXEC))
            fds.push_back(int(fd));
    }
    ::closedir(d);
    return fds;
}

void report(int fd, int err)
{
    while (::write(fd, &err, sizeof err) < 0 && errno == EINTR) { }
    ::close(fd);
}

} // namespace

long fork_on_lwk(const LwkProcess& proc, int exit_signal, uint32_t image)
{
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
        return -errno;
    // Up among mkexec's own, out of the program's way (should another of
    // its threads close this number meanwhile, the fork fails: below).
    for (int& fd : pipe_fds) {
        int high = ::fcntl(fd, F_DUPFD_CLOEXEC, high_fd_floor());
        if (high >= 0) {
            ::close(fd);
            fd = high;
        }
    }
    struct Closer {
        int fd;
        ~Closer()
        {
            if (fd >= 0)
                ::close(fd);
        }
    } read_end{pipe_fds[0]}, write_end{pipe_fds[1]};
    const std::vector<int> cloexec = program_cloexec_fds();
    std::string state = std::to_string(proc.fd()) + ":" + std::to_string(pipe_fds[1]) + ":" +
        std::to_string(image) + ":";
    for (size_t i = 0; i < cloexec.size(); ++i)
        state += (i ? "," : "") + std::to_string(cloexec[i]);
    ChildStart start = child_start();
    std::vector<std::string> args{"mkexec"};
    // Not --poll: one spinning server for the whole family is enough.
    for (const auto& o : start.options)
        if (o.rfind("--poll", 0) != 0)
            args.push_back(o);
    args.insert(args.end(), {"--fork-child", state, "--", start.program});
    std::vector<char*> av;
    for (auto& s : args)
        av.push_back(s.data());
    av.push_back(nullptr);

    // The child makes system calls only until its exec (mkexec has other
    // threads whose locks it must not need), with every signal blocked:
    // one that comes meanwhile waits for the next mkexec, which relays it.
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    const long pid = ::syscall(SYS_clone, long(exit_signal), 0, nullptr, nullptr, 0);
    if (pid == 0) {
        for (int fd : cloexec)
            ::fcntl(fd, F_SETFD, 0);
        ::fcntl(proc.fd(), F_SETFD, 0);
        ::fcntl(pipe_fds[1], F_SETFD, 0);
        if (start.cpus) // where mkexec was started, not this server thread's CPU
            ::sched_setaffinity(0, sizeof *start.cpus, start.cpus);
        ::execve("/proc/self/exe", av.data(), start.environment);
        int err = errno;
        ::write(pipe_fds[1], &err, sizeof err);
        ::_exit(127);
    }
    const int clone_err = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ::close(write_end.fd);
    write_end.fd = -1;
    if (pid < 0)
        return -clone_err;
    int err = 0;
    ssize_t n;
    while ((n = ::read(read_end.fd, &err, sizeof err)) < 0 && errno == EINTR) { }
    if (n != sizeof err) { // it ended before it said, or the pipe is gone: it goes
        err = EAGAIN;
        ::kill(pid_t(pid), SIGKILL);
    }
    if (err) {
        // Not the program's child after all: reaped here, its status unseen
        // (a wait of the program's for any child at this moment may see it
        // first, and a SIGCHLD comes for it).
        while (::waitpid(pid_t(pid), nullptr, __WALL) < 0 && errno == EINTR) { }
        return -err;
    }
    return pid;
}

std::optional<ForkChild> parse_fork_child(const char* text)
{
    ForkChild c;
    const char* p = text;
    char* end = nullptr;
    c.parent_fd = int(std::strtol(p, &end, 10));
    if (end == p || *end != ':' || c.parent_fd < 0)
        return std::nullopt;
    p = end + 1;
    c.report_fd = int(std::strtol(p, &end, 10));
    if (end == p || *end != ':' || c.report_fd < 0)
        return std::nullopt;
    p = end + 1;
    unsigned long image = std::strtoul(p, &end, 10);
    if (end == p || *end != ':' || !image || image > UINT32_MAX)
        return std::nullopt;
    c.image = uint32_t(image);
    p = end + 1;
    while (*p) {
        long fd = std::strtol(p, &end, 10);
        if (end == p || fd < 0 || (*end && *end != ','))
            return std::nullopt;
        c.cloexec.push_back(int(fd));
        p = *end ? end + 1 : end;
    }
    // Both are mkexec's, not the program's (close-on-exec meanwhile too).
    ::fcntl(c.parent_fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(c.report_fd, F_SETFD, FD_CLOEXEC);
    return c;
}

void fork_child_started(const ForkChild& child)
{
    ::close(child.parent_fd);
    forget_own_fd(child.parent_fd);
    for (int fd : child.cloexec)
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    report(child.report_fd, 0);
    forget_own_fd(child.report_fd);
}

void fork_child_failed(const ForkChild& child, int err)
{
    report(child.report_fd, err);
}

void end_like(int status)
{
    const int sig = status & 0x7f;
    if (sig) {
        // No core file of mkexec's for the program's signal.
        struct rlimit none { };
        ::setrlimit(RLIMIT_CORE, &none);
        mk_fork_action dfl{}; // SIG_DFL, by the kernel's call: glibc refuses its own signals
        ::syscall(SYS_rt_sigaction, sig, &dfl, nullptr, 8);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        ::pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
        // To this thread, the one that does not block it.
        ::syscall(SYS_tgkill, ::getpid(), ::gettid(), sig);
        std::_Exit(128 + sig); // a signal that does not end a process (never an LWK program's end)
    }
    std::_Exit((status >> 8) & 0xff);
}

} // namespace mkexec
