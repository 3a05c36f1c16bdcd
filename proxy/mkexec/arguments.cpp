// Argument kinds (<mk/syscalls.def>): a pointer must be NULL or lie in the
// program's window; what lies below the window's start is unmapped in
// mkexec as in the program, so only addresses at or above its end are
// refused. Arrays of pointers the kernel reads (iovecs, message headers)
// are copied out of the program's memory, checked, and the call is made
// with the copies; what the kernel writes back into a message header goes
// back the same way. The copies go through a pipe of mkexec's own (write
// from the program's memory, read into mkexec's): the kernel's copy takes
// the window's faults and answers EFAULT for a bad address, where a plain
// memcpy would crash mkexec (and process_vm_readv cannot read the window,
// a PFN mapping).
#include "arguments.hpp"
#include "lwk_process.hpp"

#include <mk/proc.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <mk/error.hpp>
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

namespace mkexec {
namespace {

constexpr unsigned TABLE_SIZE = 512;
constexpr uint64_t USER_END = 1ULL << 47;
constexpr size_t MAX_IOV = 1024; // UIO_MAXIOV
constexpr size_t MAX_CONTROL = 65536; // beyond optmem_max: Linux refuses it anyway

struct Kinds {
    const char* k[TABLE_SIZE];
};

constexpr Kinds make_kinds()
{
    Kinds t{};
#define SYSCALL(nr, name, policy, kinds) t.k[nr] = kinds;
#include <mk/syscalls.def>
#undef SYSCALL
    return t;
}

constexpr Kinds kinds = make_kinds();

bool in_window(uint64_t p)
{
    return p < MK_USER_WINDOW_END;
}
bool in_window(uint64_t p, uint64_t len)
{
    return !len ||
        (p >= MK_USER_WINDOW_START && p < MK_USER_WINDOW_END && len <= MK_USER_WINDOW_END - p);
}

std::mutex copy_m;
int copy_fds[2] = {-1, -1};
size_t copy_chunk = 16384; // what the pipe holds at once (made 1 MiB where allowed)

// Through the pipe: n bytes from `from` to `to`, one of them the program's.
bool copy_through_pipe(void* to, const void* from, size_t len)
{
    std::lock_guard<std::mutex> g(copy_m);
    auto* d = static_cast<char*>(to);
    auto* s = static_cast<const char*>(from);
    while (len) {
        size_t n = len < copy_chunk ? len : copy_chunk;
        ssize_t w = ::write(copy_fds[1], s, n);
        ssize_t r = w == static_cast<ssize_t>(n) ? ::read(copy_fds[0], d, n) : 0;
        if (r != static_cast<ssize_t>(n)) {
            char sink[16384];
            while (::read(copy_fds[0], sink, sizeof sink) > 0) // what is left of it
                ;
            return false;
        }
        d += n;
        s += n;
        len -= n;
    }
    return true;
}

// Copies len bytes of the program's memory at addr; false if they are not
// all inside the window and mapped.
bool fetch(void* dst, uint64_t addr, size_t len)
{
    return in_window(addr, len) && copy_through_pipe(dst, reinterpret_cast<const void*>(addr), len);
}

bool store(uint64_t addr, const void* src, size_t len)
{
    return in_window(addr, len) && copy_through_pipe(reinterpret_cast<void*>(addr), src, len);
}

// An iovec array of the program's, copied and checked: -errno or 0.
int fetch_iov(uint64_t addr, uint64_t count, std::vector<iovec>& out)
{
    if (count > MAX_IOV)
        return -EINVAL;
    out.resize(count);
    if (count && !fetch(out.data(), addr, count * sizeof(iovec)))
        return -EFAULT;
    for (const iovec& v : out)
        if (!in_window(reinterpret_cast<uint64_t>(v.iov_base), v.iov_len))
            return -EFAULT;
    return 0;
}

// A message header with its own copies of the iovecs and (for sending) the
// control data, the rest pointing into the program's window.
struct Message {
    msghdr h{};
    std::vector<iovec> iov;
    std::vector<char> control;
};

int fetch_msg(uint64_t addr, bool sending, Message& m)
{
    if (!fetch(&m.h, addr, sizeof m.h))
        return -EFAULT;
    uint64_t name = reinterpret_cast<uint64_t>(m.h.msg_name),
             control = reinterpret_cast<uint64_t>(m.h.msg_control);
    if (!in_window(name, m.h.msg_name ? m.h.msg_namelen : 0))
        return -EFAULT;
    if (int e = fetch_iov(reinterpret_cast<uint64_t>(m.h.msg_iov), m.h.msg_iovlen, m.iov))
        return e;
    m.h.msg_iov = m.iov.data();
    if (!m.h.msg_control || !m.h.msg_controllen)
        return 0;
    if (!in_window(control, m.h.msg_controllen))
        return -EFAULT;
    if (!sending)
        return 0; // the kernel writes it: the program's own buffer
    if (m.h.msg_controllen > MAX_CONTROL)
        return -ENOBUFS;
    // Sent as copied, and no descriptor of mkexec's goes with it.
    m.control.resize(m.h.msg_controllen);
    if (!fetch(m.control.data(), control, m.control.size()))
        return -EFAULT;
    m.h.msg_control = m.control.data();
    for (cmsghdr* c = CMSG_FIRSTHDR(&m.h); c; c = CMSG_NXTHDR(&m.h, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
            continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; ++i) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (is_own_fd(fd))
                return -EBADF;
        }
    }
    return 0;
}

// What recvmsg writes into the header goes back to the program's.
bool store_msg_result(uint64_t addr, const msghdr& h)
{
    return store(addr + offsetof(msghdr, msg_namelen), &h.msg_namelen, sizeof h.msg_namelen) &&
        store(
            addr + offsetof(msghdr, msg_controllen), &h.msg_controllen, sizeof h.msg_controllen) &&
        store(addr + offsetof(msghdr, msg_flags), &h.msg_flags, sizeof h.msg_flags);
}

long raw(long nr, const uint64_t* a)
{
    long r = ::syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    return r == -1 ? -errno : r;
}

bool is_send(long nr)
{
    return nr == SYS_sendmsg || nr == SYS_sendmmsg;
}

// The call with its arrays replaced by checked copies; -errno or its result.
long with_copies(long nr, const char* k, uint64_t* a)
{
    std::array<std::vector<iovec>, 2> iovs;
    std::vector<Message> msgs;
    std::vector<mmsghdr> mm;
    struct {
        uint64_t set, size;
    } sigset{};
    unsigned next_iov = 0;
    int m_at = -1;
    for (int i = 0; k[i] && i < 6; ++i) {
        switch (k[i]) {
        case 'R':
            if (static_cast<pid_t>(a[0]) != ::getpid())
                break; // another process's memory: its own business
            [[fallthrough]];
        case 'v':
            if (int e = fetch_iov(a[i], a[i + 1], iovs[next_iov]))
                return e;
            a[i] = reinterpret_cast<uint64_t>(iovs[next_iov++].data());
            break;
        case 'm':
            msgs.resize(1);
            if (int e = fetch_msg(a[i], is_send(nr), msgs[0]))
                return e;
            m_at = i;
            break;
        case 'M': {
            uint64_t n = a[i + 1] > MAX_IOV ? MAX_IOV : a[i + 1]; // Linux caps vlen the same way
            if (!n)
                break; // nothing the kernel reads: the call as it came
            msgs.resize(n);
            mm.resize(n);
            for (uint64_t j = 0; j < n; ++j) {
                if (int e = fetch_msg(a[i] + j * sizeof(mmsghdr), is_send(nr), msgs[j]))
                    return e;
                mm[j].msg_hdr = msgs[j].h;
                mm[j].msg_len = 0;
            }
            m_at = i;
            break;
        }
        case 'S':
            if (a[i]) {
                if (!fetch(&sigset, a[i], sizeof sigset))
                    return -EFAULT;
                if (sigset.set && !in_window(sigset.set))
                    return -EFAULT;
                a[i] = reinterpret_cast<uint64_t>(&sigset);
            }
            break;
        default: break;
        }
    }
    const uint64_t program_msgs = m_at >= 0 ? a[m_at] : 0;
    if (m_at >= 0)
        a[m_at] = mm.empty() ? reinterpret_cast<uint64_t>(&msgs[0].h)
                             : reinterpret_cast<uint64_t>(mm.data());
    long r = raw(nr, a);
    if (m_at < 0 || r < 0)
        return r;
    // Back into the program's headers: what the kernel wrote.
    if (mm.empty()) {
        if (!is_send(nr) && !store_msg_result(program_msgs, msgs[0].h))
            return -EFAULT;
        return r;
    }
    for (long j = 0; j < r; ++j) {
        uint64_t at = program_msgs + j * sizeof(mmsghdr);
        if ((!is_send(nr) && !store_msg_result(at, mm[j].msg_hdr)) ||
            !store(at + offsetof(mmsghdr, msg_len), &mm[j].msg_len, sizeof mm[j].msg_len))
            return -EFAULT;
    }
    return r;
}

} // namespace

