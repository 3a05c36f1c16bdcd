/* SPDX-License-Identifier: MIT */
/* mk release and ABI versions, shared by every component. */
#ifndef MK_VERSION_H
#define MK_VERSION_H

#define MK_VERSION_STRING "0.1.0"

/*
 * The ioctl ABI between mk.ko and user space. Bump the major on any
 * incompatible change; user space refuses a module with another major.
 */
#define MK_ABI_MAJOR 7
#define MK_ABI_MINOR 0

#endif /* MK_VERSION_H */
