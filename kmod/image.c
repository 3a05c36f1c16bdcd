// SPDX-License-Identifier: GPL-2.0
/*
 * The LWK image: validated with the shared checker (<mk/lwk_image.h>)
 * before anything is copied, then placed segment by segment.
 */
#include <linux/string.h>

#include <mk/lwk_image.h>

#include "mk.h"

int mk_image_check(const u8 *img, u64 size, struct mk_image_layout *l, char *msg)
{
	const char *why = mk_image_check_bytes(img, size, l);

	if (why) {
		mk_refuse(msg, "the LWK image cannot be booted: %s", why);
		return -ENOEXEC;
	}
	return 0;
}

/* Copies the file-backed bytes; dst (the image's memory) is already zeroed. */
void mk_image_place(const u8 *img, const struct mk_image_layout *l, void *dst)
{
	const struct mk_elf64_ehdr *eh = (const void *)img;
	const struct mk_elf64_phdr *ph = (const void *)(img + eh->e_phoff);
	unsigned int i;

	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != MK_PT_LOAD || !ph[i].p_memsz)
			continue;
		memcpy(dst + (ph[i].p_vaddr - l->virt_start), img + ph[i].p_offset, ph[i].p_filesz);
	}
}

const u8 *mk_image_trampoline(const u8 *img, u64 size, const struct mk_image_layout *l)
{
	return mk_image_bytes(img, size, l->trampoline, l->trampoline_size);
}
