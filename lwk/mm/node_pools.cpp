#include <mm/node_pools.hpp>

#include <new>
#include <type_traits>

static_assert(std::is_trivially_destructible_v<lwk::mm::Buddy>);

namespace lwk::mm {

void NodePools::set_distances(const uint8_t (*distance)[MAX_NODES], unsigned nr_nodes)
{
    distance_ = distance;
    nr_nodes_ = nr_nodes > MAX_NODES ? MAX_NODES : nr_nodes;
    sort_orders();
}

unsigned NodePools::distance(int32_t a, int32_t b) const
{
    if (a == b)
        return 10;
    if (distance_ && a >= 0 && b >= 0 && unsigned(a) < nr_nodes_ && unsigned(b) < nr_nodes_ &&
        distance_[a][b])
        return distance_[a][b];
    return 20;
}

int NodePools::pool_of_node(int32_t node) const
{
    for (unsigned i = 0; i < nr_pools_; ++i)
        if (node_[i] == node)
            return int(i);
    return -1;
}

void NodePools::sort_orders()
{
    for (unsigned n = 0; n < MAX_NODES; ++n) {
        unsigned char* o = order_[n];
        // Insertion sort by distance; ties keep the pools' order.
        for (unsigned i = 0; i < nr_pools_; ++i) {
            unsigned j = i;
            unsigned d = distance(int32_t(n), node_[i]);
            while (j > 0 && distance(int32_t(n), node_[o[j - 1]]) > d) {
                o[j] = o[j - 1];
                --j;
            }
            o[j] = static_cast<unsigned char>(i);
        }
    }
}

const unsigned char* NodePools::try_order(int32_t node) const
{
    if (node < 0 || unsigned(node) >= MAX_NODES)
        node = nr_pools_ ? node_[0] : 0;
    return order_[node];
}

Result<void> NodePools::add(uint64_t phys, uint64_t size, int32_t node, bool zero)
{
    if (node < 0 || unsigned(node) >= MAX_NODES)
        node = nr_pools_ ? node_[0] : 0;
    int p = pool_of_node(node);
    if (p < 0 && nr_pools_ == MAX_POOLS)
        p = int(MAX_POOLS - 1);
    if (p < 0) {
        p = int(nr_pools_);
        pool_[p] = new (storage_[p]) Buddy(offset_);
        node_[p] = node;
        ++nr_pools_;
        sort_orders();
    }
    return pool_[p]->add_region(phys, size, zero);
}

Result<uint64_t> NodePools::alloc(int32_t node, unsigned order, bool want_zero, bool* zero)
{
    const unsigned char* o = try_order(node);
    for (unsigned i = 0; i < nr_pools_; ++i) {
        auto r = pool_[o[i]]->alloc(order, want_zero, zero);
        if (!r.is_error())
            return r;
    }
    return Errno::NOMEM;
}

Result<void> NodePools::free(uint64_t phys, unsigned order, bool zero)
{
    for (unsigned i = 0; i < nr_pools_; ++i)
        if (pool_[i]->contains(phys))
            return pool_[i]->free(phys, order, zero);
    return Errno::INVAL;
}

int32_t NodePools::node_of(uint64_t phys) const
{
    for (unsigned i = 0; i < nr_pools_; ++i)
        if (pool_[i]->contains(phys))
            return node_[i];
    return -1;
}

uint64_t NodePools::nodes_mask() const
{
    uint64_t m = 0;
    for (unsigned i = 0; i < nr_pools_; ++i)
        m |= 1ULL << node_[i];
    return m;
}

uint64_t NodePools::free_bytes() const
{
    uint64_t n = 0;
    for (unsigned i = 0; i < nr_pools_; ++i)
        n += pool_[i]->free_bytes();
    return n;
}

uint64_t NodePools::managed_bytes() const
{
    uint64_t n = 0;
    for (unsigned i = 0; i < nr_pools_; ++i)
        n += pool_[i]->managed_bytes();
    return n;
}

uint64_t NodePools::free_bytes_of(int32_t node) const
{
    int p = pool_of_node(node);
    return p < 0 ? 0 : pool_[p]->free_bytes();
}

} // namespace lwk::mm
