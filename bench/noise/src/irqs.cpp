#include "irqs.hpp"

#include <mk/proc.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace mk::noise {
namespace {

int64_t from_proc(unsigned cpu)
{
    std::ifstream in("/proc/interrupts");
    std::string line;
    if (!std::getline(in, line))
        return -1;
    // The header names the online CPUs: the column of ours.
    std::istringstream head(line);
    std::string name;
    int column = -1, columns = 0;
    while (head >> name) {
        if (name == "CPU" + std::to_string(cpu))
            column = columns;
        ++columns;
    }
    if (column < 0)
        return -1;
    int64_t total = 0;
    while (std::getline(in, line)) {
        std::istringstream row(line);
        std::string source;
        row >> source; // "LOC:", "NMI:", "24:" ...
        int64_t v = 0;
        for (int i = 0; i <= column; ++i)
            if (!(row >> v))
                break; // ERR: and MIS: have one number, not one per CPU
        if (row)
            total += v;
    }
    return total;
}

} // namespace

int64_t irq_count(unsigned cpu)
{
    long n = syscall(MK_SYS_CORE_IRQS, static_cast<long>(cpu));
    if (n >= 0)
        return n;
    return errno == ENOSYS ? from_proc(cpu) : -1;
}

} // namespace mk::noise
