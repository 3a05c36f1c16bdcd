#include <catch2/catch.hpp>

#include <proc/procpath.hpp>

using namespace lwk::proc;

namespace {

// The process 1234 has threads 1234 and (1 << 22) | 1234.
bool is_thread(void*, int32_t tid)
{
    return tid == 1234 || tid == ((1 << 22) | 1234);
}

ProcTarget classify(const char* path)
{
    return classify_proc_path(path, 1234, (2 << 22) | 1234, is_thread, nullptr);
}

} // namespace

TEST_CASE("the program's own /proc files are recognised in every spelling", "[procpath]")
{
    CHECK(classify("/proc/self/exe").file == ProcFile::exe);
    CHECK(classify("/proc/self/status").file == ProcFile::status);
    CHECK(classify("/proc/self/stat").file == ProcFile::stat);
    CHECK(classify("/proc/self/statm").file == ProcFile::statm);
    CHECK(classify("/proc/self/maps").file == ProcFile::maps);
    CHECK(classify("/proc/self/smaps_rollup").file == ProcFile::smaps_rollup);
    CHECK(classify("/proc/1234/cmdline").file == ProcFile::cmdline);
    CHECK(classify("/proc/1234/cmdline").tid == 0);
    auto t = classify("/proc/thread-self/status");
    CHECK(t.file == ProcFile::status);
    CHECK(t.tid == ((2 << 22) | 1234));
    t = classify("/proc/self/task/4195538/stat"); // (1 << 22) | 1234
    CHECK(t.file == ProcFile::stat);
    CHECK(t.tid == ((1 << 22) | 1234));
    t = classify("/proc/4195538/status"); // a thread's own directory
    CHECK(t.tid == ((1 << 22) | 1234));
    CHECK(classify("/proc/self/mem").file == ProcFile::mem);
    CHECK(classify("/sys/devices/system/cpu/online").file == ProcFile::cpu_list);
    CHECK(classify("/sys/devices/system/cpu/possible").file == ProcFile::cpu_list);
    CHECK(classify("/proc/cpuinfo").file == ProcFile::cpuinfo);
    CHECK(classify("/proc/stat").file == ProcFile::sys_stat);
}

TEST_CASE("everything else is Linux's", "[procpath]")
{
    for (const char* p : {"/proc/1/status", "/proc/12345/status", "/proc/01234/status",
             "/proc/self/fd/3", "/proc/self/cwd", "/proc/self", "/proc/self/", "/proc/cpuinfox", "/proc/stat/",
             "/proc/self/status/x", "/proc/self/statusx", "/proc/self/task/99/stat",
             "/proc/self/task/abc/stat", "/proc/99999999999/stat", "/proc//self/exe",
             "proc/self/exe", "/sys/devices/system/cpu/cpu0/online",
             "/sys/devices/system/cpu/onlinex", "/etc/passwd", ""})
        CHECK(classify(p).file == ProcFile::none);
}
