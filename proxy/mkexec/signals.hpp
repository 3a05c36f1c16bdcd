// Signals and mkexec. Those a user or a batch system sends to mkexec
// (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2, SIGALRM of a forwarded
// alarm() ...) are the program's: every thread of mkexec blocks them, and
// a thread of their own reads them from a signalfd, with their sender, and
// passes them on to the LWK process. The threads serving forwarded calls are
// themselves interrupted with a private real-time signal when the
// program's thread gets a signal (their call then fails with EINTR, as the
// program's would).
#pragma once

#include "lwk_process.hpp"

#include <csignal>
#include <mutex>
#include <sys/signalfd.h>

namespace mkexec {

// The signals passed on to the program.
const sigset_t& relayed_signals();
// The signal that interrupts a serving thread's call.
int interrupt_signal();

// Once, before any thread starts: the relayed signals blocked (they wait
// for the relay, however early they come), SIGPIPE ignored (the program
// gets its own from the LWK), the interrupt signal's handler (no
// SA_RESTART).
void setup_signals();

// Passes relayed signals to proc, from a thread of its own, until mkexec
// ends. Its only descriptor (the signalfd) is one of mkexec's own, high.
class SignalRelay {
public:
    explicit SignalRelay(LwkProcess& proc);
};

// kill(pid, sig) for the program, pid 0 or a process group: when mkexec
// (the program's process) is in that group, its own copy is neither passed
// on nor acted on, and the answer is 1: the LWK signals the program itself.
long kill_group(pid_t pid, int sig);
// Held while mkexec changes its signal dispositions for a moment (a group
// kill) or reads them to pass them on (an execve).
std::mutex& dispositions_lock();

} // namespace mkexec
