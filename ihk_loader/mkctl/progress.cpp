#include "progress.hpp"

#include <mk/ioctl.h>
#include <mk/size.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace mkctl {

void with_progress(const char* what, const std::function<void()>& call)
{
    if (!isatty(STDERR_FILENO)) {
        call();
        return;
    }
    std::atomic<bool> done{false};
    std::exception_ptr error;
    std::thread worker([&] {
        try {
            call();
        } catch (...) {
            error = std::current_exception();
        }
        done = true;
    });
    using namespace std::chrono_literals;
    auto start = std::chrono::steady_clock::now();
    bool shown = false;
    while (!done) {
        std::this_thread::sleep_for(100ms);
        if (done || std::chrono::steady_clock::now() - start < 500ms)
            continue;
        unsigned long long cur = 0, total = 0;
        std::ifstream in(MK_SYSFS_PATH "/reserve_progress");
        if (!(in >> cur >> total) || total == 0)
            continue;
        std::fprintf(stderr, "\r%s: %s / %s (%llu%%)   ", what, mk::format_size(cur).c_str(),
            mk::format_size(total).c_str(), cur * 100 / total);
        shown = true;
    }
    worker.join();
    if (shown)
        std::fprintf(stderr, "\r\033[K");
    if (error)
        std::rethrow_exception(error);
}

} // namespace mkctl
