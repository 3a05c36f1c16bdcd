// The methods compared, each run on the same pair of CPUs.
#pragma once

#include "pair.hpp"

#include <cstdint>
#include <vector>

namespace ringbench {

// Ring geometry for every mk ring run: the one forwarded system calls use.
constexpr uint32_t ring_slot_size = 128;
constexpr uint32_t ring_slots = 64;
// Queue depth of the Boost.Lockfree spsc_queue runs: the same 64 messages.
constexpr size_t spsc_capacity = ring_slots;
// Payload of the streaming runs and of the spsc_queue comparison.
constexpr uint32_t stream_payload = 64;

// What the mk ring runs asked of the doorbell: flushes (notification
// decisions) and how many of them said "notify now".
struct alignas(64) DoorbellCount { // own cache line: each thread counts its own
    uint64_t flushes = 0;
    uint64_t notify = 0;
};

// TSC cycles per block of round trips (see round_trips()).
//
// The floor: one line, written by both sides in turn.
std::vector<uint64_t> floor_round_trips(const CpuPair& cpus, const LatencyPlan& plan);
// The floor for any design with one writer per cache line: two lines, one
// per direction, each written by one side and read by the other.
std::vector<uint64_t> floor_two_lines_round_trips(const CpuPair& cpus, const LatencyPlan& plan);
// One line, both sides spinning with compare-and-swap: one transfer per trip.
std::vector<uint64_t> floor_cas_round_trips(const CpuPair& cpus, const LatencyPlan& plan);
// The mk ring's slot layout and ordering without its code (see bare.cpp).
std::vector<uint64_t> bare_ring_round_trips(const CpuPair& cpus, const LatencyPlan& plan);
// mk ring, one per direction. in_place false: mk_ring_send/mk_ring_recv
// (copy in, copy out); true: mk_ring_reserve/commit and mk_ring_peek/consume,
// the answer written straight from the request's slot into its own.
std::vector<uint64_t> ring_round_trips(const CpuPair& cpus, const LatencyPlan& plan,
    uint32_t payload, bool in_place, DoorbellCount& bells);
std::vector<uint64_t> spsc_round_trips(const CpuPair& cpus, const LatencyPlan& plan);
std::vector<uint64_t> eventfd_round_trips(const CpuPair& cpus, const LatencyPlan& plan);

// Streaming: TSC cycles to move `messages` messages of stream_payload bytes
// from CPU a to CPU b; the consumer checks every message's sequence number.
// batch 1: one send (and one notification decision) per message, one receive
// and one publish per message. batch > 1: the producer reserves and fills up
// to `batch` slots, commits them with one mk_ring_commit_batch and one flush;
// the consumer drains whatever is there and publishes once per drain.
uint64_t ring_stream(const CpuPair& cpus, uint64_t messages, uint32_t batch, DoorbellCount& bells);
// batch 1: push() and pop() per message. batch > 1: bulk push() of `batch`
// messages, consume_all() of whatever is there, in place.
uint64_t spsc_stream(const CpuPair& cpus, uint64_t messages, uint32_t batch);

} // namespace ringbench