bool fetch_program(void* dst, uint64_t addr, size_t len) { return fetch(dst, addr, len); }
bool in_program_window(uint64_t addr, uint64_t len) { return in_window(addr, len); }

void open_copy_pipe()
{
    if (::pipe2(copy_fds, O_CLOEXEC | O_NONBLOCK) != 0)
        throw mk::Error(std::string("cannot make a pipe: ") + std::strerror(errno), errno);
    copy_fds[0] = move_fd_high(copy_fds[0]); // out of the program's way
    copy_fds[1] = move_fd_high(copy_fds[1]);
    // Large copies (a fork's) in fewer steps: 1 MiB is what any user may ask for.
    long size = ::fcntl(copy_fds[1], F_SETPIPE_SZ, 1 << 20);
    if (size < 0)
        size = ::fcntl(copy_fds[1], F_GETPIPE_SZ);
    if (size >= 16384)
        copy_chunk = static_cast<size_t>(size);
}

bool checked_call(const mk_proc_event& call, long* ret)
{
    const long nr = static_cast<long>(call.nr);
    const char* k =
        nr >= 0 && nr < static_cast<long>(TABLE_SIZE) && kinds.k[nr] ? kinds.k[nr] : "cccccc";
    if (!std::strcmp(k, "X") || !std::strcmp(k, "E")) {
        *ret = k[0] == 'X' ? -ENOSYS : -EPERM;
        return true;
    }
    uint64_t a[6];
    std::memcpy(a, call.args, sizeof a);
    bool copies = false;
    for (int i = 0; k[i] && i < 6; ++i) {
        switch (k[i]) {
        case 'p':
            if (!in_window(a[i])) {
                *ret = -EFAULT;
                return true;
            }
            break;
        case 'c':
            if (a[i] >= MK_USER_WINDOW_END && a[i] < USER_END) {
                *ret = -EFAULT;
                return true;
            }
            break;
        case 'v':
        case 'R':
        case 'm':
        case 'M':
        case 'S':
            if (a[i] && !in_window(a[i])) {
                *ret = -EFAULT;
                return true;
            }
            copies = true;
            break;
        default: break;
        }
    }
    if (!copies)
        return false;
    *ret = with_copies(nr, k, a);
    return true;
}

} // namespace mkexec
