// Boost.Lockfree's spsc_queue, the usual single-producer/single-consumer
// queue in C++, with the same 64-byte payload and the same depth as the mk
// ring. Each element is one aligned cache line (its best case).
#include "methods.hpp"

#include <mk/error.hpp>

#include <boost/lockfree/spsc_queue.hpp>

#include <cstring>
#include <memory>
#include <string>

namespace ringbench {
namespace {

struct alignas(64) Message {
    uint64_t seq;
    unsigned char rest[stream_payload - sizeof(uint64_t)];
};
static_assert(sizeof(Message) == stream_payload);

using Queue = boost::lockfree::spsc_queue<Message, boost::lockfree::capacity<spsc_capacity>>;

} // namespace

std::vector<uint64_t> spsc_round_trips(const CpuPair& cpus, const LatencyPlan& plan)
{
    auto ab = std::make_unique<Queue>(), ba = std::make_unique<Queue>();
    Message msg_a{}, msg_b{};
    return round_trips(
        cpus, plan,
        [&](size_t i) {
            msg_a.seq = i;
            ab->push(msg_a); // never full: one message in flight
            spin_until([&] { return ba->pop(msg_a); });
            expect("spsc_queue", msg_a.seq, i);
        },
        [&](size_t i) {
            spin_until([&] { return ab->pop(msg_b); });
            ba->push(msg_b);
            expect("spsc_queue", msg_b.seq, i);
        });
}

uint64_t spsc_stream(const CpuPair& cpus, uint64_t messages, uint32_t batch)
{
    auto q = std::make_unique<Queue>();
    struct alignas(64) Consumed {
        uint64_t next = 0;
        bool in_order = true;
    } consumed;

    auto produce = [&] {
        std::unique_ptr<Message[]> buf(new Message[batch]);
        std::memset(buf.get(), 0x5a, sizeof(Message) * batch);
        for (uint64_t i = 0; i < messages;) {
            if (batch == 1) {
                buf[0].seq = i;
                if (q->push(buf[0])) {
                    ++i;
                    continue;
                }
            } else {
                uint64_t n = std::min<uint64_t>(batch, messages - i);
                for (uint64_t k = 0; k < n; ++k)
                    buf[k].seq = i + k;
                size_t pushed = q->push(buf.get(), n);
                i += pushed;
                if (pushed == n)
                    continue; // otherwise the rest is pushed again next time
            }
            stop_if_pair_failed();
            _mm_pause();
        }
    };
    auto consume = [&] {
        if (batch == 1) {
            Message m;
            while (consumed.next < messages) {
                spin_until([&] { return q->pop(m); });
                consumed.in_order &= m.seq == consumed.next++;
            }
            return;
        }
        // In place, as mk_ring_drain hands messages over.
        auto check = [&](const Message& m) { consumed.in_order &= m.seq == consumed.next++; };
        while (consumed.next < messages)
            spin_until([&] { return q->consume_all(check) != 0; });
    };
    uint64_t cycles = stream_cycles(cpus, produce, consume);
    if (!consumed.in_order)
        throw mk::Error("spsc_queue delivered messages out of order");
    return cycles;
}

} // namespace ringbench
