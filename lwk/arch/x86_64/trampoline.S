/*
 * The trampoline: mk.ko copies this page below 1 MiB, relocates and fills
 * its parameter block (offsets in <mk/boot.h>) and sends INIT-SIPI-SIPI.
 * The core starts here in real mode with CS = page >> 4, IP = 0, goes to
 * protected mode with a flat GDT, enables PAE and long mode with the boot
 * page tables (CR3 below 4 GiB), and jumps to the LWK's 64-bit entry with
 * %rdi = boot params, %esi = core index, %rsp = its boot stack.
 * Only page-relative offsets appear in the code; mk.ko adds the page's
 * physical address to the three relocated fields.
 */
#include <mk/boot.h>

	.section .trampoline, "a"
	.balign 4096
	.globl	mk_trampoline_start
	.globl	mk_trampoline_end

#define OFF(x) (x - mk_trampoline_start)

	.code16
mk_trampoline_start:
	jmp	real_mode

	.org	mk_trampoline_start + MK_TRAMP_MAGIC_OFF
	.long	MK_TRAMP_MAGIC
	.org	mk_trampoline_start + MK_TRAMP_CR3_OFF
	.long	0				/* cr3 (filled) */
	.org	mk_trampoline_start + MK_TRAMP_GDTR_OFF
	.word	gdt_end - gdt - 1
	.long	OFF(gdt)			/* relocated */
	.org	mk_trampoline_start + MK_TRAMP_JMP32_OFF
	.long	OFF(protected_mode)		/* relocated */
	.word	0x08
	.org	mk_trampoline_start + MK_TRAMP_JMP64_OFF
	.long	OFF(long_mode)			/* relocated */
	.word	0x18
	.org	mk_trampoline_start + MK_TRAMP_ENTRY_OFF
	.quad	0				/* entry (filled) */
	.org	mk_trampoline_start + MK_TRAMP_PARAMS_OFF
	.quad	0				/* boot params (filled) */
	.org	mk_trampoline_start + MK_TRAMP_STACK_OFF
	.quad	0				/* stack top (filled) */
	.org	mk_trampoline_start + MK_TRAMP_INDEX_OFF
	.long	0				/* core index (filled) */
	.long	0

	.org	mk_trampoline_start + MK_TRAMP_GDT_OFF
	.balign	8
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff		/* 0x08: 32-bit code, flat */
	.quad	0x00cf92000000ffff		/* 0x10: data, flat */
	.quad	0x00af9a000000ffff		/* 0x18: 64-bit code */
gdt_end:

real_mode:
	cli
	cld
	movw	%cs, %ax
	movw	%ax, %ds
	xorl	%ebx, %ebx
	movw	%cs, %bx
	shll	$4, %ebx			/* %ebx = the page's physical address */
	lgdtl	MK_TRAMP_GDTR_OFF
	movl	%cr0, %eax
	orl	$1, %eax			/* PE */
	movl	%eax, %cr0
	ljmpl	*MK_TRAMP_JMP32_OFF

	.code32
protected_mode:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%cr4, %eax
	orl	$(1 << 5), %eax			/* PAE */
	movl	%eax, %cr4
	movl	MK_TRAMP_CR3_OFF(%ebx), %eax
	movl	%eax, %cr3
	movl	$0xc0000080, %ecx		/* EFER */
	rdmsr
	orl	$(1 << 8), %eax			/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax		/* PG | PE */
	movl	%eax, %cr0
	ljmpl	*MK_TRAMP_JMP64_OFF(%ebx)

	.code64
long_mode:
	movl	%ebx, %ebx			/* clear the upper half */
	movq	MK_TRAMP_STACK_OFF(%rbx), %rsp
	movq	MK_TRAMP_PARAMS_OFF(%rbx), %rdi
	movl	MK_TRAMP_INDEX_OFF(%rbx), %esi
	movq	MK_TRAMP_ENTRY_OFF(%rbx), %rax
	jmpq	*%rax
mk_trampoline_end:
