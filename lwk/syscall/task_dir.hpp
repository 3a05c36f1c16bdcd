// /proc/<pid>/task of an LWK program: its listing names the LWK's threads.
#pragma once

#include <syscall/syscall.hpp>

namespace lwk::sys {

// fd, just opened on the program's /proc/<pid>/task, lists its threads.
void remember_task_dir(Context& c, long fd);

} // namespace lwk::sys
