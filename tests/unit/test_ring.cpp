// The inter-kernel ring (libmk/include/mk/ring.h): ordering, wrap-around,
// full and empty, batching, the sleep/wake protocol under two threads, and
// what a side does when the other side corrupts the ring.
#include <catch2/catch.hpp>

#include <mk/proc.h>
#include <mk/ring.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

// Shared memory for one ring: 64-byte aligned, filled with garbage first so
// that nothing relies on zeroed memory.
class RingMemory {
public:
    RingMemory(uint32_t slot_size, uint32_t nr_slots)
        : RingMemory(MK_RING_BYTES(slot_size, nr_slots))
    {
        REQUIRE(mk_ring_init(data(), bytes(), slot_size, nr_slots) == MK_RING_OK);
    }
    explicit RingMemory(uint64_t bytes)
        : bytes_(bytes),
          mem_(static_cast<unsigned char*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64)),
              &std::free)
    {
        REQUIRE(mem_);
        std::memset(mem_.get(), 0xa5, bytes);
    }
    unsigned char* data() { return mem_.get(); }
    uint64_t bytes() const { return bytes_; }
    mk_ring_shared* shared() { return reinterpret_cast<mk_ring_shared*>(mem_.get()); }
    uint64_t* header(uint32_t slot)
    {
        uint32_t slot_size = shared()->slot_size;
        return reinterpret_cast<uint64_t*>(data() + MK_RING_SLOTS_OFFSET + slot * slot_size);
    }

private:
    uint64_t bytes_;
    std::unique_ptr<unsigned char, decltype(&std::free)> mem_;
};

struct Pair {
    Pair(uint32_t slot_size, uint32_t nr_slots) : mem(slot_size, nr_slots)
    {
        REQUIRE(mk_ring_tx_attach(&tx, mem.data(), mem.bytes()) == MK_RING_OK);
        REQUIRE(mk_ring_rx_attach(&rx, mem.data(), mem.bytes()) == MK_RING_OK);
    }
    RingMemory mem;
    mk_ring_tx tx;
    mk_ring_rx rx;
};

// The payload of message number i: its number, then bytes derived from it.
uint32_t fill(std::vector<unsigned char>& buf, uint64_t i, uint32_t len)
{
    buf.resize(len);
    for (uint32_t j = 0; j < len; ++j)
        buf[j] = static_cast<unsigned char>(i * 131 + j * 7 + 1);
    std::memcpy(buf.data(), &i, std::min<uint32_t>(len, sizeof i));
    return len;
}

bool matches(const unsigned char* p, uint32_t len, uint64_t i)
{
    for (uint32_t j = 0; j < len; ++j) {
        unsigned char want = j < sizeof i ? static_cast<unsigned char>(i >> (8 * j))
                                          : static_cast<unsigned char>(i * 131 + j * 7 + 1);
        if (p[j] != want)
            return false;
    }
    return true;
}

int send_u64(mk_ring_tx& tx, uint64_t v)
{
    return mk_ring_send(&tx, &v, sizeof v);
}

int recv_u64(mk_ring_rx& rx, uint64_t& v)
{
    uint32_t len = 0;
    int ret = mk_ring_recv(&rx, &v, sizeof v, &len);
    if (ret == MK_RING_OK && len != sizeof v)
        FAIL("received " << len << " bytes, expected 8");
    return ret;
}

} // namespace

TEST_CASE("ring layout and geometry", "[ring]")
{
    CHECK(sizeof(mk_ring_shared) == 192);
    CHECK(MK_RING_BYTES(128, 64) == 192 + 128 * 64);
    // A forwarded system call (number, six arguments, thread id, sequence)
    // fits one syscall slot.
    CHECK(8 + 6 * 8 + 8 + 8 <= MK_CHAN_SLOT_SIZE - MK_RING_HDR_BYTES);

    CHECK(mk_ring_geometry_ok(64, 2));
    CHECK(mk_ring_geometry_ok(128, 64));
    CHECK(mk_ring_geometry_ok(192, 1024)); // slots need not be a power of two
    CHECK_FALSE(mk_ring_geometry_ok(0, 64));
    CHECK_FALSE(mk_ring_geometry_ok(32, 64));
    CHECK_FALSE(mk_ring_geometry_ok(96, 64));
    CHECK_FALSE(mk_ring_geometry_ok(MK_RING_SLOT_MAX + 64, 64));
    CHECK_FALSE(mk_ring_geometry_ok(128, 0));
    CHECK_FALSE(mk_ring_geometry_ok(128, 1));
    CHECK_FALSE(mk_ring_geometry_ok(128, 48));
    CHECK_FALSE(mk_ring_geometry_ok(128, MK_RING_SLOTS_MAX * 2));

    RingMemory mem(MK_RING_BYTES(128, 8) + 64);
    CHECK(mk_ring_init(mem.data(), mem.bytes(), 96, 8) == MK_RING_EINVAL);
    CHECK(mk_ring_init(mem.data(), MK_RING_BYTES(128, 8) - 1, 128, 8) == MK_RING_EINVAL);
    CHECK(mk_ring_init(mem.data() + 8, mem.bytes() - 8, 128, 8) == MK_RING_EINVAL);
    CHECK(mk_ring_init(nullptr, mem.bytes(), 128, 8) == MK_RING_EINVAL);
    REQUIRE(mk_ring_init(mem.data(), mem.bytes(), 128, 8) == MK_RING_OK);
    CHECK(mem.shared()->magic == MK_RING_MAGIC);
    CHECK(mem.shared()->version_major == MK_RING_VERSION_MAJOR);
    CHECK(mem.shared()->consumer_pos == 0);
    CHECK(mem.shared()->sleeping == 0);

    mk_ring_tx tx;
    REQUIRE(mk_ring_tx_attach(&tx, mem.data(), mem.bytes()) == MK_RING_OK);
    CHECK(mk_ring_tx_payload_max(&tx) == 120);
}

