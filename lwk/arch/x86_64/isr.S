/*
 * Interrupt and exception entry stubs. Each pushes a dummy error code when
 * the CPU does not push one, then its vector, and jumps to the common path,
 * which saves the registers as struct InterruptFrame and calls
 * interrupt_dispatch(frame). The stubs' addresses are in isr_table.
 */
	.section .text

/* Vectors whose exceptions push an error code. */
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

	.macro stub v
	.balign 16
isr_\v:
	.if !HAS_ERROR(\v)
	pushq	$0
	.endif
	pushq	$\v
	jmp	isr_common
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
1:	pushq	%rax
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
	cld
	movq	%rsp, %rdi
	/* Keep the stack 16-byte aligned for the C++ handler. */
	movq	%rsp, %rbx
	andq	$-16, %rsp
	call	interrupt_dispatch
	movq	%rbx, %rsp
	.globl	isr_return
isr_return:
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
	addq	$16, %rsp		/* vector and error code */
	testb	$3, 8(%rsp)
	jz	2f
	swapgs
2:	iretq

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
