// The LWK's memory by NUMA node: one buddy allocator per node that holds
// LWK memory, and for each node the order in which the pools are tried
// (its own first, then the others by NUMA distance). A core allocates from
// its own node first, so a program's memory lies on its cores' nodes
// whenever the LWK has memory there (first touch, as on Linux: pages are
// allocated by the core that maps or faults them). Portable: the host unit
// tests run it on ordinary memory. Not thread-safe (mm/pmm locks it).
#pragma once

#include <mm/buddy.hpp>

#include <cstdint>

namespace lwk::mm {

class NodePools {
public:
    // Nodes with a pool of their own; memory of further nodes joins the
    // pool of the last one (and is reported as that node's).
    static constexpr unsigned MAX_POOLS = 8;
    static constexpr unsigned MAX_NODES = 64; // node numbers (MK_MAX_NODES)

    explicit NodePools(uintptr_t direct_offset = 0) : offset_(direct_offset) {}
    // (Buddy is trivially destructible: nothing to undo.)
    NodePools(const NodePools&) = delete;
    NodePools& operator=(const NodePools&) = delete;

    // The distance between two nodes below nr_nodes (a SLIT row each);
    // without it, a node is near itself (10) and far from all others (20).
    void set_distances(const uint8_t (*distance)[MAX_NODES], unsigned nr_nodes);
    // Adds memory of a node (< 0: unknown, the first pool's).
    Result<void> add(uint64_t phys, uint64_t size, int32_t node, bool zero = false);

    // A block of 2^order pages from the nearest pool to `node` that has one.
    Result<uint64_t> alloc(int32_t node, unsigned order, bool want_zero = false,
        bool* zero = nullptr);
    Result<void> free(uint64_t phys, unsigned order, bool zero = false);

    // The node whose memory holds phys; -1 if none of the pools' memory.
    int32_t node_of(uint64_t phys) const;
    // The nodes with LWK memory, as a bit mask (bit n: node n).
    uint64_t nodes_mask() const;
    uint64_t free_bytes() const;
    uint64_t managed_bytes() const;
    // Free bytes of one node's pool (0 if it has none).
    uint64_t free_bytes_of(int32_t node) const;
    unsigned pools() const { return nr_pools_; }

private:
    unsigned distance(int32_t a, int32_t b) const;
    int pool_of_node(int32_t node) const;
    // Fills order_: for each node, the pools by distance from it.
    void sort_orders();
    const unsigned char* try_order(int32_t node) const;

    uintptr_t offset_;
    alignas(Buddy) unsigned char storage_[MAX_POOLS][sizeof(Buddy)];
    Buddy* pool_[MAX_POOLS] = {};
    int32_t node_[MAX_POOLS] = {};
    unsigned nr_pools_ = 0;
    unsigned char order_[MAX_NODES][MAX_POOLS] = {};
    const uint8_t (*distance_)[MAX_NODES] = nullptr;
    unsigned nr_nodes_ = 0;
};

} // namespace lwk::mm