TEST_CASE("attach refuses what is not a valid ring", "[ring]")
{
    RingMemory mem(128, 8);
    mk_ring_tx tx;
    mk_ring_rx rx;

    CHECK(mk_ring_tx_attach(&tx, mem.data() + 64, mem.bytes() - 64) == MK_RING_EMAGIC);
    CHECK(mk_ring_rx_attach(&rx, mem.data() + 1, mem.bytes() - 1) == MK_RING_EINVAL);
    CHECK(mk_ring_rx_attach(&rx, mem.data(), 100) == MK_RING_EINVAL);
    // Mapped less than the ring says it needs.
    CHECK(mk_ring_rx_attach(&rx, mem.data(), mem.bytes() - 64) == MK_RING_ECORRUPT);

    SECTION("bad magic")
    {
        mem.shared()->magic ^= 1;
        CHECK(mk_ring_tx_attach(&tx, mem.data(), mem.bytes()) == MK_RING_EMAGIC);
    }
    SECTION("another major version")
    {
        mem.shared()->version_major = MK_RING_VERSION_MAJOR + 1;
        CHECK(mk_ring_tx_attach(&tx, mem.data(), mem.bytes()) == MK_RING_EVERSION);
    }
    SECTION("a newer minor version is compatible")
    {
        mem.shared()->version_minor = MK_RING_VERSION_MINOR + 1;
        CHECK(mk_ring_tx_attach(&tx, mem.data(), mem.bytes()) == MK_RING_OK);
    }
    SECTION("slot size not a multiple of a cache line")
    {
        mem.shared()->slot_size = 100;
        CHECK(mk_ring_rx_attach(&rx, mem.data(), mem.bytes()) == MK_RING_ECORRUPT);
    }
    SECTION("slot count not a power of two")
    {
        mem.shared()->nr_slots = 6;
        CHECK(mk_ring_rx_attach(&rx, mem.data(), mem.bytes()) == MK_RING_ECORRUPT);
    }
    SECTION("slots beyond the mapping")
    {
        mem.shared()->nr_slots = 16;
        CHECK(mk_ring_tx_attach(&tx, mem.data(), mem.bytes()) == MK_RING_ECORRUPT);
        mem.shared()->nr_slots = 1U << 31; // would overflow 32-bit arithmetic
        CHECK(mk_ring_tx_attach(&tx, mem.data(), mem.bytes()) == MK_RING_ECORRUPT);
    }
    SECTION("a handle that failed to attach refuses everything")
    {
        mem.shared()->slot_size = 4096;
        REQUIRE(mk_ring_tx_attach(&tx, mem.data(), mem.bytes()) == MK_RING_ECORRUPT);
        REQUIRE(mk_ring_rx_attach(&rx, mem.data(), mem.bytes()) == MK_RING_ECORRUPT);
        uint64_t v = 1;
        void* p = nullptr;
        const void* cp = nullptr;
        uint32_t len = 0;
        CHECK(send_u64(tx, v) == MK_RING_ECORRUPT);
        CHECK(mk_ring_reserve(&tx, &p) == MK_RING_ECORRUPT);
        CHECK(mk_ring_flush(&tx) == MK_RING_ECORRUPT);
        CHECK(mk_ring_peek(&rx, &cp, &len) == MK_RING_ECORRUPT);
        CHECK(mk_ring_sleep_check(&rx) == MK_RING_ECORRUPT);
        CHECK(mk_ring_sleep_cancel(&rx) == MK_RING_ECORRUPT);
        CHECK(mk_ring_tx_payload_max(&tx) == 0);
    }
}

TEST_CASE("messages arrive in order with their lengths and bytes", "[ring]")
{
    Pair p(128, 8);
    std::vector<unsigned char> msg;
    unsigned char buf[128];
    uint32_t max = mk_ring_tx_payload_max(&p.tx);

    for (uint64_t i = 0; i < 1000; ++i) {
        uint32_t len = fill(msg, i, static_cast<uint32_t>(i % (max + 1)));
        REQUIRE(mk_ring_send(&p.tx, msg.data(), len) == MK_RING_OK);
        uint32_t got = ~0U;
        REQUIRE(mk_ring_recv(&p.rx, buf, sizeof buf, &got) == MK_RING_OK);
        REQUIRE(got == len);
        REQUIRE(matches(buf, got, i));
        mk_ring_publish(&p.rx);
    }
    uint32_t got;
    CHECK(mk_ring_recv(&p.rx, buf, sizeof buf, &got) == MK_RING_EMPTY);
    CHECK(mk_ring_send(&p.tx, msg.data(), max + 1) == MK_RING_ETOOBIG);
    CHECK(mk_ring_recv(&p.rx, buf, sizeof buf, &got) == MK_RING_EMPTY);
}

