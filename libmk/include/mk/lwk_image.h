/* SPDX-License-Identifier: MIT */
/*
 * Validation of an LWK image before anything is copied (used by mk.ko on
 * the bytes user space passed in, and by the host unit tests). The image is
 * untrusted input: every offset and size is checked against the file size
 * without overflow before it is used.
 */
#ifndef MK_LWK_IMAGE_H
#define MK_LWK_IMAGE_H

#include "boot.h"
#include "elf64.h"

#define MK_IMAGE_MAX_PHDRS 64
#define MK_IMAGE_ALIGN (2ULL << 20)

/* What the loader needs to know about a valid image. */
struct mk_image_layout {
	__u64 entry;
	__u64 virt_start;        /* lowest PT_LOAD address, rounded down to 2 MiB */
	__u64 virt_end;          /* end of the highest PT_LOAD, rounded up to 2 MiB */
	__u64 header_vaddr;      /* the struct mk_image_header (lowest PT_LOAD address) */
	__u64 trampoline;        /* from the image header */
	__u32 trampoline_size;
	__u32 nr_load;
};

/* The file bytes of the image at virtual address va, len bytes; NULL if not file-backed. */
static inline const __u8 *mk_image_bytes(const __u8 *img, __u64 size, __u64 va, __u64 len)
{
	const struct mk_elf64_ehdr *eh = (const struct mk_elf64_ehdr *)img;
	const struct mk_elf64_phdr *ph = (const struct mk_elf64_phdr *)(img + eh->e_phoff);
	unsigned int i;

	(void)size; /* the caller validated every PT_LOAD against it */
	for (i = 0; i < eh->e_phnum; i++) {
		/* Only the segments the check validated (PT_LOAD with memory). */
		if (ph[i].p_type != MK_PT_LOAD || !ph[i].p_memsz)
			continue;
		if (va >= ph[i].p_vaddr && len <= ph[i].p_filesz &&
		    va - ph[i].p_vaddr <= ph[i].p_filesz - len)
			return img + ph[i].p_offset + (va - ph[i].p_vaddr);
	}
	return 0;
}

/*
 * Checks the image (size bytes at img, 8-byte aligned) and fills *out.
 * Returns 0 if it can be booted, else a message for the user.
 */
static inline const char *mk_image_check_bytes(const __u8 *img, __u64 size,
					       struct mk_image_layout *out)
{
	const struct mk_elf64_ehdr *eh = (const struct mk_elf64_ehdr *)img;
	const struct mk_elf64_phdr *ph;
	const struct mk_image_header *hdr;
	__u64 lo = ~0ULL, hi = 0;
	unsigned int i, j;
	int entry_ok = 0;

	if (size < sizeof(*eh) || img[0] != 0x7f || img[1] != 'E' || img[2] != 'L' ||
	    img[3] != 'F')
		return "not an ELF file";
	if (eh->e_ident[4] != MK_ELFCLASS64 || eh->e_ident[5] != MK_ELFDATA2LSB ||
	    eh->e_machine != MK_EM_X86_64)
		return "not a 64-bit little-endian x86-64 ELF file";
	if (eh->e_type != MK_ET_EXEC || eh->e_version != MK_EV_CURRENT)
		return "not an ELF executable (an LWK image is a static ET_EXEC)";
	if (eh->e_phentsize != sizeof(*ph) || eh->e_phnum == 0 ||
	    eh->e_phnum > MK_IMAGE_MAX_PHDRS)
		return "bad program header table";
	if (eh->e_phoff > size || eh->e_phoff % 8 ||
	    (__u64)eh->e_phnum * sizeof(*ph) > size - eh->e_phoff)
		return "truncated: the program headers lie beyond the end of the file";
	ph = (const struct mk_elf64_phdr *)(img + eh->e_phoff);

	out->nr_load = 0;
	for (i = 0; i < eh->e_phnum; i++) {
		const struct mk_elf64_phdr *p = &ph[i];

		if (p->p_type == MK_PT_INTERP || p->p_type == MK_PT_DYNAMIC)
			return "a dynamically linked image: the LWK image must be static";
		if (p->p_type != MK_PT_LOAD || p->p_memsz == 0)
			continue;
		if (p->p_filesz > p->p_memsz)
			return "a segment has more file bytes than memory bytes";
		if (p->p_offset > size || p->p_filesz > size - p->p_offset)
			return "truncated: a segment extends beyond the end of the file";
		if (p->p_vaddr < MK_LWK_KERNEL_BASE ||
		    p->p_memsz > ~0ULL - MK_IMAGE_ALIGN - p->p_vaddr)
			return "a segment lies outside the LWK's kernel address range";
		for (j = 0; j < i; j++) {
			const struct mk_elf64_phdr *q = &ph[j];

			if (q->p_type != MK_PT_LOAD || q->p_memsz == 0)
				continue;
			if (p->p_vaddr < q->p_vaddr + q->p_memsz &&
			    q->p_vaddr < p->p_vaddr + p->p_memsz)
				return "two segments overlap";
		}
		if ((p->p_flags & MK_PF_X) && eh->e_entry >= p->p_vaddr &&
		    eh->e_entry - p->p_vaddr < p->p_memsz)
			entry_ok = 1;
		if (p->p_vaddr < lo)
			lo = p->p_vaddr;
		if (p->p_vaddr + p->p_memsz > hi)
			hi = p->p_vaddr + p->p_memsz;
		out->nr_load++;
	}
	if (!out->nr_load)
		return "no loadable segment";
	if (!entry_ok)
		return "the entry point is not inside an executable segment";

	hdr = (const struct mk_image_header *)mk_image_bytes(img, size, lo, sizeof(*hdr));
	if (hdr && (unsigned long)hdr % 8)
		return "the mk image header is not 8-byte aligned in the file";
	if (!hdr || hdr->magic != MK_IMAGE_MAGIC)
		return "no mk image header at the start of the image (not an mk LWK image?)";
	if (hdr->version != MK_IMAGE_VERSION || hdr->size != sizeof(*hdr))
		return "an mk image header of another version: use the LWK built with this module";
	if (hdr->trampoline % 4096 || hdr->trampoline_size == 0 ||
	    hdr->trampoline_size > MK_TRAMP_MAX_SIZE ||
	    !mk_image_bytes(img, size, hdr->trampoline, hdr->trampoline_size))
		return "the image's trampoline is missing or malformed";

	out->entry = eh->e_entry;
	out->virt_start = lo & ~(MK_IMAGE_ALIGN - 1);
	out->virt_end = (hi + MK_IMAGE_ALIGN - 1) & ~(MK_IMAGE_ALIGN - 1);
	out->header_vaddr = lo;
	out->trampoline = hdr->trampoline;
	out->trampoline_size = hdr->trampoline_size;
	return 0;
}

#endif /* MK_LWK_IMAGE_H */
