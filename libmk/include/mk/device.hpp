// An open /dev/mk: RAII over the file descriptor and typed ioctl calls.
// Every call throws mk::Error carrying the module's own explanation when
// the module refuses it.
#pragma once

#include <mk/cpulist.hpp>
#include <mk/ioctl.h>
#include <mk/memspec.hpp>

#include <string>
#include <vector>

namespace mk {

struct Chunk {
    uint64_t phys;
    uint64_t bytes;
    int node;
};

struct LwkCore {
    unsigned index;
    unsigned linux_cpu;
    unsigned apic_id;
    int node;
    uint32_t state; // enum mk_cpu_state
    uint64_t irqs;
};

struct LwkProgram {
    int pid;
    uint32_t state; // enum mk_proc_state
    CpuList cpus;
    uint64_t user_bytes;
    std::string program;
    uint32_t uid; // the user it runs as
};

struct Status {
    mk_state state;
    CpuList cpus;
    uint64_t mem_bytes;
    std::vector<std::pair<int, uint64_t>> node_bytes; // nodes holding mk memory
    std::vector<Chunk> chunks;
    // The LWK, when one is up:
    uint64_t uptime_ns = 0;
    uint64_t boot_ns = 0;
    uint64_t lwk_free_bytes = 0;
    std::vector<LwkCore> cores;
    std::string panic;
    std::string last_error; // why the last boot failed
    std::vector<LwkProgram> programs;
};

struct PingResult {
    unsigned done;
    uint64_t min_ns, avg_ns, max_ns;
    uint64_t lwk_doorbells, linux_doorbells;
};

struct LogChunk {
    std::string text;
    uint64_t pos;  // where the next read starts
    uint64_t lost; // bytes overwritten before they were read
};

const char* state_name(uint32_t state);
const char* cpu_state_name(uint32_t state);

class Device {
public:
    // Opens /dev/mk (or path). Throws mk::Error with advice when the module
    // is not loaded or the caller lacks permission.
    explicit Device(const std::string& path = MK_DEVICE_PATH);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    int fd() const { return fd_; }

    // The module's version; throws if its ABI major differs from ours.
    mk_version version() const;

    Status status() const;
    void reserve_cpus(const CpuList& cpus);
    // An empty list releases all of mk's CPUs.
    void release_cpus(const CpuList& cpus);
    // Returns the bytes reserved.
    uint64_t reserve_mem(const std::vector<MemWant>& wants, mk_mem_policy policy = MK_MEM_CONTIG);
    void release_mem();

    // Boots the image (its bytes) on what mk holds; returns the boot time in ns.
    uint64_t boot(const std::vector<uint8_t>& image, const std::string& cmdline, unsigned timeout_ms);
    void shutdown(bool keep_partition);
    // Reads the LWK's log from pos (0: the oldest byte kept).
    LogChunk read_log(uint64_t pos, size_t max = 65536);
    PingResult ping(int core, unsigned count);
    void debug_fault(int core);
    // Sends the LWK core an NMI; it logs the RIP it interrupted.
    void debug_nmi(int core);
    void debug_corrupt(int core);

private:
    int fd_;
};

} // namespace mk
