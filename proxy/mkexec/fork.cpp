// New processes of the program's, run by Linux. The LWK hands over the
// calling thread's registers, its signal state and the program's regions
// (struct mk_fork_state, in a scratch mapping of the program's: read once,
// checked, used as mkexec's own copy). mkexec copies the regions out of
// the window (through the checking pipe: a page the program unmapped
// meanwhile reads as zeros, never a fault of mkexec's) into one private
// mapping (the pieces never written are zero-filled in the child instead),
// and clones itself. The window is not inherited (VM_DONTCOPY):
// the child moves each copied piece to its address, closes mkexec's own
// descriptors, takes the program's signal dispositions, mask, alternate
// stack and thread pointer, loads the registers and continues from the
// call with 0, a Linux process from then on, the program's child. A vfork's
// child copies nothing: it maps the window itself and runs in the
// program's own memory, as on Linux, while mkexec's thread (and with it
// the program's) waits for its execve or end (clone's CLONE_VFORK). A shared
// mapping (a file's, /dev/shm, SysV, MAP_SHARED | MAP_ANONYMOUS) is not
// copied: the child moves its inherited copy of mkexec's mapping of the
// pin into place, so parent and child share the pages as on Linux. Between
// the clone and the jump it makes only system calls (mkexec has other
// threads whose locks it must not need).
//
// execve runs the new program on the LWK in the same process: mkexec checks
// it as execve(2) would (a failure is the program's errno, nothing
// changed), sets the signal dispositions the new image inherits (ignored
// stays ignored) and the mask, and execs itself with its own options and
// the new program, argv and environment. Its own descriptors close on
// exec, which ends the old LWK process as mkexec's end does; the
// program's without close-on-exec stay, and so does the pid. An execve of
// mkexec itself is Linux's: the new mkexec starts its own program.
#include "fork.hpp"
#include "arguments.hpp"
#include "lwk_process.hpp"
#include "program.hpp"
#include "signals.hpp"

#include <mk/proc.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <fcntl.h>
#include <sched.h>
#include <string>
#include <vector>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

// The child's registers: read by enter_child, after the state (its own
// copy, in the child) is no longer needed.
extern "C" {
alignas(64) mk_fork_state mkexec_child_state;
uint64_t mkexec_child_rip;
}

