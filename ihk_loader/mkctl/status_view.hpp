// How mkctl shows the partition: a short table, or JSON for scripts.
#pragma once

#include <mk/device.hpp>

#include <iosfwd>

namespace mkctl {

void print_status(std::ostream& out, const mk::Status& s);
void print_status_json(std::ostream& out, const mk::Status& s);

} // namespace mkctl
