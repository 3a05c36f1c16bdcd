// The work the benchmarks repeat. RegisterWork is the reference FWQ/FTQ loop:
// an increment and a few NOPs, nothing but registers, so its time depends
// only on the core. An empty loop mostly measures the clock (Weisbach et al.,
// ISC'18); MemoryWork also touches one cache line of a working set per
// iteration, so noise that evicts the caches shows up as well.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mk::noise {

struct RegisterWork {
    void operator()(uint64_t iterations)
    {
        uint64_t x = 0;
        for (uint64_t i = 0; i < iterations; ++i)
            asm volatile("add $1, %0\n\tnop\n\tnop\n\tnop" : "+r"(x));
    }
};

class MemoryWork {
public:
    static constexpr size_t line = 64;

    // The working set is allocated and touched here, by the thread that will
    // use it (first touch puts it on that thread's NUMA node).
    explicit MemoryWork(size_t bytes) : words_(bytes / sizeof(uint64_t))
    {
        if (words_ < line / sizeof(uint64_t))
            words_ = line / sizeof(uint64_t);
        buf_.assign(words_, 0);
    }

    void operator()(uint64_t iterations)
    {
        constexpr size_t stride = line / sizeof(uint64_t);
        uint64_t* p = buf_.data();
        size_t pos = pos_;
        for (uint64_t i = 0; i < iterations; ++i) {
            // One read-modify-write per line; the barrier keeps the
            // compiler from merging or dropping iterations.
            p[pos] += 1;
            asm volatile("" ::: "memory");
            pos += stride;
            if (pos >= words_)
                pos = 0;
        }
        pos_ = pos;
    }

    size_t bytes() const { return words_ * sizeof(uint64_t); }

private:
    size_t words_;
    std::vector<uint64_t> buf_;
    size_t pos_ = 0;
};

} // namespace mk::noise
