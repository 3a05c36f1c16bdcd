#include "signals.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace mkexec {
namespace {

constexpr int RELAYED[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGWINCH,
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
    std::signal(SIGPIPE, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; // not SA_RESTART: the call is cut short
    sigaction(interrupt_signal(), &sa, nullptr);
}

SignalRelay::SignalRelay(boost::asio::io_context& io, LwkProcess& proc) : set_(io), proc_(proc)
{
    for (int sig : RELAYED)
        set_.add(sig);
    wait();
}

void SignalRelay::cancel()
{
    boost::system::error_code ec;
    set_.cancel(ec);
}

void SignalRelay::wait()
{
    set_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        proc_.signal(sig, 0, ::getuid()); // the sender is not known here
        wait();
    });
}

} // namespace mkexec
