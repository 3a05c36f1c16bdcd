#include <mk/boot.h>
#include <mk/device.hpp>
#include <mk/error.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <unistd.h>

namespace mk {
namespace {

mk_cpumask to_mask(const CpuList& cpus)
{
    mk_cpumask m{};
    for (unsigned c : cpus) {
        if (c >= MK_MAX_CPUS)
            throw Error("CPU " + std::to_string(c) + " is beyond what mk can name (" +
                std::to_string(MK_MAX_CPUS) + ")");
        m.bits[c / 64] |= 1ULL << (c % 64);
    }
    return m;
}

CpuList from_mask(const mk_cpumask& m)
{
    CpuList cpus;
    for (unsigned c = 0; c < MK_MAX_CPUS; ++c)
        if (m.bits[c / 64] & (1ULL << (c % 64)))
            cpus.push_back(c);
    return cpus;
}

// Issues a request whose msg the module fills when it refuses.
template <typename Req> void request(int fd, unsigned long cmd, Req& req, const char* what)
{
    req.size = sizeof(Req);
    req.msg[0] = '\0';
    if (::ioctl(fd, cmd, &req) == 0)
        return;
    int e = errno;
    req.msg[sizeof(req.msg) - 1] = '\0';
    if (req.msg[0])
        throw Error(req.msg, e);
    if (e == EINVAL)
        throw Error(std::string(what) +
                ": the module refused the request (EINVAL); "
                "are mkctl and mk.ko from the same build?",
            e);
    throw Error(std::string(what) + ": " + std::strerror(e), e);
}

} // namespace

const char* state_name(uint32_t state)
{
    switch (state) {
    case MK_STATE_FREE: return "free";
    case MK_STATE_RESERVED: return "reserved";
    case MK_STATE_BOOTING: return "booting";
    case MK_STATE_RUNNING: return "running";
    case MK_STATE_PANICKED: return "panicked";
    }
    return "unknown";
}

const char* cpu_state_name(uint32_t state)
{
    switch (state) {
    case MK_CPU_OFF: return "off";
    case MK_CPU_STARTING: return "starting";
    case MK_CPU_STARTED: return "started";
    case MK_CPU_READY: return "ready";
    case MK_CPU_PANICKED: return "panicked";
    case MK_CPU_HALTED: return "halted";
    }
    return "unknown";
}

Device::Device(const std::string& path)
{
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) {
        int e = errno;
        if (e == ENOENT)
            throw Error(path + " does not exist: load the module first (insmod mk.ko)", e);
        if (e == EACCES || e == EPERM)
            throw Error("cannot open " + path +
                    ": permission denied (mk is for root and the members of the group that owns " + path +
                    ", usually mk: ask your administrator)",
                e);
        throw Error("cannot open " + path + ": " + std::strerror(e), e);
    }
}

Device::~Device()
{
    ::close(fd_);
}

mk_version Device::version() const
{
    mk_version v{};
    v.size = sizeof(v);
    if (::ioctl(fd_, MK_IOC_VERSION, &v) < 0)
        throw Error(
            std::string("cannot query the module's version: ") + std::strerror(errno), errno);
    if (v.abi_major != MK_ABI_MAJOR)
        throw Error("mk.ko speaks ABI " + std::to_string(v.abi_major) + "." +
            std::to_string(v.abi_minor) + " but these tools speak " + std::to_string(MK_ABI_MAJOR) +
            "." + std::to_string(MK_ABI_MINOR) + ": load the mk.ko built with them");
    return v;
}

Status Device::status() const
{
    version();
    std::vector<mk_mem_chunk> raw;
    auto holder = std::make_unique<mk_status>(); // large: keep it off the stack
    mk_status& st = *holder;
    // The chunk count can change between two calls: retry until it fits.
    for (;;) {
        st = {};
        st.size = sizeof(st);
        st.max_chunks = static_cast<uint32_t>(raw.size());
        st.chunks = reinterpret_cast<uint64_t>(raw.data());
        if (::ioctl(fd_, MK_IOC_STATUS, &st) < 0)
            throw Error(std::string("cannot read mk's status: ") + std::strerror(errno), errno);
        if (st.nr_chunks <= raw.size())
            break;
        raw.resize(st.nr_chunks + 16);
    }
    Status s;
    s.state = static_cast<mk_state>(st.state);
    s.cpus = from_mask(st.cpus);
    s.mem_bytes = st.mem_bytes;
    for (int n = 0; n < MK_MAX_NODES; ++n)
        if (st.node_bytes[n])
            s.node_bytes.emplace_back(n, st.node_bytes[n]);
    for (uint32_t i = 0; i < st.nr_chunks; ++i)
        s.chunks.push_back({raw[i].phys, raw[i].bytes, raw[i].node});
    s.uptime_ns = st.uptime_ns;
    s.boot_ns = st.boot_ns;
    s.lwk_free_bytes = st.lwk_free_bytes;
    for (uint32_t i = 0; i < st.nr_lwk_cpus && i < MK_MAX_LWK_CPUS; ++i) {
        const mk_lwk_cpu& c = st.lwk_cpus[i];
        s.cores.push_back({i, c.linux_cpu, c.apic_id, c.node, c.state, c.irqs});
    }
    s.panic.assign(st.panic, strnlen(st.panic, sizeof st.panic));
    s.last_error.assign(st.last_error, strnlen(st.last_error, sizeof st.last_error));
    for (uint32_t i = 0; i < st.nr_procs && i < MK_MAX_PROCS; ++i) {
        const mk_proc_info& p = st.procs[i];
        CpuList cpus;
        for (const LwkCore& c : s.cores)
            if (c.index < 64 && (p.cores & (1ULL << c.index)))
                cpus.push_back(c.linux_cpu);
        s.programs.push_back({p.pid, p.state, cpus, p.user_bytes,
            std::string(p.program, strnlen(p.program, sizeof p.program)), p.uid});
    }
    return s;
}

