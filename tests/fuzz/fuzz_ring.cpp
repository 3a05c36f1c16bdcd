// libFuzzer: the ring's consumer against a hostile producer. A ring is
// made and attached as mk.ko does it, then the fuzzer's bytes overwrite
// its shared memory (positions, slot headers, payloads: everything the
// LWK can write), and the consumer drains it. It must return messages no
// longer than asked, or an error, and never read or write outside.
#include <mk/ring.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace {
constexpr uint32_t SLOT = 256, SLOTS = 16;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const uint64_t bytes = MK_RING_BYTES(SLOT, SLOTS);
    void* mem = std::aligned_alloc(64, (bytes + 63) & ~63ULL);
    if (mk_ring_init(mem, bytes, SLOT, SLOTS) != MK_RING_OK)
        __builtin_trap();
    mk_ring_rx rx;
    if (mk_ring_rx_attach(&rx, mem, bytes) != MK_RING_OK)
        __builtin_trap();
    // The producer's side of the memory: all of it but what init made read-only.
    std::memcpy(mem, data, size < bytes ? size : bytes);
    uint8_t buf[SLOT];
    uint32_t len = 0;
    for (int i = 0; i < 64; ++i) {
        int ret = mk_ring_recv(&rx, buf, sizeof buf, &len);
        if (ret == MK_RING_OK && len > sizeof buf)
            __builtin_trap();
        if (ret != MK_RING_OK)
            break;
    }
    mk_ring_sleep_prepare(&rx);
    (void)mk_ring_sleep_check(&rx);
    std::free(mem);
    return 0;
}
