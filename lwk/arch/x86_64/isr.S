/*
 * Interrupt and exception entry stubs. Each pushes a dummy error code when
 * the CPU does not push one, then its vector, and jumps to the common path,
 * which saves the registers as struct InterruptFrame and calls
 * interrupt_dispatch(frame). The stubs' addresses are in isr_table.
 *
 * Which GS base is loaded follows from the interrupted CS, except for the
 * vectors that can interrupt the entry and exit paths themselves: an NMI, a
 * machine check or a double fault may arrive between SYSCALL and its
 * swapgs, or between the swapgs and the SYSRET or IRETQ of a way back, in
 * kernel code but with the user's GS base. Those (on their own IST stacks)
 * take the paranoid path: it reads the GS base itself (the kernel's is a
 * kernel-half address; a program's never is, as the LWK neither lets a
 * program set it nor enables WRGSBASE) and swaps on the way in and back
 * only if it had to.
 */
#include <arch/frame_macros.h>

	.section .text

/* Vectors whose exceptions push an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
/* NMI, double fault, machine check: the paranoid path. */
#define PARANOID(v) ((v) == 2 || (v) == 8 || (v) == 18)
#define MSR_GS_BASE 0xc0000101

	.macro stub v
	.balign 16
isr_\v:
	.if !HAS_ERROR(\v)
	pushq	$0
	.endif
	pushq	$\v
	.if PARANOID(\v)
	jmp	isr_paranoid
	.else
	jmp	isr_common
	.endif
	.endm

	.altmacro
	.macro stubs from, to
	stub \from
	.if \to-\from
	stubs %(\from+1), \to
	.endif
	.endm

	stubs 0, 63
	stubs 64, 127
	stubs 128, 191
	stubs 192, 255

	.balign 16
isr_common:
	/* Entered from user mode: switch to the kernel's GS. */
	testb	$3, 24(%rsp)		/* CS of the interrupted context */
	jz	1f
	swapgs
1:	SAVE_REGS
	cld
	movq	%rsp, %rdi
	/* Keep the stack 16-byte aligned for the C++ handler. */
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	interrupt_dispatch
	movq	%rbx, %rsp
	.globl	isr_return
isr_return:
	RESTORE_REGS
	addq	$16, %rsp		/* vector and error code */
	testb	$3, 8(%rsp)
	jz	2f
	swapgs
2:	iretq

	.balign 16
isr_paranoid:
	SAVE_REGS
	cld
	movl	$MSR_GS_BASE, %ecx
	rdmsr
	xorl	%r12d, %r12d		/* kept by the handler: 1 if we swapped */
	testl	%edx, %edx
	js	1f			/* a kernel address: the kernel's GS already */
	swapgs
	movl	$1, %r12d
1:	movq	%rsp, %rdi
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	interrupt_dispatch
	movq	%rbx, %rsp
	testl	%r12d, %r12d
	jz	2f
	swapgs
2:	RESTORE_REGS
	addq	$16, %rsp		/* vector and error code */
	iretq

	.section .rodata
	.balign 8
	.globl	isr_table
isr_table:
	.macro entry v
	.quad	isr_\v
	.endm
	.macro entries from, to
	entry \from
	.if \to-\from
	entries %(\from+1), \to
	.endif
	.endm
	entries 0, 63
	entries 64, 127
	entries 128, 191
	entries 192, 255
