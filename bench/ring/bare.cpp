// The bare ring: the mk ring's layout and ordering with none of its code.
// 64 slots of 128 B per direction, an 8-byte header word at the start of
// each slot written last (release), a seq_cst fence after it as the mk
// ring's flush has, a 56-byte payload copied out of the request into the
// answer. No positions, no checks, no API. What the mk ring costs above this
// is its code (bounds and sequence checks, the consumer's published
// position, the sleep flag); what this costs above the two-line floor is the
// layout (a new pair of lines every message).
#include "methods.hpp"

#include <mk/ring.h>

#include <atomic>
#include <cstring>
#include <memory>

namespace ringbench {
namespace {

constexpr size_t bare_payload = 56;

struct alignas(64) Slot {
    std::atomic<uint64_t> header{0};
    unsigned char payload[bare_payload];
    unsigned char second_line[ring_slot_size - 64];
};
static_assert(sizeof(Slot) == ring_slot_size);

// Where the slots of an mk ring lie: after its shared header, in a page.
struct alignas(4096) Ring {
    unsigned char shared[MK_RING_SLOTS_OFFSET];
    Slot slots[ring_slots];
};

} // namespace

std::vector<uint64_t> bare_ring_round_trips(const CpuPair& cpus, const LatencyPlan& plan)
{
    auto ab = std::make_unique<Ring>();
    auto ba = std::make_unique<Ring>();
    unsigned char request[bare_payload] = {};
    auto slot = [](Ring* ring, size_t i) -> Slot& { return ring->slots[i % ring_slots]; };
    return round_trips(
        cpus, plan,
        [&](size_t i) {
            Slot& out = slot(ab.get(), i);
            std::memcpy(out.payload, &i, sizeof i);
            std::memcpy(out.payload + sizeof i, request + sizeof i, bare_payload - sizeof i);
            out.header.store(i + 1, std::memory_order_release);
            std::atomic_thread_fence(std::memory_order_seq_cst);
            Slot& in = slot(ba.get(), i);
            spin_until([&] { return in.header.load(std::memory_order_acquire) == i + 1; });
        },
        [&](size_t i) {
            Slot& in = slot(ab.get(), i);
            spin_until([&] { return in.header.load(std::memory_order_acquire) == i + 1; });
            Slot& out = slot(ba.get(), i);
            std::memcpy(out.payload, in.payload, bare_payload);
            out.header.store(i + 1, std::memory_order_release);
            std::atomic_thread_fence(std::memory_order_seq_cst);
        });
}

} // namespace ringbench