TEST_CASE("the ring wraps around, in every phase", "[ring]")
{
    Pair p(64, 4);
    uint64_t next_send = 0, next_recv = 0;
    // Queue depths 0..4 at every offset of the four slots.
    for (int round = 0; round < 200; ++round) {
        int depth = round % 5;
        for (int k = 0; k < depth; ++k)
            REQUIRE(send_u64(p.tx, next_send++) == MK_RING_OK);
        for (int k = 0; k < depth; ++k) {
            uint64_t v = ~0ULL;
            REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
            REQUIRE(v == next_recv++);
        }
        mk_ring_publish(&p.rx);
    }
    CHECK(next_recv == next_send);
    CHECK(p.mem.shared()->consumer_pos == next_recv);
}

TEST_CASE("the 32-bit sequence wraps with the 64-bit positions", "[ring]")
{
    // Stand both sides 3 messages before the sequence wraps, as they would
    // be after 2^32 - 4 messages, with the slots holding the previous lap.
    Pair p(64, 4);
    const uint64_t start = (1ULL << 32) - 4;
    for (uint64_t pos = start; pos < start + 4; ++pos)
        *p.mem.header(pos & 3) = mk_ring_make_header(mk_ring_seq(pos - 4), 0);
    p.mem.shared()->consumer_pos = start;
    p.tx.head = p.tx.tail_cache = p.tx.flushed = start;
    p.rx.tail = p.rx.published = start;

    for (uint64_t i = start; i < start + 50; ++i) {
        REQUIRE(send_u64(p.tx, i) == MK_RING_OK);
        if (i % 3 == 0)
            continue; // let a few messages queue up
        for (;;) {
            uint64_t v;
            int ret = recv_u64(p.rx, v);
            if (ret == MK_RING_EMPTY)
                break;
            REQUIRE(ret == MK_RING_OK);
            REQUIRE(v == p.rx.tail - 1);
        }
        mk_ring_publish(&p.rx);
    }
    CHECK(p.rx.tail > (1ULL << 32));
}

TEST_CASE("a full ring refuses until the consumer publishes", "[ring]")
{
    Pair p(64, 8);
    for (uint64_t i = 0; i < 8; ++i)
        REQUIRE(send_u64(p.tx, i) == MK_RING_OK);
    CHECK(send_u64(p.tx, 8) == MK_RING_FULL);
    void* slot = nullptr;
    CHECK(mk_ring_reserve(&p.tx, &slot) == MK_RING_FULL);

    // Consumed but not yet published: the producer cannot reuse the slots.
    uint64_t v;
    REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
    REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
    CHECK(send_u64(p.tx, 8) == MK_RING_FULL);
    mk_ring_publish(&p.rx);
    CHECK(send_u64(p.tx, 8) == MK_RING_OK);
    CHECK(send_u64(p.tx, 9) == MK_RING_OK);
    CHECK(send_u64(p.tx, 10) == MK_RING_FULL);

    for (uint64_t i = 2; i < 10; ++i) {
        REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
        CHECK(v == i);
    }
    CHECK(recv_u64(p.rx, v) == MK_RING_EMPTY);
    const void* payload;
    uint32_t len;
    CHECK(mk_ring_peek(&p.rx, &payload, &len) == MK_RING_EMPTY);
    CHECK(mk_ring_consume(&p.rx) == MK_RING_EINVAL); // nothing was peeked
}

TEST_CASE("zero-copy reserve and commit", "[ring]")
{
    Pair p(128, 4);
    void* slot = nullptr;
    CHECK(mk_ring_commit(&p.tx, 8) == MK_RING_EINVAL); // nothing reserved
    REQUIRE(mk_ring_reserve(&p.tx, &slot) == MK_RING_OK);
    // A copying post would commit the reservation instead of its own slot.
    uint64_t v = 1;
    CHECK(mk_ring_post(&p.tx, &v, sizeof v) == MK_RING_EINVAL);

    // Not yet visible while being filled.
    const void* payload;
    uint32_t len;
    std::memset(slot, 'x', 120);
    CHECK(mk_ring_peek(&p.rx, &payload, &len) == MK_RING_EMPTY);
    CHECK(mk_ring_commit(&p.tx, 121) == MK_RING_ETOOBIG); // keeps the reservation
    REQUIRE(mk_ring_commit(&p.tx, 120) == MK_RING_OK);
    CHECK(mk_ring_flush(&p.tx) == MK_RING_OK);

    REQUIRE(mk_ring_peek(&p.rx, &payload, &len) == MK_RING_OK);
    CHECK(payload == slot);
    CHECK(len == 120);
    CHECK(std::string(static_cast<const char*>(payload), len) == std::string(120, 'x'));
    // Peeking again returns the same message until it is consumed.
    const void* payload2;
    REQUIRE(mk_ring_peek(&p.rx, &payload2, &len) == MK_RING_OK);
    CHECK(payload2 == payload);
    CHECK(mk_ring_consume(&p.rx) == MK_RING_OK);
    CHECK(mk_ring_peek(&p.rx, &payload, &len) == MK_RING_EMPTY);
}

