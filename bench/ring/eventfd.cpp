// The Linux baseline: two eventfds, one per direction, with blocking reads.
// A one-way trip is a write() that wakes the thread sleeping in read() on
// the other core.
#include "methods.hpp"

#include <mk/error.hpp>

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ringbench {
namespace {

class EventFd {
public:
    EventFd() : fd_(eventfd(0, EFD_CLOEXEC))
    {
        if (fd_ < 0)
            throw mk::Error(std::string("eventfd: ") + std::strerror(errno), errno);
    }
    ~EventFd() { close(fd_); }
    EventFd(const EventFd&) = delete;
    EventFd& operator=(const EventFd&) = delete;

    void signal()
    {
        uint64_t one = 1;
        while (write(fd_, &one, sizeof one) != sizeof one)
            if (errno != EINTR)
                throw mk::Error(std::string("eventfd write: ") + std::strerror(errno), errno);
    }
    void wait()
    {
        uint64_t count;
        while (read(fd_, &count, sizeof count) != sizeof count)
            if (errno != EINTR)
                throw mk::Error(std::string("eventfd read: ") + std::strerror(errno), errno);
    }

private:
    int fd_;
};

} // namespace

std::vector<uint64_t> eventfd_round_trips(const CpuPair& cpus, const LatencyPlan& plan)
{
    EventFd ab, ba;
    return round_trips(
        cpus, plan,
        [&](size_t) {
            ab.signal();
            ba.wait();
        },
        [&](size_t) {
            ab.wait();
            ba.signal();
        });
}

} // namespace ringbench
