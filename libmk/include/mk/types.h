/* SPDX-License-Identifier: MIT */
/*
 * Fixed-width types for the headers shared by mk.ko, the LWK and user space.
 * Every ABI header includes this one and nothing else from a C library.
 */
#ifndef MK_TYPES_H
#define MK_TYPES_H

#if defined(__KERNEL__)
#include <linux/types.h>
#include <linux/build_bug.h>
#define MK_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#elif !defined(MK_FREESTANDING)
/* User space on Linux: the kernel's own uapi types, as every header uses. */
#include <linux/types.h>
#if defined(__cplusplus)
#define MK_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define MK_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#else
/* Freestanding (the LWK): no Linux headers, the compiler's stdint.h. */
#include <stdint.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int32_t __s32;
typedef int64_t __s64;
#if defined(__cplusplus)
#define MK_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define MK_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#endif

#endif /* MK_TYPES_H */