TEST_CASE("several reservations, committed in order or as one batch", "[ring]")
{
    Pair p(64, 4);
    void* slots[5] = {};
    for (int k = 0; k < 4; ++k) {
        REQUIRE(mk_ring_reserve(&p.tx, &slots[k]) == MK_RING_OK);
        uint64_t v = 100 + k;
        std::memcpy(slots[k], &v, sizeof v);
    }
    CHECK(slots[1] != slots[0]);
    CHECK(mk_ring_reserve(&p.tx, &slots[4]) == MK_RING_FULL); // reservations hold slots

    // commit publishes the oldest reservation.
    REQUIRE(mk_ring_commit(&p.tx, 8) == MK_RING_OK);
    uint64_t v;
    REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
    CHECK(v == 100);
    CHECK(recv_u64(p.rx, v) == MK_RING_EMPTY);

    // A batch is all or nothing, and only of what is reserved.
    uint32_t lens[3] = {8, 8, 8};
    CHECK(mk_ring_commit_batch(&p.tx, lens, 4) == MK_RING_EINVAL);
    CHECK(mk_ring_commit_batch(&p.tx, lens, 0) == MK_RING_EINVAL);
    uint32_t bad[3] = {8, 57, 8};
    CHECK(mk_ring_commit_batch(&p.tx, bad, 3) == MK_RING_ETOOBIG);
    CHECK(recv_u64(p.rx, v) == MK_RING_EMPTY);
    REQUIRE(mk_ring_commit_batch(&p.tx, lens, 3) == MK_RING_OK);
    CHECK(mk_ring_flush(&p.tx) == MK_RING_OK);
    for (uint64_t want = 101; want < 104; ++want) {
        REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
        CHECK(v == want);
    }
    CHECK(recv_u64(p.rx, v) == MK_RING_EMPTY);
    CHECK(mk_ring_commit(&p.tx, 8) == MK_RING_EINVAL); // nothing left reserved

    SECTION("a batch across the end of the ring")
    {
        mk_ring_publish(&p.rx);
        uint32_t four[4] = {8, 8, 8, 8};
        for (int k = 0; k < 4; ++k) {
            REQUIRE(mk_ring_reserve(&p.tx, &slots[k]) == MK_RING_OK);
            uint64_t x = 200 + k;
            std::memcpy(slots[k], &x, sizeof x);
        }
        REQUIRE(mk_ring_commit_batch(&p.tx, four, 4) == MK_RING_OK);
        for (uint64_t want = 200; want < 204; ++want) {
            REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
            CHECK(v == want);
        }
    }
}

TEST_CASE("a receive buffer too small leaves the message in place", "[ring]")
{
    Pair p(128, 4);
    std::vector<unsigned char> msg;
    fill(msg, 42, 100);
    REQUIRE(mk_ring_send(&p.tx, msg.data(), 100) == MK_RING_OK);
    unsigned char small[64], big[128];
    uint32_t len = 0;
    CHECK(mk_ring_recv(&p.rx, small, sizeof small, &len) == MK_RING_ETOOBIG);
    REQUIRE(mk_ring_recv(&p.rx, big, sizeof big, &len) == MK_RING_OK);
    CHECK(len == 100);
    CHECK(matches(big, len, 42));
}

