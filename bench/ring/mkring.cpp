// The mk ring (libmk/include/mk/ring.h), used as mk.ko, the proxy and the
// LWK use it: copy in with mk_ring_send/mk_ring_post + mk_ring_flush, copy
// out with mk_ring_recv or hand over in place with mk_ring_drain.
#include "methods.hpp"

#include <mk/error.hpp>
#include <mk/ring.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace ringbench {
namespace {

// One ring in its own memory, with each side's private handle on its own
// cache lines (a handle is written on every message by its side only).
class Channel {
public:
    Channel()
        : bytes_(MK_RING_BYTES(ring_slot_size, ring_slots)),
          mem_(std::aligned_alloc(4096, (bytes_ + 4095) / 4096 * 4096), &std::free)
    {
        if (!mem_)
            throw mk::Error("out of memory for a ring");
        check(mk_ring_init(mem_.get(), bytes_, ring_slot_size, ring_slots), "init");
        check(mk_ring_tx_attach(&tx_.h, mem_.get(), bytes_), "attach (producer)");
        check(mk_ring_rx_attach(&rx_.h, mem_.get(), bytes_), "attach (consumer)");
    }
    mk_ring_tx* tx() { return &tx_.h; }
    mk_ring_rx* rx() { return &rx_.h; }

    // Inline with the throw out of line: a check costs one predicted branch
    // on the path the latency runs time.
    static void check(int ret, const char* what)
    {
        if (ret < 0) [[unlikely]]
            fail(ret, what);
    }
    [[noreturn, gnu::noinline, gnu::cold]] static void fail(int ret, const char* what)
    {
        throw mk::Error(std::string("mk ring ") + what + ": " + mk_ring_strerror(ret));
    }

private:
    uint64_t bytes_;
    std::unique_ptr<void, decltype(&std::free)> mem_;
    struct alignas(64) {
        mk_ring_tx h;
    } tx_;
    struct alignas(64) {
        mk_ring_rx h;
    } rx_;
};

void count(DoorbellCount& bells, int ret)
{
    Channel::check(ret, "flush");
    bells.flushes++;
    bells.notify += ret == MK_RING_NOTIFY;
}

// Waits for the next message and copies it to buf.
uint32_t receive(mk_ring_rx* rx, unsigned char* buf)
{
    uint32_t len = 0;
    int ret;
    spin_until(
        [&] { return (ret = mk_ring_recv(rx, buf, ring_slot_size, &len)) != MK_RING_EMPTY; });
    Channel::check(ret, "receive");
    return len;
}

uint64_t sequence_of(const unsigned char* msg)
{
    uint64_t seq;
    std::memcpy(&seq, msg, sizeof seq);
    return seq;
}

} // namespace

std::vector<uint64_t> ring_round_trips(const CpuPair& cpus, const LatencyPlan& plan,
    uint32_t payload, bool in_place, DoorbellCount& bells)
{
    Channel ab, ba;
    DoorbellCount bells_a, bells_b;
    alignas(64) unsigned char msg_a[ring_slot_size] = {};
    alignas(64) unsigned char msg_b[ring_slot_size] = {};
    std::vector<uint64_t> blocks;
    if (!in_place) {
        blocks = round_trips(
            cpus, plan,
            [&](size_t i) {
                std::memcpy(msg_a, &i, sizeof i);
                count(bells_a, mk_ring_send(ab.tx(), msg_a, payload));
                receive(ba.rx(), msg_a);
                mk_ring_publish(ba.rx());
                expect("mk ring", sequence_of(msg_a), i);
            },
            [&](size_t i) {
                uint32_t len = receive(ab.rx(), msg_b);
                count(bells_b, mk_ring_send(ba.tx(), msg_b, len));
                mk_ring_publish(ab.rx());
                expect("mk ring", sequence_of(msg_b), i);
            });
    } else {
        blocks = round_trips(
            cpus, plan,
            [&](size_t i) {
                // The request is built in its slot, the answer read in its slot.
                void* slot = nullptr;
                Channel::check(mk_ring_reserve(ab.tx(), &slot), "reserve");
                std::memcpy(slot, &i, sizeof i);
                std::memcpy(static_cast<unsigned char*>(slot) + sizeof i, msg_a + sizeof i,
                    payload - sizeof i);
                Channel::check(mk_ring_commit(ab.tx(), payload), "commit");
                count(bells_a, mk_ring_flush(ab.tx()));
                const void* answer = nullptr;
                uint32_t len = 0;
                int ret;
                spin_until(
                    [&] { return (ret = mk_ring_peek(ba.rx(), &answer, &len)) != MK_RING_EMPTY; });
                Channel::check(ret, "peek");
                expect("mk ring", sequence_of(static_cast<const unsigned char*>(answer)), i);
                mk_ring_consume(ba.rx());
                mk_ring_publish(ba.rx());
            },
            [&](size_t i) {
                const void* request = nullptr;
                uint32_t len = 0;
                int ret;
                spin_until(
                    [&] { return (ret = mk_ring_peek(ab.rx(), &request, &len)) != MK_RING_EMPTY; });
                Channel::check(ret, "peek");
                void* slot = nullptr;
                Channel::check(mk_ring_reserve(ba.tx(), &slot), "reserve");
                mk_ring_copy(slot, request, len);
                Channel::check(mk_ring_commit(ba.tx(), len), "commit");
                count(bells_b, mk_ring_flush(ba.tx()));
                expect("mk ring", sequence_of(static_cast<const unsigned char*>(request)), i);
                mk_ring_consume(ab.rx());
                mk_ring_publish(ab.rx());
            });
    }
    bells.flushes += bells_a.flushes + bells_b.flushes;
    bells.notify += bells_a.notify + bells_b.notify;
    return blocks;
}

