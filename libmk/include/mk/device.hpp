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

struct Status {
    mk_state state;
    CpuList cpus;
    uint64_t mem_bytes;
    std::vector<std::pair<int, uint64_t>> node_bytes; // nodes holding mk memory
    std::vector<Chunk> chunks;
};

const char* state_name(uint32_t state);

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

private:
    int fd_;
};

} // namespace mk
