// Shows the progress of a long module call on a terminal.
#pragma once

#include <functional>

namespace mkctl {

// Runs call() on a worker thread. If it takes longer than a moment and
// stderr is a terminal, shows "what: DONE / TOTAL" from
// /sys/kernel/mk/reserve_progress until it returns. Rethrows its exception.
void with_progress(const char* what, const std::function<void()>& call);

} // namespace mkctl