TEST_CASE("batches: many posts, one flush, one drain, one publish", "[ring]")
{
    Pair p(128, 16);
    std::vector<unsigned char> msg;
    for (uint64_t i = 0; i < 10; ++i) {
        uint32_t len = fill(msg, i, 8 + static_cast<uint32_t>(i));
        REQUIRE(mk_ring_post(&p.tx, msg.data(), len) == MK_RING_OK);
    }
    // Posted messages are visible before the flush; the flush only decides
    // about the doorbell.
    const void* payload;
    uint32_t len;
    CHECK(mk_ring_peek(&p.rx, &payload, &len) == MK_RING_OK);
    CHECK(mk_ring_flush(&p.tx) == MK_RING_OK);
    CHECK(mk_ring_flush(&p.tx) == MK_RING_OK); // nothing new

    struct Seen {
        uint64_t next = 0;
        bool ok = true;
        std::vector<uint64_t> published;
        mk_ring_shared* shared;
    } seen;
    seen.shared = p.mem.shared();
    auto handler = [](void* ctx, const void* data, uint32_t n) {
        auto* s = static_cast<Seen*>(ctx);
        s->ok = s->ok && n == 8 + s->next &&
            matches(static_cast<const unsigned char*>(data), n, s->next);
        s->published.push_back(s->shared->consumer_pos);
        s->next++;
    };
    CHECK(mk_ring_drain(&p.rx, 3, handler, &seen) == 3); // at most max
    CHECK(seen.shared->consumer_pos == 3);
    seen.published.clear();
    CHECK(mk_ring_drain(&p.rx, ~0U, handler, &seen) == 7);
    CHECK(seen.ok);
    CHECK(seen.next == 10);
    // Published once at the end of the batch (a 16-slot ring publishes
    // mid-batch only after 8 messages).
    CHECK(seen.published == std::vector<uint64_t>(7, 3));
    CHECK(seen.shared->consumer_pos == 10);
    CHECK(mk_ring_drain(&p.rx, ~0U, handler, &seen) == 0);

    SECTION("a long batch gives slots back every half ring")
    {
        for (uint64_t i = 10; i < 26; ++i)
            REQUIRE(mk_ring_post(&p.tx, msg.data(), fill(msg, i, 8 + static_cast<uint32_t>(i))) ==
                MK_RING_OK);
        CHECK(mk_ring_post(&p.tx, msg.data(), 8) == MK_RING_FULL);
        seen.published.clear();
        CHECK(mk_ring_drain(&p.rx, ~0U, handler, &seen) == 16);
        CHECK(seen.ok);
        CHECK(seen.published.front() == 10);
        CHECK(seen.published.back() == 18);
        CHECK(seen.shared->consumer_pos == 26);
    }
}

TEST_CASE("sleep and wake-up, step by step", "[ring]")
{
    Pair p(64, 8);
    uint64_t v;

    SECTION("a polling consumer never asks for a doorbell")
    {
        for (uint64_t i = 0; i < 100; ++i) {
            REQUIRE(send_u64(p.tx, i) == MK_RING_OK);
            REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
            mk_ring_publish(&p.rx);
        }
        CHECK(p.mem.shared()->sleeping == 0);
    }
    SECTION("a sleeping consumer gets exactly one doorbell")
    {
        mk_ring_sleep_prepare(&p.rx);
        CHECK(p.mem.shared()->sleeping != 0);
        REQUIRE(mk_ring_sleep_check(&p.rx) == MK_RING_OK); // empty: may sleep
        CHECK(mk_ring_flush(&p.tx) == MK_RING_OK); // nothing posted, nothing to wake for
        CHECK(send_u64(p.tx, 1) == MK_RING_NOTIFY);
        CHECK(p.mem.shared()->sleeping == 0);
        CHECK(send_u64(p.tx, 2) == MK_RING_OK); // already notified
        // Woken: the producer had claimed the announcement.
        CHECK(mk_ring_sleep_cancel(&p.rx) == MK_RING_NOTIFY);
        REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
        CHECK(v == 1);
        REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
        CHECK(v == 2);
    }
    SECTION("a message that arrives before the check keeps the consumer awake")
    {
        REQUIRE(send_u64(p.tx, 7) == MK_RING_OK);
        mk_ring_sleep_prepare(&p.rx);
        CHECK(mk_ring_sleep_check(&p.rx) == MK_RING_PENDING);
        CHECK(mk_ring_sleep_cancel(&p.rx) == MK_RING_OK); // no doorbell was claimed
        CHECK(send_u64(p.tx, 8) == MK_RING_OK);
        REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
        CHECK(v == 7);
    }
    SECTION("a batch gets one doorbell, at its flush")
    {
        mk_ring_sleep_prepare(&p.rx);
        REQUIRE(mk_ring_sleep_check(&p.rx) == MK_RING_OK);
        for (uint64_t i = 0; i < 5; ++i)
            REQUIRE(mk_ring_post(&p.tx, &i, sizeof i) == MK_RING_OK);
        CHECK(p.mem.shared()->sleeping != 0);
        CHECK(mk_ring_flush(&p.tx) == MK_RING_NOTIFY);
        CHECK(mk_ring_flush(&p.tx) == MK_RING_OK);
    }
    SECTION("preparing to sleep gives consumed slots back")
    {
        for (uint64_t i = 0; i < 8; ++i)
            REQUIRE(send_u64(p.tx, i) == MK_RING_OK);
        for (uint64_t i = 0; i < 8; ++i)
            REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
        CHECK(send_u64(p.tx, 8) == MK_RING_FULL);
        mk_ring_sleep_prepare(&p.rx);
        CHECK(send_u64(p.tx, 8) == MK_RING_NOTIFY);
    }
}