uint64_t ring_stream(const CpuPair& cpus, uint64_t messages, uint32_t batch, DoorbellCount& bells)
{
    Channel ch;
    DoorbellCount producer_bells;
    struct alignas(64) Consumed {
        uint64_t next = 0;
        bool in_order = true;
    } consumed;

    auto produce = [&] {
        alignas(64) unsigned char msg[stream_payload];
        std::memset(msg, 0x5a, sizeof msg);
        if (batch == 1) {
            for (uint64_t i = 0; i < messages;) {
                std::memcpy(msg, &i, sizeof i);
                int ret = mk_ring_send(ch.tx(), msg, stream_payload);
                if (ret == MK_RING_FULL) {
                    stop_if_pair_failed();
                    _mm_pause();
                    continue;
                }
                count(producer_bells, ret);
                ++i;
            }
            return;
        }
        // Batches: up to `batch` slots reserved and filled in place, then
        // committed together and flushed once.
        std::vector<uint32_t> lens(batch, stream_payload);
        for (uint64_t i = 0; i < messages;) {
            uint32_t want = uint32_t(std::min<uint64_t>(batch, messages - i)), n = 0;
            while (n < want) {
                void* slot = nullptr;
                int ret = mk_ring_reserve(ch.tx(), &slot);
                if (ret == MK_RING_FULL) {
                    if (n > 0)
                        break; // commit what this batch holds, then wait
                    stop_if_pair_failed();
                    _mm_pause();
                    continue;
                }
                Channel::check(ret, "reserve");
                // Built in place: the sequence number, then the rest.
                uint64_t seq = i + n;
                std::memcpy(slot, &seq, sizeof seq);
                std::memcpy(static_cast<unsigned char*>(slot) + sizeof seq, msg + sizeof seq,
                    stream_payload - sizeof seq);
                ++n;
            }
            Channel::check(mk_ring_commit_batch(ch.tx(), lens.data(), n), "commit");
            count(producer_bells, mk_ring_flush(ch.tx()));
            i += n;
        }
    };
    auto consume = [&] {
        if (batch == 1) {
            alignas(64) unsigned char msg[ring_slot_size];
            while (consumed.next < messages) {
                receive(ch.rx(), msg);
                mk_ring_publish(ch.rx());
                consumed.in_order &= sequence_of(msg) == consumed.next++;
            }
            return;
        }
        auto handler = [](void* ctx, const void* payload, uint32_t) {
            auto* c = static_cast<Consumed*>(ctx);
            c->in_order &= sequence_of(static_cast<const unsigned char*>(payload)) == c->next++;
        };
        while (consumed.next < messages) {
            int n;
            spin_until(
                [&] { return (n = mk_ring_drain(ch.rx(), ring_slots, handler, &consumed)) != 0; });
            Channel::check(n, "drain");
        }
    };
    uint64_t cycles = stream_cycles(cpus, produce, consume);
    if (!consumed.in_order)
        throw mk::Error("mk ring delivered messages out of order");
    bells.flushes += producer_bells.flushes;
    bells.notify += producer_bells.notify;
    return cycles;
}

} // namespace ringbench
