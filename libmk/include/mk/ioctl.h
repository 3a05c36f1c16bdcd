/* SPDX-License-Identifier: MIT */
/*
 * The /dev/mk ioctl interface between mk.ko and user space (mkctl, mkexec).
 * Every argument struct starts with its own size so that either side can
 * detect a mismatch; the module refuses a struct whose size it does not know.
 */
#ifndef MK_IOCTL_H
#define MK_IOCTL_H

#include "types.h"
#include "version.h"

#if defined(__KERNEL__)
#include <linux/ioctl.h>
#else
#include <sys/ioctl.h>
#endif

#define MK_DEVICE_PATH "/dev/mk"
#define MK_IOC_MAGIC 0xB7

/* MK_IOC_VERSION: the module's release and ABI version. */
struct mk_version {
	__u32 size;          /* in: sizeof(struct mk_version) */
	__u16 abi_major;     /* out */
	__u16 abi_minor;     /* out */
	char release[32];    /* out: NUL-terminated MK_VERSION_STRING */
};
MK_STATIC_ASSERT(sizeof(struct mk_version) == 40, "mk_version layout");

#define MK_IOC_VERSION _IOWR(MK_IOC_MAGIC, 0x00, struct mk_version)

#endif /* MK_IOCTL_H */