TEST_CASE("a corrupt consumer position is detected, not trusted", "[ring]")
{
    Pair p(64, 4);
    for (uint64_t i = 0; i < 4; ++i)
        REQUIRE(send_u64(p.tx, i) == MK_RING_OK);
    uint64_t v = 0;

    SECTION("beyond what was produced")
    {
        p.mem.shared()->consumer_pos = 5;
    }
    SECTION("far beyond, as if wrapped")
    {
        p.mem.shared()->consumer_pos = ~0ULL;
    }
    SECTION("going backwards")
    {
        REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
        REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
        mk_ring_publish(&p.rx);
        REQUIRE(send_u64(p.tx, 4) == MK_RING_OK); // reads position 2
        REQUIRE(send_u64(p.tx, 5) == MK_RING_OK);
        p.mem.shared()->consumer_pos = 1;
    }
    // The position is read when the cached one says the ring is full.
    CHECK(send_u64(p.tx, 99) == MK_RING_ECORRUPT);
    // Sticky, even once the position looks sane again.
    p.mem.shared()->consumer_pos = 4;
    CHECK(send_u64(p.tx, 99) == MK_RING_ECORRUPT);
    void* slot = nullptr;
    CHECK(mk_ring_reserve(&p.tx, &slot) == MK_RING_ECORRUPT);
    CHECK(slot == nullptr);
}

TEST_CASE("a corrupt slot header is detected, not trusted", "[ring]")
{
    Pair p(128, 4);
    unsigned char buf[256];
    std::memset(buf, 0x5a, sizeof buf);
    uint32_t len = 0;
    REQUIRE(send_u64(p.tx, 1) == MK_RING_OK);
    uint64_t* hdr = p.mem.header(0);

    SECTION("length beyond the slot")
    {
        *hdr = mk_ring_make_header(mk_ring_seq(0), 121);
        CHECK(mk_ring_recv(&p.rx, buf, sizeof buf, &len) == MK_RING_ECORRUPT);
    }
    SECTION("length far beyond the slot")
    {
        *hdr = mk_ring_make_header(mk_ring_seq(0), 0xffffffffU);
        CHECK(mk_ring_recv(&p.rx, buf, sizeof buf, &len) == MK_RING_ECORRUPT);
    }
    SECTION("a sequence from the future")
    {
        *hdr = mk_ring_make_header(mk_ring_seq(4), 8);
        CHECK(mk_ring_recv(&p.rx, buf, sizeof buf, &len) == MK_RING_ECORRUPT);
    }
    SECTION("a garbage sequence")
    {
        *hdr = 0xa5a5a5a5a5a5a5a5ULL;
        CHECK(mk_ring_recv(&p.rx, buf, sizeof buf, &len) == MK_RING_ECORRUPT);
    }
    SECTION("the sequence of the slot beside it")
    {
        *hdr = mk_ring_make_header(mk_ring_seq(1), 8);
        CHECK(mk_ring_recv(&p.rx, buf, sizeof buf, &len) == MK_RING_ECORRUPT);
    }
    // Nothing was copied, and the handle stays broken.
    for (unsigned char c : buf)
        REQUIRE(c == 0x5a);
    *hdr = mk_ring_make_header(mk_ring_seq(0), 8);
    CHECK(mk_ring_recv(&p.rx, buf, sizeof buf, &len) == MK_RING_ECORRUPT);
    CHECK(mk_ring_drain(
              &p.rx, 10, [](void*, const void*, uint32_t) {}, nullptr) == MK_RING_ECORRUPT);
    CHECK(mk_ring_sleep_check(&p.rx) == MK_RING_ECORRUPT);
    CHECK(p.mem.shared()->consumer_pos == 0);
}

TEST_CASE("a stale header means empty, not corrupt", "[ring]")
{
    Pair p(64, 4);
    uint64_t v;
    for (uint64_t i = 0; i < 4; ++i) {
        REQUIRE(send_u64(p.tx, i) == MK_RING_OK);
        REQUIRE(recv_u64(p.rx, v) == MK_RING_OK);
    }
    mk_ring_publish(&p.rx);
    // Slot 0 still holds message 0: for position 4 that is the previous lap.
    CHECK(recv_u64(p.rx, v) == MK_RING_EMPTY);
    CHECK(mk_ring_sleep_check(&p.rx) == MK_RING_OK);
}

TEST_CASE("every status has its own description", "[ring]")
{
    std::vector<std::string> seen;
    for (int s = MK_RING_ECORRUPT; s <= MK_RING_PENDING; ++s) {
        std::string text = mk_ring_strerror(s);
        CHECK(text != mk_ring_strerror(1000));
        for (const std::string& other : seen)
            CHECK(text != other);
        seen.push_back(text);
    }
}

// ---- two threads ---------------------------------------------------------

