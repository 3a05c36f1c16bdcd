#include "signals.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace mkexec {
namespace {

constexpr int RELAYED[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGWINCH, SIGCHLD,
    SIGURG, SIGIO, SIGPWR, SIGVTALRM, SIGPROF};

extern "C" void on_interrupt(int) {} // only to make the call fail with EINTR

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
            if (n == sizeof info)
                proc.signal(static_cast<int>(info.ssi_signo), static_cast<int>(info.ssi_pid), info.ssi_uid);
            else if (n < 0 && errno != EINTR)
                return;
        }
    }).detach();
}

} // namespace mkexec
