/*
 * Saving and restoring the general registers as the first fifteen fields of
 * struct InterruptFrame (r15 at the lowest address), for the entry
 * assembly: interrupts and exceptions (isr.S) and system calls
 * (syscall_entry.S). Assembly only.
 */
#ifndef LWK_FRAME_MACROS_H
#define LWK_FRAME_MACROS_H

	.macro	SAVE_REGS
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	.endm

	.macro	RESTORE_REGS
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	.endm

#endif