namespace {

// A latched doorbell, like an IPI left pending in the APIC: a ring before
// the wait still ends the wait.
class Doorbell {
public:
    void ring()
    {
        std::lock_guard<std::mutex> lock(m_);
        pending_ = true;
        cv_.notify_one();
    }
    // False on timeout.
    bool wait_for(std::chrono::milliseconds timeout)
    {
        std::unique_lock<std::mutex> lock(m_);
        if (!cv_.wait_for(lock, timeout, [&] { return pending_; }))
            return false;
        pending_ = false;
        return true;
    }

private:
    std::mutex m_;
    std::condition_variable cv_;
    bool pending_ = false;
};

uint64_t env_count(const char* name, uint64_t fallback)
{
    const char* s = std::getenv(name);
    return s && *s ? std::strtoull(s, nullptr, 10) : fallback;
}

#if defined(__SANITIZE_THREAD__)
constexpr uint64_t default_stress_messages = 500'000; // ThreadSanitizer is ~10x slower
#else
constexpr uint64_t default_stress_messages = 2'000'000;
#endif

uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

struct StressResult {
    uint64_t received = 0;
    uint64_t sent_sum = 0, recv_sum = 0;
    uint64_t announced = 0, sleeps = 0, doorbells = 0, lost = 0, bad = 0;
    int error = MK_RING_OK;
};

// A producer sending `total` messages in random batches with random pauses,
// a consumer that polls a little and then sleeps. With sleepy false the
// consumer only polls and the producer must never be told to notify.
StressResult stress(uint32_t slot_size, uint32_t nr_slots, uint64_t total, bool sleepy)
{
    Pair p(slot_size, nr_slots);
    Doorbell bell;
    StressResult r;
    std::atomic<int> producer_error{MK_RING_OK};
    std::atomic<bool> stop{false}; // the consumer gave up: the producer must not wait for it
    const uint32_t max = mk_ring_tx_payload_max(&p.tx);

    std::thread producer([&] {
        std::vector<unsigned char> msg;
        uint64_t rng = 0x2545f4914f6cdd1dULL;
        auto next = [&] {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            return rng;
        };
        uint64_t i = 0;
        while (i < total && !stop) {
            uint64_t batch = 1 + next() % 16;
            if (next() % 2) {
                // Copied in and published one by one.
                for (uint64_t k = 0; k < batch && i < total; ++k) {
                    uint32_t len = fill(msg, i, 8 + static_cast<uint32_t>(i % (max - 7)));
                    int ret;
                    while ((ret = mk_ring_post(&p.tx, msg.data(), len)) == MK_RING_FULL) {
                        // A full ring: end the batch so a sleeping consumer wakes.
                        if (mk_ring_flush(&p.tx) == MK_RING_NOTIFY) {
                            r.doorbells++;
                            bell.ring();
                        }
                        if (stop)
                            return;
                        std::this_thread::yield();
                    }
                    if (ret != MK_RING_OK) {
                        producer_error = ret;
                        return;
                    }
                    for (uint32_t j = 0; j < len; ++j)
                        r.sent_sum = mix(r.sent_sum, msg[j]);
                    ++i;
                }
            } else {
                // Built in place and published together.
                uint32_t lens[16];
                uint32_t n = 0;
                while (n < batch && i + n < total) {
                    void* slot;
                    int ret = mk_ring_reserve(&p.tx, &slot);
                    if (ret == MK_RING_FULL) {
                        if (n > 0)
                            break;
                        if (stop)
                            return;
                        std::this_thread::yield();
                        continue;
                    }
                    if (ret != MK_RING_OK) {
                        producer_error = ret;
                        return;
                    }
                    lens[n] = fill(msg, i + n, 8 + static_cast<uint32_t>((i + n) % (max - 7)));
                    std::memcpy(slot, msg.data(), lens[n]);
                    for (uint32_t j = 0; j < lens[n]; ++j)
                        r.sent_sum = mix(r.sent_sum, msg[j]);
                    ++n;
                }
                int ret = mk_ring_commit_batch(&p.tx, lens, n);
                if (ret != MK_RING_OK) {
                    producer_error = ret;
                    return;
                }
                i += n;
            }
            if (mk_ring_flush(&p.tx) == MK_RING_NOTIFY) {
                r.doorbells++;
                bell.ring();
            }
            // Pauses of every length, so that the consumer falls asleep often
            // and its announcement races with the next batch.
            if (sleepy) {
                uint64_t dice = next();
                if (dice % 2048 == 0)
                    std::this_thread::sleep_for(std::chrono::microseconds(dice % 100));
                else if (dice % 8 == 0)
                    for (uint64_t spin = (dice >> 8) % 256; spin > 0; --spin)
                        __builtin_ia32_pause();
            }
        }
    });

    struct Ctx {
        StressResult* r;
        uint32_t max;
    } ctx{&r, max};
    auto handler = [](void* c, const void* data, uint32_t n) {
        auto* x = static_cast<Ctx*>(c);
        StressResult* res = x->r;
        auto* bytes = static_cast<const unsigned char*>(data);
        if (n != 8 + res->received % (x->max - 7) || !matches(bytes, n, res->received))
            res->bad++;
        for (uint32_t j = 0; j < n; ++j)
            res->recv_sum = mix(res->recv_sum, bytes[j]);
        res->received++;
    };

    unsigned idle = 0;
    while (r.received < total && r.bad == 0) {
        int n = mk_ring_drain(&p.rx, nr_slots, handler, &ctx);
        if (n < 0) {
            r.error = n;
            break;
        }
        if (n > 0) {
            idle = 0;
            continue;
        }
        if (producer_error != MK_RING_OK)
            break; // nothing more will come
        if (!sleepy || ++idle < 16) {
            __builtin_ia32_pause();
            continue;
        }
        idle = 0;
        mk_ring_sleep_prepare(&p.rx);
        r.announced++;
        int check = mk_ring_sleep_check(&p.rx);
        if (check == MK_RING_OK) {
            r.sleeps++;
            if (!bell.wait_for(std::chrono::seconds(2))) {
                // Two seconds asleep while the producer, which flushes right
                // after posting, has left a message: a lost wake-up.
                if (mk_ring_sleep_check(&p.rx) == MK_RING_PENDING)
                    r.lost++;
            }
        } else if (check < 0) {
            r.error = check;
            break;
        }
        mk_ring_sleep_cancel(&p.rx);
    }
    stop = true;
    producer.join();
    if (r.error == MK_RING_OK)
        r.error = producer_error;
    return r;
}

} // namespace

