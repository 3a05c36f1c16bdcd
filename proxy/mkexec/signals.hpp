// Signals and mkexec. Those a user or a batch system sends to mkexec
// (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2, SIGALRM of a forwarded
// alarm() ...) are the program's: the event loop catches them and passes
// them on to the LWK process. Only the main thread takes them; the threads
// serving forwarded calls block them, and are themselves interrupted with
// a private real-time signal when the program's thread gets a signal
// (their call then fails with EINTR, as the program's would).
#pragma once

#include "lwk_process.hpp"

// Boost 1.74 Asio uses std::exchange without including <utility> (C++20, GCC 12).
#include <utility>

#include <boost/asio.hpp>

#include <csignal>

namespace mkexec {

// The signals passed on to the program.
const sigset_t& relayed_signals();
// The signal that interrupts a serving thread's call.
int interrupt_signal();

// Once, before any thread starts: SIGPIPE ignored (the program gets its
// own from the LWK), the interrupt signal's handler (no SA_RESTART).
void setup_signals();

// Passes relayed signals to proc until cancel(); runs in io's thread.
class SignalRelay {
public:
    SignalRelay(boost::asio::io_context& io, LwkProcess& proc);
    void cancel();

private:
    void wait();
    boost::asio::signal_set set_;
    LwkProcess& proc_;
};

} // namespace mkexec
