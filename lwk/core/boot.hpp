// The boot parameters mk.ko left for the LWK, and the direct map.
#pragma once

#include <mk/boot.h>

#include <cstdint>

namespace lwk::boot {

// Set once by the first core; the same for all.
extern mk_boot_params* params;

inline void* phys_to_virt(uint64_t phys) { return reinterpret_cast<void*>(MK_LWK_DIRECT_BASE + phys); }
inline uint64_t virt_to_phys(const void* v) { return reinterpret_cast<uint64_t>(v) - MK_LWK_DIRECT_BASE; }

// Accessors for fields the two kernels share: one writer each, so plain
// atomic loads and stores with acquire/release suffice.
template <typename T> inline T shared_load(const T& field)
{
    return __atomic_load_n(&field, __ATOMIC_ACQUIRE);
}
template <typename T> inline void shared_store(T& field, T v)
{
    __atomic_store_n(&field, v, __ATOMIC_RELEASE);
}

// Microseconds since the first LWK core entered.
uint64_t uptime_us();

} // namespace lwk::boot