TEST_CASE("two threads: millions of messages, sleeping and waking, nothing lost", "[ring]")
{
    const uint64_t total = env_count("MK_RING_STRESS_MESSAGES", default_stress_messages);

    SECTION("syscall slots, 64 of them")
    {
        StressResult r = stress(128, 64, total, true);
        INFO(
            "announced " << r.announced << ", slept " << r.sleeps << ", doorbells " << r.doorbells);
        CHECK(r.error == MK_RING_OK);
        CHECK(r.lost == 0);
        CHECK(r.bad == 0);
        CHECK(r.received == total);
        CHECK(r.recv_sum == r.sent_sum);
        CHECK(r.sleeps > 0);
        CHECK(r.doorbells > 0);
        CHECK(r.doorbells <= r.announced); // one doorbell per announcement at most
    }
    SECTION("a small ring that is often full")
    {
        StressResult r = stress(64, 4, total / 4, true);
        INFO(
            "announced " << r.announced << ", slept " << r.sleeps << ", doorbells " << r.doorbells);
        CHECK(r.error == MK_RING_OK);
        CHECK(r.lost == 0);
        CHECK(r.bad == 0);
        CHECK(r.received == total / 4);
        CHECK(r.recv_sum == r.sent_sum);
        CHECK(r.doorbells <= r.announced); // one doorbell per announcement at most
    }
    SECTION("a polling consumer: no doorbell at all")
    {
        StressResult r = stress(128, 64, total / 4, false);
        CHECK(r.error == MK_RING_OK);
        CHECK(r.bad == 0);
        CHECK(r.received == total / 4);
        CHECK(r.recv_sum == r.sent_sum);
        CHECK(r.announced == 0);
        CHECK(r.doorbells == 0);
    }
}

namespace {

// Two threads meeting at the start of each round, spinning.
class SpinBarrier {
public:
    void arrive_and_wait(uint64_t& my_round)
    {
        ++my_round;
        if (arrived_.fetch_add(1) % 2 == 1)
            round_.store(my_round, std::memory_order_release);
        else
            for (unsigned spins = 1; round_.load(std::memory_order_acquire) < my_round; ++spins)
                if (spins % 1024 == 0)
                    std::this_thread::yield(); // the other thread may be descheduled
                else
                    __builtin_ia32_pause();
    }

private:
    std::atomic<uint64_t> arrived_{0};
    std::atomic<uint64_t> round_{0};
};

} // namespace

TEST_CASE("a sleep announcement racing a message: one side always sees the other", "[ring]")
{
    // The litmus test for the Dekker fences: in each round the consumer
    // announces its sleep and checks the ring while the producer sends one
    // message, both starting at the same instant. A round where the consumer
    // found the ring empty and the producer was not told to notify is a lost
    // wake-up. x86 shows this outcome within thousands of rounds when either
    // fence is missing.
    const uint64_t rounds = env_count("MK_RING_RACE_ROUNDS", default_stress_messages / 2);
    Pair p(64, 4);
    SpinBarrier barrier;
    std::vector<int> sent(rounds), checked(rounds);

    std::thread producer([&] {
        uint64_t my_round = 0;
        for (uint64_t k = 0; k < rounds; ++k) {
            barrier.arrive_and_wait(my_round);
            sent[k] = send_u64(p.tx, k);
            barrier.arrive_and_wait(my_round); // the consumer drains
            barrier.arrive_and_wait(my_round);
        }
    });
    uint64_t my_round = 0, lost = 0, notified = 0, errors = 0;
    for (uint64_t k = 0; k < rounds; ++k) {
        barrier.arrive_and_wait(my_round);
        mk_ring_sleep_prepare(&p.rx);
        checked[k] = mk_ring_sleep_check(&p.rx);
        barrier.arrive_and_wait(my_round);
        lost += checked[k] == MK_RING_OK && sent[k] == MK_RING_OK;
        notified += sent[k] == MK_RING_NOTIFY;
        mk_ring_sleep_cancel(&p.rx);
        uint64_t v = ~0ULL;
        errors += recv_u64(p.rx, v) != MK_RING_OK || v != k;
        mk_ring_publish(&p.rx);
        barrier.arrive_and_wait(my_round);
    }
    producer.join();
    INFO(rounds << " rounds, " << notified << " notified");
    CHECK(lost == 0);
    CHECK(errors == 0);
}