namespace mkexec {
namespace {

constexpr uint64_t PAGE = 4096;

struct Move {
    uint64_t from, to, len; // from: 0 for zero-filled memory
    int prot;
    uint64_t from_len = 0; // of a shared mapping: what the pin holds (the rest lies past the file's end)
};

std::mutex fork_m;          // one fork at a time: the globals are the next child's
std::vector<Move> moves;    // the child's, read after the clone
std::vector<int> closing;   // mkexec's own descriptors, closed in the child
int shared_window = -1;     // a vfork's child: the process fd whose window it maps
std::vector<std::string> exec_options; // mkexec's own options, for the next program
std::vector<std::string> exec_environment; // and its own environment
cpu_set_t program_cpus;     // where mkexec could run when it started
bool program_cpus_known = false;
std::string program_name;   // the program as mkexec started it
ForkPolicy fork_policy = ForkPolicy::same_cores;

long sys(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0)
{
    long r = ::syscall(nr, a, b, c, d, e, f);
    return r == -1 ? -errno : r;
}

// A system call with no C library around it (no errno).
long raw_syscall(long nr, long a, long b, long c, long d)
{
    long r;
    register long r10 asm("r10") = d;
    asm volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
    return r;
}

// The last step: registers as the program had them, rax 0, at its rip.
[[noreturn]] void enter_child(const mk_fork_state* s)
{
#define OFF(f) "i"(offsetof(mk_fork_state, f))
    asm volatile("fxrstor64 %c[fx](%%rax)\n\t"
                 "pushq %c[fl](%%rax)\n\t"
                 "popfq\n\t"
                 "mov %c[r15](%%rax), %%r15\n\t"
                 "mov %c[r14](%%rax), %%r14\n\t"
                 "mov %c[r13](%%rax), %%r13\n\t"
                 "mov %c[r12](%%rax), %%r12\n\t"
                 "mov %c[r11](%%rax), %%r11\n\t"
                 "mov %c[r10](%%rax), %%r10\n\t"
                 "mov %c[r9](%%rax), %%r9\n\t"
                 "mov %c[r8](%%rax), %%r8\n\t"
                 "mov %c[rbp](%%rax), %%rbp\n\t"
                 "mov %c[rdi](%%rax), %%rdi\n\t"
                 "mov %c[rsi](%%rax), %%rsi\n\t"
                 "mov %c[rdx](%%rax), %%rdx\n\t"
                 "mov %c[rcx](%%rax), %%rcx\n\t"
                 "mov %c[rbx](%%rax), %%rbx\n\t"
                 "mov %c[rsp](%%rax), %%rsp\n\t"
                 "xor %%eax, %%eax\n\t"
                 "jmp *mkexec_child_rip(%%rip)"
                 :
                 : "a"(s), [fx] OFF(fxsave), [fl] OFF(rflags), [r15] OFF(r15), [r14] OFF(r14),
                 [r13] OFF(r13), [r12] OFF(r12), [r11] OFF(r11), [r10] OFF(r10), [r9] OFF(r9), [r8] OFF(r8),
                 [rbp] OFF(rbp), [rdi] OFF(rdi), [rsi] OFF(rsi), [rdx] OFF(rdx), [rcx] OFF(rcx),
                 [rbx] OFF(rbx), [rsp] OFF(rsp)
                 : "memory");
#undef OFF
    __builtin_unreachable();
}

[[noreturn]] void child_fails(const char* what)
{
    const char* pre = "mkexec: the new process could not be set up: ";
    (void)!::write(2, pre, std::strlen(pre));
    (void)!::write(2, what, std::strlen(what));
    (void)!::write(2, "\n", 1);
    ::syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

// The program's signal dispositions, as rt_sigaction takes them.
void set_actions(const mk_fork_state& st, bool exec)
{
    for (int sig = 1; sig <= 64; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        mk_fork_action a = st.actions[sig - 1];
        if (exec) // execve: handled ones go back to the default
            a = {a.handler == uintptr_t(SIG_IGN) ? uintptr_t(SIG_IGN) : uintptr_t(SIG_DFL), 0, 0, 0};
        ::syscall(SYS_rt_sigaction, sig, &a, nullptr, 8);
    }
}

[[noreturn]] void child_main()
{
    mk_fork_state& st = mkexec_child_state;
    // A vfork's child runs in the program's own memory (mk.ko lets only
    // such a child map the window, and drops its view with mkexec's).
    if (shared_window >= 0 &&
        sys(SYS_mmap, long(MK_USER_WINDOW_START), long(MK_USER_WINDOW_END - MK_USER_WINDOW_START),
            PROT_READ | PROT_WRITE | PROT_EXEC, MAP_SHARED | MAP_FIXED, shared_window, 0) != long(MK_USER_WINDOW_START))
        child_fails("sharing the program's memory (vfork)");
    for (const Move& m : moves) {
        if (m.from) {
            const uint64_t from_len = m.from_len ? m.from_len : m.len;
            if (sys(SYS_mremap, long(m.from), long(from_len), long(m.len), MREMAP_MAYMOVE | MREMAP_FIXED,
                    long(m.to)) != long(m.to))
                child_fails("moving the program's memory into place");
            // A shared mapping mkexec made without PROT_EXEC (a noexec
            // mount) that the program made executable stays without it.
            if (sys(SYS_mprotect, long(m.to), long(m.len), m.prot) != 0 &&
                (!m.from_len || sys(SYS_mprotect, long(m.to), long(m.len), m.prot & ~PROT_EXEC) != 0))
                child_fails("setting the program's memory protection");
        } else if (sys(SYS_mmap, long(m.to), long(m.len), m.prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                       -1, 0) != long(m.to)) {
            child_fails("mapping the program's zero-filled ranges");
        }
    }
    for (int fd : closing)
        ::syscall(SYS_close, fd);
    // The CPUs mkexec was started on, not those of the server thread that
    // made the call (the doorbell CPU, a polling CPU).
    if (program_cpus_known)
        ::syscall(SYS_sched_setaffinity, 0, sizeof program_cpus, &program_cpus);
    set_actions(st, false);
    if (st.altstack_size) {
        stack_t ss{reinterpret_cast<void*>(st.altstack_sp), int(st.altstack_flags), st.altstack_size};
        ::syscall(SYS_sigaltstack, &ss, nullptr);
    }
    if (st.flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
        long tid = ::syscall(SYS_gettid);
        if (st.flags & CLONE_CHILD_SETTID)
            *reinterpret_cast<volatile int32_t*>(st.child_tid) = int32_t(tid);
        if (st.flags & CLONE_CHILD_CLEARTID)
            ::syscall(SYS_set_tid_address, st.child_tid);
    }
    // The last two calls are made without the C library (whose errno lives
    // behind the thread pointer): the program's thread pointer, then its
    // mask (every signal stayed blocked until here, so no handler of the
    // program ran on mkexec's stack or thread pointer).
    constexpr long ARCH_SET_FS = 0x1002;
    if (raw_syscall(SYS_arch_prctl, ARCH_SET_FS, long(st.fs_base), 0, 0) != 0)
        child_fails("setting the thread pointer");
    raw_syscall(SYS_rt_sigprocmask, SIG_SETMASK, long(&st.sigmask), 0, 8);
    mkexec_child_rip = st.rip;
    enter_child(&st);
}

// Copies a region of the program's; pages that cannot be read stay zero.
void copy_region(char* to, uint64_t from, uint64_t len)
{
    constexpr uint64_t CHUNK = 1 << 20;
    for (uint64_t at = 0; at < len; at += CHUNK) {
        uint64_t n = len - at < CHUNK ? len - at : CHUNK;
        if (fetch_program(to + at, from + at, n))
            continue;
        for (uint64_t pg = at; pg < at + n; pg += PAGE)
            (void)fetch_program(to + pg, from + pg, PAGE);
    }
}

// Clones mkexec into the program's child, which runs child_main with
// moves, closing and window set by the caller (under fork_m). Every signal
// is blocked across the clone; the child takes the program's mask last.
// With window (a vfork, CLONE_VM | CLONE_VFORK): the child maps the
// program's memory instead of having a copy, and this thread, whose call
// the program's thread waits for, waits in its turn until the child has
// called execve or ended (Linux's own vfork wait).
long clone_child(int window)
{
    closing = own_fd_list();
    shared_window = window;
    const long flags = long(mkexec_child_state.flags & 0xff) | (window >= 0 ? CLONE_VFORK : 0);
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    long pid = ::syscall(SYS_clone, flags, 0, nullptr, nullptr, 0);
    if (pid == 0)
        child_main();
    int err = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return pid < 0 ? -err : pid;
}

} // namespace

void remember_program_cpus()
{
    program_cpus_known = ::sched_getaffinity(0, sizeof program_cpus, &program_cpus) == 0;
}

long fork_program(const LwkProcess& proc, const __u64* a)
{
    const uint64_t addr = a[0], bytes = a[1];
    if (bytes < sizeof(mk_fork_state) ||
        bytes > sizeof(mk_fork_state) + MK_FORK_MAX_REGIONS * sizeof(mk_fork_region))
        return -EINVAL;
    std::lock_guard<std::mutex> g(fork_m);
    std::vector<mk_fork_region> regions((bytes - sizeof(mk_fork_state)) / sizeof(mk_fork_region));
    mk_fork_state& st = mkexec_child_state;
    if (!fetch_program(&st, addr, sizeof st) ||
        !fetch_program(regions.data(), addr + sizeof st, regions.size() * sizeof(mk_fork_region)))
        return -EFAULT;
    if (st.nr_regions != regions.size() || (st.flags & 0xff) > 64)
        return -EINVAL;
    if (st.lwk_image) { // the LWK has made the child (--fork=same|free): take it
        if (st.lwk_image > UINT32_MAX || fork_policy == ForkPolicy::to_linux || st.nr_regions ||
            (st.flags & (CLONE_VM | CLONE_VFORK)))
            return -EINVAL;
        return fork_on_lwk(proc, int(st.flags & 0xff), uint32_t(st.lwk_image));
    }
    uint64_t total = 0, last_end = 0;
    std::vector<uint64_t> shared_from, shared_len; // MK_FORK_SHARE: mkexec's mapping of the pin, there
    for (const mk_fork_region& r : regions) {
        if (r.start % PAGE || r.len % PAGE || !r.len || !in_program_window(r.start, r.len) || r.start < last_end ||
            (r.prot & ~uint32_t(PROT_READ | PROT_WRITE | PROT_EXEC)) || r.copy > MK_FORK_SHARE || r.reserved)
            return -EINVAL;
        last_end = r.start + r.len;
        if (r.copy == MK_FORK_COPY)
            total += r.len;
        if (r.copy != MK_FORK_SHARE)
            continue;
        // Only a pin of this process's, within mkexec's mapping of it; a
        // file mapping may go on past the file's end, which is not pinned
        // (the child maps that part too, or zero-fills a piece wholly there).
        auto pin = proc.pin_mapping(r.pin);
        if (!pin || r.pin_offset % PAGE)
            return -EINVAL;
        const bool inside = r.pin_offset < pin->second;
        shared_from.push_back(inside ? pin->first + r.pin_offset : 0);
        shared_len.push_back(inside ? std::min<uint64_t>(r.len, pin->second - r.pin_offset) : 0);
    }
    if (!in_program_window(st.child_tid, 4) && (st.flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)))
        return -EFAULT;
    moves.clear();
    if ((st.flags & (CLONE_VM | CLONE_VFORK)) == (CLONE_VM | CLONE_VFORK))
        return clone_child(proc.fd());

