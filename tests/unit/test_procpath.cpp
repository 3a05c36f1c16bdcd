#include <catch2/catch.hpp>

#include <proc/procpath.hpp>

#include <cstring>

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

TEST_CASE("the task directory and its threads' directories", "[procpath]")
{
    for (const char* p : {"/proc/self/task", "/proc/self/task/", "/proc/1234/task", "/proc/1234/task/"})
        CHECK(classify(p).file == ProcFile::task_dir);
    auto t = classify("/proc/self/task/4195538");
    CHECK(t.file == ProcFile::thread_dir);
    CHECK(t.tid == ((1 << 22) | 1234));
    CHECK(classify("/proc/1234/task/4195538/").file == ProcFile::thread_dir);
    // The main thread's directory is Linux's (the pid's); other numbers are
    // no thread of the program's.
    for (const char* p : {"/proc/self/task/1234", "/proc/self/task/99", "/proc/self/task/4195538x",
             "/proc/self/taskx", "/proc/self/task//", "/proc/1/task", "/proc/self/task/04195538",
             "/proc/self/task/99999999999"})
        CHECK(classify(p).file == ProcFile::none);
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

TEST_CASE("a core's topology and cache files come from mkctl's copy", "[procpath]")
{
    auto t = classify("/sys/devices/system/cpu/cpu12/topology/core_id");
    CHECK(t.file == ProcFile::cpu_topology);
    CHECK(t.cpu == 12);
    CHECK(classify("/sys/devices/system/cpu/cpu2/topology").file == ProcFile::cpu_topology);
    CHECK(classify("/sys/devices/system/cpu/cpu2/cache/index3").file == ProcFile::cpu_topology);
    CHECK(classify("/sys/devices/system/cpu/cpu2/cache/index3/size").file == ProcFile::cpu_topology);
    CHECK(classify("/sys/devices/system/cpu/cpu2/topology/package_cpus").file == ProcFile::cpu_topology_mask);
    CHECK(classify("/sys/devices/system/cpu/cpu2/topology/thread_siblings").file == ProcFile::cpu_topology_mask);
    CHECK(classify("/sys/devices/system/cpu/cpu2/cache/index0/shared_cpu_map").file == ProcFile::cpu_topology_mask);
    CHECK(classify("/sys/devices/system/cpu/cpu2/topology/core_cpus_list").file == ProcFile::cpu_topology_list);
    CHECK(classify("/sys/devices/system/cpu/cpu2/cache/index0/shared_cpu_list").file == ProcFile::cpu_topology_list);
    t = classify("/sys/devices/system/node/node1/cpulist");
    CHECK(t.file == ProcFile::node_cpulist);
    CHECK(t.cpu == 1);
    CHECK(classify("/sys/devices/system/node/node0/cpumap").file == ProcFile::node_cpumap);
    for (const char* p : {"/sys/devices/system/cpu/cpu2", "/sys/devices/system/cpu/cpu2/online",
             "/sys/devices/system/cpu/cpu2/topologyx", "/sys/devices/system/cpu/cpu02/topology",
             "/sys/devices/system/cpu/cpuonline", "/sys/devices/system/cpu/cpu/topology",
             "/sys/devices/system/cpu/cpuidle/topology", "/sys/devices/system/node/node0/meminfo",
             "/sys/devices/system/node/node0/cpulistx", "/sys/devices/system/node/online"})
        CHECK(classify(p).file == ProcFile::none);
}

TEST_CASE("CPU masks and lists are read as sysfs writes them", "[procpath]")
{
    auto mask = [](const char* s, uint32_t cpu) { return cpu_in_mask(s, strlen(s), cpu); };
    auto list = [](const char* s, uint32_t cpu) { return cpu_in_list(s, strlen(s), cpu); };
    CHECK(mask("c\n", 2));
    CHECK(mask("c\n", 3));
    CHECK_FALSE(mask("c\n", 1));
    CHECK_FALSE(mask("c\n", 4));
    CHECK(mask("1,00000000\n", 32));
    CHECK_FALSE(mask("1,00000000\n", 0));
    CHECK(mask("80000000,00000001\n", 63));
    CHECK(mask("80000000,00000001\n", 0));
    CHECK_FALSE(mask("x0\n", 0)); // not a mask
    CHECK(list("0-3,8\n", 2));
    CHECK(list("0-3,8\n", 8));
    CHECK_FALSE(list("0-3,8\n", 4));
    CHECK(list("5", 5));
    CHECK_FALSE(list("5-", 5));
    CHECK_FALSE(list("a", 0));
    CHECK_FALSE(list("99999999999", 5));
}
