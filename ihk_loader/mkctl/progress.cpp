#include "progress.hpp"

#include <mk/ioctl.h>
#include <mk/size.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <thread>
#include <unistd.h>

namespace mkctl {

namespace {

bool can_redraw()
{
    const char* term = std::getenv("TERM");
    return isatty(STDERR_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}

bool read_progress(unsigned long long& cur, unsigned long long& total)
{
    std::ifstream in(MK_SYSFS_PATH "/reserve_progress");
    return (in >> cur >> total) && total != 0;
}

} // namespace

void with_progress(const char* what, const std::function<void()>& call)
{
    using namespace std::chrono_literals;
    const bool redraw = can_redraw();
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
    auto start = std::chrono::steady_clock::now();
    bool shown = false;
    unsigned long long seen_total = 0;
    while (!done) {
        std::this_thread::sleep_for(100ms);
        unsigned long long cur = 0, total = 0;
        if (done || !read_progress(cur, total))
            continue;
        seen_total = total;
        if (!redraw || std::chrono::steady_clock::now() - start < 500ms)
            continue;
        std::fprintf(stderr, "\r%s: %s / %s (%llu%%)   ", what, mk::format_size(cur).c_str(),
            mk::format_size(total).c_str(), cur * 100 / total);
        shown = true;
    }
    worker.join();
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (shown)
        std::fprintf(stderr, "\r\033[K");
    else if (!redraw && !error && seen_total && took >= 500ms)
        std::fprintf(stderr, "%s: %s in %.1f s\n", what, mk::format_size(seen_total).c_str(),
            took.count());
    if (error)
        std::rethrow_exception(error);
}

} // namespace mkctl