    char* copy = nullptr;
    if (total) {
        void* m = ::mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED)
            return -ENOMEM;
        copy = static_cast<char*>(m);
        (void)::madvise(copy, total, MADV_HUGEPAGE); // 2 MiB at a time where Linux can
    }
    uint64_t at = 0;
    size_t shared = 0;
    for (const mk_fork_region& r : regions) {
        if (r.copy == MK_FORK_SHARE) { // the child's own view of the same pages (fork kept mkexec's mappings)
            moves.push_back({shared_from[shared], r.start, r.len, int(r.prot), shared_len[shared]});
            ++shared;
        } else if (r.copy == MK_FORK_COPY) {
            copy_region(copy + at, r.start, r.len);
            moves.push_back({reinterpret_cast<uint64_t>(copy + at), r.start, r.len, int(r.prot)});
            at += r.len;
        } else {
            moves.push_back({0, r.start, r.len, int(r.prot)});
        }
    }
    const long pid = clone_child(-1);
    if (copy)
        ::munmap(copy, total);
    return pid;
}

namespace {

// A NUL-terminated string of the program's, at most max bytes.
bool fetch_string(uint64_t addr, size_t max, std::string& out)
{
    out.clear();
    char buf[256];
    while (out.size() < max) {
        uint64_t n = PAGE - addr % PAGE < sizeof buf ? PAGE - addr % PAGE : sizeof buf;
        if (!fetch_program(buf, addr, n))
            return false;
        for (uint64_t i = 0; i < n; ++i) {
            if (!buf[i])
                return true;
            out.push_back(buf[i]);
        }
        addr += n;
    }
    return false;
}

// argv or envp: the strings, E2BIG past Linux's own limits, EFAULT for a
// pointer outside the program's memory.
int fetch_vector(uint64_t addr, std::vector<std::string>& out, size_t& bytes)
{
    constexpr size_t MAX_STRINGS = 0x7fffffff / sizeof(void*), MAX_BYTES = 32 << 20, MAX_ONE = 32 * PAGE;
    if (!addr)
        return 0;
    for (;;) {
        uint64_t p;
        if (!fetch_program(&p, addr + out.size() * 8, 8))
            return -EFAULT;
        if (!p)
            return 0;
        if (out.size() >= MAX_STRINGS)
            return -E2BIG;
        std::string s;
        if (!fetch_string(p, MAX_ONE, s))
            return s.size() >= MAX_ONE ? -E2BIG : -EFAULT;
        bytes += s.size() + 1;
        if (bytes > MAX_BYTES)
            return -E2BIG;
        out.push_back(std::move(s));
    }
}

} // namespace

