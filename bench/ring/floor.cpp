// The floor: cache lines bouncing between the two cores, with nothing else
// on the way. A one-way trip is one store seen by a core spinning on it.
#include "methods.hpp"

#include <atomic>
#include <memory>

namespace ringbench {
namespace {

struct alignas(64) Line {
    std::atomic<uint64_t> value{0};
};

} // namespace

// Each side stores to the line and spins on it until the other side's store
// arrives. The reader of the line is its next writer: the line migrates.
std::vector<uint64_t> floor_round_trips(const CpuPair& cpus, const LatencyPlan& plan)
{
    auto line = std::make_unique<Line>();
    std::atomic<uint64_t>& v = line->value;
    return round_trips(
        cpus, plan,
        [&](size_t i) {
            v.store(2 * i + 1, std::memory_order_release);
            spin_until([&] { return v.load(std::memory_order_acquire) == 2 * i + 2; });
        },
        [&](size_t i) {
            spin_until([&] { return v.load(std::memory_order_acquire) == 2 * i + 1; });
            v.store(2 * i + 2, std::memory_order_release);
        });
}

// Both sides spin with compare-and-swap on the line, each waiting for the
// other's value to replace it with its own. A waiting side already asks for
// the line exclusively, so the line moves once per one-way trip; with plain
// loads (above, and in any ring) the reader first gets a shared copy and the
// writer must then take it back.
std::vector<uint64_t> floor_cas_round_trips(const CpuPair& cpus, const LatencyPlan& plan)
{
    auto line = std::make_unique<Line>();
    std::atomic<uint64_t>& v = line->value;
    auto swap = [&](uint64_t from, uint64_t to) {
        spin_until([&] {
            uint64_t expected = from;
            return v.compare_exchange_weak(expected, to, std::memory_order_acq_rel);
        });
    };
    return round_trips(
        cpus, plan, [&](size_t i) { swap(2 * i, 2 * i + 1); },
        [&](size_t i) { swap(2 * i + 1, 2 * i + 2); });
}

// A writes line ab and spins on line ba; B the other way round. Every line
// has one writer, as in any ring: the writer must take the line back from
// the reader before its store is seen.
std::vector<uint64_t> floor_two_lines_round_trips(const CpuPair& cpus, const LatencyPlan& plan)
{
    auto lines = std::make_unique<Line[]>(2);
    std::atomic<uint64_t>& ab = lines[0].value;
    std::atomic<uint64_t>& ba = lines[1].value;
    return round_trips(
        cpus, plan,
        [&](size_t i) {
            ab.store(i + 1, std::memory_order_release);
            spin_until([&] { return ba.load(std::memory_order_acquire) == i + 1; });
        },
        [&](size_t i) {
            spin_until([&] { return ab.load(std::memory_order_acquire) == i + 1; });
            ba.store(i + 1, std::memory_order_release);
        });
}

} // namespace ringbench
