// The --mem argument: SIZE[@NODE|@auto][,SIZE@NODE...], SIZE may be "all".
#pragma once

#include <mk/ioctl.h>

#include <string_view>
#include <vector>

namespace mk {

// One part of a memory request; bytes is MK_MEM_ALL for "all", node a NUMA
// node or MK_NODE_ANY (no @: spread over all nodes) or MK_NODE_AUTO (@auto:
// the nodes of mk's CPUs).
struct MemWant {
    uint64_t bytes;
    int node;
    bool operator==(const MemWant&) const = default;
};

// Parses "512M", "1G@0,1G@1", "256M@auto", "all@1". Throws mk::Error on
// malformed input, size 0, a node named twice, or more than MK_MAX_NODES parts.
std::vector<MemWant> parse_mem_spec(std::string_view text);

} // namespace mk
