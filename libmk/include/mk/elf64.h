/* SPDX-License-Identifier: MIT */
/*
 * The parts of the ELF64 format mk reads (System V gABI, x86-64 psABI),
 * defined once so that the module, the LWK and user space see the same
 * layout without depending on their environments' <elf.h>.
 */
#ifndef MK_ELF64_H
#define MK_ELF64_H

#include "types.h"

#define MK_EI_NIDENT 16
#define MK_ELFCLASS64 2
#define MK_ELFDATA2LSB 1
#define MK_EV_CURRENT 1
#define MK_ET_EXEC 2
#define MK_ET_DYN 3
#define MK_EM_X86_64 62

#define MK_PT_NULL 0
#define MK_PT_LOAD 1
#define MK_PT_DYNAMIC 2
#define MK_PT_INTERP 3
#define MK_PT_NOTE 4
#define MK_PT_PHDR 6
#define MK_PT_TLS 7
#define MK_PT_GNU_STACK 0x6474e551

#define MK_PF_X 1
#define MK_PF_W 2
#define MK_PF_R 4

struct mk_elf64_ehdr {
	__u8 e_ident[MK_EI_NIDENT];
	__u16 e_type;
	__u16 e_machine;
	__u32 e_version;
	__u64 e_entry;
	__u64 e_phoff;
	__u64 e_shoff;
	__u32 e_flags;
	__u16 e_ehsize;
	__u16 e_phentsize;
	__u16 e_phnum;
	__u16 e_shentsize;
	__u16 e_shnum;
	__u16 e_shstrndx;
};
MK_STATIC_ASSERT(sizeof(struct mk_elf64_ehdr) == 64, "ELF64 header layout");

struct mk_elf64_phdr {
	__u32 p_type;
	__u32 p_flags;
	__u64 p_offset;
	__u64 p_vaddr;
	__u64 p_paddr;
	__u64 p_filesz;
	__u64 p_memsz;
	__u64 p_align;
};
MK_STATIC_ASSERT(sizeof(struct mk_elf64_phdr) == 56, "ELF64 program header layout");

#endif /* MK_ELF64_H */
