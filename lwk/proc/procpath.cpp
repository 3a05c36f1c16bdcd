#include <proc/procpath.hpp>

#include <cstddef>

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

// The rest is a directory's name itself: "" or "/".
bool dir_end(const char* p) { return *p == 0 || (*p == '/' && p[1] == 0); }

// A decimal number that ends the path (a directory's: "/" may follow).
bool last_number(const char* p, int32_t& out)
{
    char buf[16];
    size_t n = 0;
    while (p[n] >= '0' && p[n] <= '9' && n < sizeof buf - 2)
        buf[n] = p[n], ++n;
    if (!n || !dir_end(p + n))
        return false;
    buf[n] = '/';
    buf[n + 1] = 0;
    const char* b = buf;
    return take_number(b, out);
}

bool ends_with(const char* s, const char* suffix)
{
    size_t n = __builtin_strlen(s), k = __builtin_strlen(suffix);
    return n >= k && !__builtin_strcmp(s + n - k, suffix);
}

// A file of a CPU's topology or cache directory: its CPU masks and lists
// are made for the program (its cores only), the rest is the copy's.
ProcFile topology_file(const char* p)
{
    const char* leaf = p;
    for (const char* q = p; *q; ++q)
        if (*q == '/')
            leaf = q + 1;
    if (leaf == p)
        return ProcFile::cpu_topology; // the directory itself
    if (ends_with(leaf, "_list"))
        return ProcFile::cpu_topology_list;
    if (ends_with(leaf, "_cpus") || ends_with(leaf, "_siblings") || ends_with(leaf, "_cpu_map"))
        return ProcFile::cpu_topology_mask;
    return ProcFile::cpu_topology;
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

int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
        : c >= 'a' && c <= 'f'  ? c - 'a' + 10
        : c >= 'A' && c <= 'F'  ? c - 'A' + 10
                                : -1;
}

} // namespace

bool cpu_in_mask(const char* text, size_t n, uint32_t cpu)
{
    uint32_t digit = 0;
    for (size_t i = n; i-- > 0;) {
        int d = hex_digit(text[i]);
        if (d < 0) {
            if (text[i] != ',' && text[i] != '\n')
                return false;
            continue;
        }
        if (digit == cpu / 4)
            return d & (1 << (cpu % 4));
        ++digit;
    }
    return false;
}

bool cpu_in_list(const char* text, size_t n, uint32_t cpu)
{
    size_t i = 0;
    auto number = [&](uint32_t& v) {
        if (i >= n || text[i] < '0' || text[i] > '9')
            return false;
        for (v = 0; i < n && text[i] >= '0' && text[i] <= '9'; ++i)
            if ((v = v * 10 + uint32_t(text[i] - '0')) > 1u << 20)
                return false;
        return true;
    };
    while (i < n && text[i] != '\n') {
        uint32_t lo = 0, hi = 0;
        if (!number(lo))
            return false;
        hi = lo;
        if (i < n && text[i] == '-' && (++i, !number(hi)))
            return false;
        if (cpu >= lo && cpu <= hi)
            return true;
        if (i < n && text[i] == ',')
            ++i;
        else if (i < n && text[i] != '\n')
            return false;
    }
    return false;
}

ProcTarget classify_proc_path(
    const char* path, int32_t pid, int32_t self_tid, IsThread is_thread, void* ctx)
{
    const char* p = path;
    if (take(p, "/sys/devices/system/cpu/")) {
        int32_t cpu = 0;
        const char* q = p;
        if (take(q, "cpu") && take_number(q, cpu)) {
            if ((take(q, "topology") || take(q, "cache")) && (*q == 0 || *q == '/'))
                return {topology_file(q), 0, cpu};
            return {ProcFile::none, 0};
        }
        if (file_named(p) == ProcFile::none &&
            (take(p, "online") || take(p, "possible") || take(p, "present")) && *p == 0)
            return {ProcFile::cpu_list, 0};
        return {ProcFile::none, 0};
    }
    if (take(p, "/sys/devices/system/node/")) {
        int32_t node = 0;
        if (!take(p, "node") || !take_number(p, node))
            return {ProcFile::none, 0};
        if (!__builtin_strcmp(p, "cpumap"))
            return {ProcFile::node_cpumap, 0, node};
        if (!__builtin_strcmp(p, "cpulist"))
            return {ProcFile::node_cpulist, 0, node};
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
    if (!tid && take(p, "task")) {
        if (dir_end(p))
            return {ProcFile::task_dir, 0};
        if (!take(p, "/"))
            return {ProcFile::none, 0};
        // A thread's own directory: Linux has none for the LWK's threads
        // (the main thread's is the pid's, Linux's too).
        if (last_number(p, n))
            return {n != pid && is_thread(ctx, n) ? ProcFile::thread_dir : ProcFile::none, n};
        if (!take_number(p, n) || !is_thread(ctx, n))
            return {ProcFile::none, 0};
        tid = n;
    }
    return {file_named(p), tid};
}

} // namespace lwk::proc
