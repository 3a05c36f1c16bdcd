#include "signals.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace mkexec {
namespace {

constexpr int RELAYED[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGWINCH, SIGCHLD,
    SIGURG, SIGIO, SIGPWR, SIGVTALRM, SIGPROF};

extern "C" void on_interrupt(int) {} // only to make the call fail with EINTR

// Copies of relayed signals mkexec sent itself by a kill of the program's
// process group, which the program already has: not passed on.
std::atomic<int> own_copies[NSIG];

bool relayed(int sig)
{
    return sig > 0 && sig < NSIG && sigismember(&relayed_signals(), sig) == 1;
}

} // namespace

const sigset_t& relayed_signals()
{
    static const sigset_t set = [] {
        sigset_t s;
        sigemptyset(&s);
        for (int sig : RELAYED)
            sigaddset(&s, sig);
        return s;
    }();
    return set;
}

int interrupt_signal() { return SIGRTMIN + 2; }

void setup_signals()
{
    pthread_sigmask(SIG_BLOCK, &relayed_signals(), nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // not SA_RESTART: the call is cut short
    sigaction(interrupt_signal(), &sa, nullptr);
}

SignalRelay::SignalRelay(LwkProcess& proc)
{
    int fd = ::signalfd(-1, &relayed_signals(), SFD_CLOEXEC);
    if (fd < 0) {
        std::fprintf(stderr, "mkexec: cannot take signals for the program: %s\n", std::strerror(errno));
        return;
    }
    fd = move_fd_high(fd);
    std::thread([fd, &proc] {
        signalfd_siginfo info{};
        for (;;) {
            ssize_t n = ::read(fd, &info, sizeof info);
            if (n != sizeof info) {
                if (n < 0 && errno != EINTR)
                    return;
                continue;
            }
            const int sig = static_cast<int>(info.ssi_signo);
            if (info.ssi_code == SI_USER && static_cast<pid_t>(info.ssi_pid) == ::getpid() && relayed(sig)) {
                int left = own_copies[sig].load();
                while (left > 0 && !own_copies[sig].compare_exchange_weak(left, left - 1)) { }
                if (left > 0)
                    continue; // the program got it from the LWK
            }
            proc.signal(sig, static_cast<int>(info.ssi_pid), info.ssi_uid);
        }
    }).detach();
}

std::mutex& dispositions_lock()
{
    static std::mutex m;
    return m;
}

long kill_group(pid_t pid, int sig)
{
    std::lock_guard<std::mutex> g(dispositions_lock()); // one at a time: dispositions are the process's
    const bool member = pid == 0 || ::getpgid(0) == -pid;
    if (!member || sig <= 0 || sig >= NSIG)
        return ::kill(pid, sig) == 0 ? 0 : -errno;
    // 1: the LWK gives the program its signal itself.
    if (sig == SIGKILL || sig == SIGSTOP || sig == interrupt_signal()) // mkexec's copy acts, or does nothing
        return ::kill(pid, sig) == 0 ? 1 : -errno;
    if (relayed(sig)) { // blocked everywhere: its copy comes to the relay, which drops it
        own_copies[sig]++;
        if (::kill(pid, sig) == 0)
            return 1;
        own_copies[sig]--;
        return -errno;
    }
    // Any other signal would act on mkexec by its default (stop it, end it):
    // ignored meanwhile, mkexec's copy is discarded as it is generated.
    struct sigaction ign {}, old {};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    const bool swap = ::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_DFL &&
        ::sigaction(sig, &ign, nullptr) == 0;
    const long ret = ::kill(pid, sig) == 0 ? 1 : -errno;
    if (swap)
        ::sigaction(sig, &old, nullptr);
    return ret;
}

} // namespace mkexec