void Device::reserve_cpus(const CpuList& cpus)
{
    mk_cpu_request req{};
    req.cpus = to_mask(cpus);
    request(fd_, MK_IOC_RESERVE_CPUS, req, "reserving CPUs");
}

void Device::release_cpus(const CpuList& cpus)
{
    mk_cpu_request req{};
    req.cpus = to_mask(cpus);
    request(fd_, MK_IOC_RELEASE_CPUS, req, "releasing CPUs");
}

uint64_t Device::reserve_mem(const std::vector<MemWant>& wants, mk_mem_policy policy)
{
    mk_mem_request req{};
    if (wants.size() > MK_MAX_NODES)
        throw Error("too many parts in the memory request");
    req.nr = static_cast<uint32_t>(wants.size());
    req.policy = policy;
    for (size_t i = 0; i < wants.size(); ++i) {
        req.want[i].bytes = wants[i].bytes;
        req.want[i].node = wants[i].node;
    }
    request(fd_, MK_IOC_RESERVE_MEM, req, "reserving memory");
    return req.reserved_bytes;
}

void Device::release_mem()
{
    mk_simple_request req{};
    request(fd_, MK_IOC_RELEASE_MEM, req, "releasing memory");
}

uint64_t Device::boot(const std::vector<uint8_t>& image, const std::string& cmdline,
    unsigned timeout_ms)
{
    auto req = std::make_unique<mk_boot_request>();
    *req = {};
    if (cmdline.size() >= sizeof req->cmdline)
        throw Error("the LWK command line is longer than " +
            std::to_string(sizeof req->cmdline - 1) + " bytes");
    std::memcpy(req->cmdline, cmdline.data(), cmdline.size());
    req->image = reinterpret_cast<uint64_t>(image.data());
    req->image_size = image.size();
    req->timeout_ms = timeout_ms;
    request(fd_, MK_IOC_BOOT, *req, "booting the LWK");
    return req->boot_ns;
}

void Device::shutdown(bool keep_partition)
{
    mk_simple_request req{};
    req.flags = keep_partition ? MK_SHUTDOWN_KEEP : 0;
    request(fd_, MK_IOC_SHUTDOWN, req, "shutting the LWK down");
}

LogChunk Device::read_log(uint64_t pos, size_t max)
{
    std::string buf(max, '\0');
    mk_log_request req{};
    req.buf = reinterpret_cast<uint64_t>(buf.data());
    req.buf_size = static_cast<uint32_t>(max);
    req.pos = pos;
    request(fd_, MK_IOC_LOG, req, "reading the LWK log");
    buf.resize(req.bytes);
    return {std::move(buf), req.pos, req.lost};
}

PingResult Device::ping(int core, unsigned count)
{
    mk_ping_request req{};
    req.core = core;
    req.count = count;
    request(fd_, MK_IOC_PING, req, "pinging the LWK");
    return {req.done, req.min_ns, req.avg_ns, req.max_ns, req.lwk_doorbells, req.linux_doorbells};
}

void Device::debug_fault(int core)
{
    mk_debug_request req{};
    req.op = MK_DEBUG_FAULT;
    req.core = core;
    request(fd_, MK_IOC_DEBUG, req, "making the LWK fault");
}

void Device::debug_corrupt(int core)
{
    mk_debug_request req{};
    req.op = MK_DEBUG_CORRUPT;
    req.core = core;
    request(fd_, MK_IOC_DEBUG, req, "making the LWK corrupt its shared state");
}

void Device::debug_nmi(int core)
{
    mk_debug_request req{};
    req.op = MK_DEBUG_NMI;
    req.core = core;
    request(fd_, MK_IOC_DEBUG, req, "sending the LWK an NMI");
}

} // namespace mk
