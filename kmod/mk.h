/* SPDX-License-Identifier: GPL-2.0 */
/* mk.ko internal interfaces between its files. */
#ifndef MK_KMOD_H
#define MK_KMOD_H

#include <linux/mutex.h>

#undef pr_fmt
#define pr_fmt(fmt) "mk: " fmt

#endif /* MK_KMOD_H */