void set_exec_options(const std::vector<std::string>& options, char** environment, const std::string& program,
    ForkPolicy policy)
{
    exec_options = options;
    for (char** e = environment; e && *e; ++e)
        exec_environment.emplace_back(*e);
    program_name = program;
    fork_policy = policy;
}

namespace {

char** own_environment()
{
    static std::vector<char*> env;
    env.clear();
    for (auto& e : exec_environment)
        env.push_back(e.data());
    env.push_back(nullptr);
    return env.data();
}

} // namespace

ChildStart child_start()
{
    return {exec_options, own_environment(), program_cpus_known ? &program_cpus : nullptr, program_name};
}

std::vector<std::string> read_exec_environment(int fd)
{
    std::vector<std::string> env;
    std::string all;
    char buf[65536];
    ssize_t n;
    ::lseek(fd, 0, SEEK_SET);
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        all.append(buf, static_cast<size_t>(n));
    ::close(fd);
    for (size_t at = 0; at < all.size();) {
        size_t end = all.find('\0', at);
        if (end == std::string::npos)
            end = all.size();
        env.push_back(all.substr(at, end - at));
        at = end + 1;
    }
    return env;
}

namespace {

// Linux's execve of file by this thread, with the dispositions the
// program's new image inherits (st), from the CPUs mkexec was started on,
// with every signal blocked (or, at the exec, the mask given). Returns
// only if it failed (-errno), mkexec as it was.
long exec_as_program(const char* file, char* const* argv, char* const* envp, const mk_fork_state& st,
    const sigset_t* mask)
{
    std::lock_guard<std::mutex> g(fork_m);
    std::lock_guard<std::mutex> d(dispositions_lock()); // none ignored for a moment by a group kill
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    mk_fork_action saved[64];
    for (int sig = 1; sig <= 64; ++sig)
        ::syscall(SYS_rt_sigaction, sig, nullptr, &saved[sig - 1], 8);
    set_actions(st, true);
    cpu_set_t server_cpus; // the new image starts where mkexec was started
    const bool moved = program_cpus_known && ::sched_getaffinity(0, sizeof server_cpus, &server_cpus) == 0 &&
        ::sched_setaffinity(0, sizeof program_cpus, &program_cpus) == 0;
    if (mask)
        ::pthread_sigmask(SIG_SETMASK, mask, nullptr);
    ::execve(file, argv, envp);
    const int err = errno;
    ::pthread_sigmask(SIG_SETMASK, &all, nullptr);
    if (moved)
        ::sched_setaffinity(0, sizeof server_cpus, &server_cpus);
    // Still mkexec: as it was.
    for (int sig = 1; sig <= 64; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP)
            ::syscall(SYS_rt_sigaction, sig, &saved[sig - 1], nullptr, 8);
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return -err;
}

// Whether path is this mkexec's own program file.
bool is_mkexec(const std::string& path)
{
    struct stat a, b;
    return ::stat(path.c_str(), &a) == 0 && ::stat("/proc/self/exe", &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino;
}

// The program's execve of mkexec itself (a job script under mkexec that
// starts a program with mkexec): Linux's execve, with the program's
// arguments, environment and signal mask, so that the new mkexec starts
// its program as any mkexec does, where its own options say.
long exec_mkexec(const std::string& path, std::vector<std::string>& argv, std::vector<std::string>& envp,
    const mk_fork_state& st)
{
    std::vector<char*> av, ev;
    for (auto& a : argv)
        av.push_back(a.data());
    av.push_back(nullptr);
    for (auto& e : envp)
        ev.push_back(e.data());
    ev.push_back(nullptr);
    sigset_t mask;
    sigemptyset(&mask);
    for (int sig = 1; sig <= 64; ++sig)
        if (st.sigmask & (1ULL << (sig - 1)))
            sigaddset(&mask, sig);
    return exec_as_program(path.c_str(), av.data(), ev.data(), st, &mask);
}

} // namespace

long exec_program(const __u64* a)
{
    // (dirfd, path, argv, envp, flags, state)
    constexpr long KNOWN_FLAGS = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW;
    const int dirfd = int(a[0]);
    const long flags = long(a[4]);
    if (flags & ~KNOWN_FLAGS)
        return -EINVAL;
    if (dirfd != AT_FDCWD && (dirfd < 0 || is_own_fd(dirfd)))
        return -EBADF;
    std::string path;
    if (!fetch_string(a[1], 4096, path))
        return path.size() >= 4096 ? -ENAMETOOLONG : -EFAULT;
    std::vector<std::string> argv, envp;
    size_t bytes = 0;
    if (int e = fetch_vector(a[2], argv, bytes); e < 0)
        return e;
    if (int e = fetch_vector(a[3], envp, bytes); e < 0)
        return e;
    mk_fork_state st{};
    if (!fetch_program(&st, a[5], offsetof(mk_fork_state, fxsave)))
        return -EFAULT;
    // A path relative to a directory descriptor, or the descriptor itself,
    // as a path that stays valid through mkexec's own exec.
    if (dirfd != AT_FDCWD && (path.empty() ? (flags & AT_EMPTY_PATH) : path[0] != '/'))
        path = "/proc/self/fd/" + std::to_string(dirfd) + (path.empty() ? "" : "/" + path);
    if (path.empty())
        return -ENOENT;
    if (path.find('/') == std::string::npos)
        path = "./" + path;
    if (flags & AT_SYMLINK_NOFOLLOW) {
        struct stat lst;
        if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode))
            return -ELOOP;
    }
    if (is_mkexec(path))
        return exec_mkexec(path, argv, envp, st);
    // A descriptor the path goes through (fexecve: /proc/self/fd/N) that
    // closes on exec would be gone before the next mkexec reads the
    // program: that one gets a copy which stays open until it has read it.
    int keep = -1;
    unsigned n = 0;
    int used = 0;
    if ((std::sscanf(path.c_str(), "/proc/self/fd/%u%n", &n, &used) == 1 ||
            std::sscanf(path.c_str(), "/dev/fd/%u%n", &n, &used) == 1) &&
        n < 65536 && !is_own_fd(long(n))) {
        const int fl = ::fcntl(int(n), F_GETFD);
        const int floor = std::max(high_fd_floor() - 16, 0); // below mkexec's own
        if (fl >= 0 && (fl & FD_CLOEXEC) && (keep = ::fcntl(int(n), F_DUPFD, floor)) >= 0)
            path = "/proc/self/fd/" + std::to_string(keep) + path.substr(size_t(used));
    }
    struct KeepCloser {
        int fd;
        ~KeepCloser() { if (fd >= 0) ::close(fd); } // still mkexec: the exec failed
    } keep_closer{keep};
    try {
        (void)load_program(path, false); // fails here, as execve would, or not at all
    } catch (const ProgramError& e) {
        return -e.error;
    }

    // The program's environment goes to the next mkexec in a memory file
    // (mkexec itself keeps its own: LD_PRELOAD and the like are the
    // program's), which it reads and closes.
    int env_fd = ::memfd_create("mkexec-environment", 0);
    if (env_fd < 0)
        return -errno;
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{env_fd};
    for (const auto& e : envp)
        if (::write(env_fd, e.c_str(), e.size() + 1) != static_cast<ssize_t>(e.size() + 1))
            return -ENOMEM;

    // mkexec again, running the new program: same pid, the descriptors the
    // program keeps; the program's mask passed on as an option, since
    // mkexec execs with every signal blocked (one that comes meanwhile
    // waits for the next mkexec, which passes it on).
    char mask[32];
    std::snprintf(mask, sizeof mask, "%llx", static_cast<unsigned long long>(st.sigmask));
    std::vector<std::string> args{"mkexec"};
    args.insert(args.end(), exec_options.begin(), exec_options.end());
    args.insert(args.end(), {"--exec-state", std::to_string(env_fd) + ":" + mask + (keep >= 0 ? ":" + std::to_string(keep) : ""), "--argv0",
                                argv.empty() ? std::string() : argv[0], "--", path});
    if (argv.size() > 1)
        args.insert(args.end(), argv.begin() + 1, argv.end());
    std::vector<char*> av;
    for (auto& s : args)
        av.push_back(s.data());
    av.push_back(nullptr);

    return exec_as_program("/proc/self/exe", av.data(), own_environment(), st, nullptr);
}

} // namespace mkexec
