// Shows the progress of a long module call on a terminal.
#pragma once

#include <functional>

namespace mkctl {

// Runs call() on a worker thread. If it takes longer than a moment and
// stderr is a terminal that can redraw a line (TERM is not "dumb"), shows
// "what: DONE / TOTAL" from /sys/kernel/mk/reserve_progress until it
// returns; otherwise (a log, a pipe, a serial console) it prints one line
// "what: TOTAL in S s" at the end of a call that took that long.
// Rethrows its exception.
void with_progress(const char* what, const std::function<void()>& call);

} // namespace mkctl
