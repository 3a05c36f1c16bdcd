#include "exit_status.hpp"

#include <mk/proc.h>

#include <csignal>
#include <cstdio>
#include <cstring>

namespace mkexec {

int exit_code(const mk_proc_event& end, const std::string& program, std::string* report)
{
    int status = end.status;
    int sig = status & 0x7f;
    if (sig == 0)
        return (status >> 8) & 0xff;
    // As a shell reports it: nothing for an interrupt or a broken pipe.
    if (sig == SIGINT || sig == SIGPIPE)
        return 128 + sig;
    char line[256];
    const char* name = sigabbrev_np(sig);
    if (end.fault == MK_EXIT_FAULT_ADDR)
        std::snprintf(line, sizeof line, "%s: %s (SIG%s) at address %#llx, RIP %#llx", program.c_str(),
            strsignal(sig), name ? name : "?", static_cast<unsigned long long>(end.fault_addr),
            static_cast<unsigned long long>(end.fault_ip));
    else if (end.fault == MK_EXIT_FAULT_IP)
        std::snprintf(line, sizeof line, "%s: %s (SIG%s) at RIP %#llx", program.c_str(), strsignal(sig),
            name ? name : "?", static_cast<unsigned long long>(end.fault_ip));
    else
        std::snprintf(line, sizeof line, "%s: %s (SIG%s)", program.c_str(), strsignal(sig), name ? name : "?");
    *report = line;
    return 128 + sig;
}

} // namespace mkexec
