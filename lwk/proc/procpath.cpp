#include <proc/procpath.hpp>

namespace lwk::proc {
namespace {

// Consumes prefix from *p if it is there.
bool take(const char*& p, const char* prefix)
{
    const char* q = p;
    for (; *prefix; ++prefix, ++q)
        if (*q != *prefix)
            return false;
    p = q;
    return true;
}

// A decimal number up to the next '/' (no sign, no leading zero, fits int32).
bool take_number(const char*& p, int32_t& out)
{
    const char* q = p;
    int64_t v = 0;
    if (*q < '0' || *q > '9' || (*q == '0' && q[1] >= '0' && q[1] <= '9'))
        return false;
    for (; *q >= '0' && *q <= '9'; ++q) {
        v = v * 10 + (*q - '0');
        if (v > 0x7fffffff)
            return false;
    }
    if (*q != '/')
        return false;
    out = int32_t(v);
    p = q + 1;
    return true;
}

ProcFile file_named(const char* name)
{
    struct Name {
        const char* name;
        ProcFile file;
    };
    static const Name names[] = {
        {"exe", ProcFile::exe},
        {"status", ProcFile::status},
        {"stat", ProcFile::stat},
        {"statm", ProcFile::statm},
        {"cmdline", ProcFile::cmdline},
        {"environ", ProcFile::environ},
        {"auxv", ProcFile::auxv},
        {"maps", ProcFile::maps},
        {"smaps", ProcFile::smaps},
        {"smaps_rollup", ProcFile::smaps_rollup},
        {"comm", ProcFile::comm},
        {"mem", ProcFile::mem},
    };
    for (const Name& n : names) {
        const char* p = name;
        if (take(p, n.name) && *p == 0)
            return n.file;
    }
    return ProcFile::none;
}

} // namespace

ProcTarget classify_proc_path(
    const char* path, int32_t pid, int32_t self_tid, IsThread is_thread, void* ctx)
{
    const char* p = path;
    if (take(p, "/sys/devices/system/cpu/")) {
        if (file_named(p) == ProcFile::none &&
            (take(p, "online") || take(p, "possible") || take(p, "present")) && *p == 0)
            return {ProcFile::cpu_list, 0};
        return {ProcFile::none, 0};
    }
    if (!take(p, "/proc/"))
        return {ProcFile::none, 0};
    if (!__builtin_strcmp(p, "cpuinfo"))
        return {ProcFile::cpuinfo, 0};
    if (!__builtin_strcmp(p, "stat"))
        return {ProcFile::sys_stat, 0};
    int32_t tid = 0, n = 0;
    if (take(p, "self/")) {
    } else if (take(p, "thread-self/")) {
        tid = self_tid;
    } else if (take_number(p, n)) {
        if (n != pid) {
            if (!is_thread(ctx, n))
                return {ProcFile::none, 0};
            tid = n;
        }
    } else {
        return {ProcFile::none, 0};
    }
    if (!tid && take(p, "task/")) {
        if (!take_number(p, n) || !is_thread(ctx, n))
            return {ProcFile::none, 0};
        tid = n;
    }
    return {file_named(p), tid};
}

} // namespace lwk::proc
