/*
 * SYSCALL entry. The CPU left the user RIP in %rcx and RFLAGS in %r11 and
 * masked IF (SFMASK): the kernel runs with interrupts off. We switch to the
 * thread's kernel stack and build the same struct InterruptFrame an
 * interrupt from user mode would (vector FRAME_VECTOR_SYSCALL), so system
 * calls, interrupts and signal delivery share one frame layout, then call
 * syscall_dispatch(frame).
 *
 * The way back is SYSRET when the frame allows it -- RCX and R11 still the
 * return RIP and RFLAGS (a signal frame or rt_sigreturn changes them), no
 * TF or RF to restore, and a RIP below the top user page (SYSRET to a
 * non-canonical RIP faults in ring 0 on Intel CPUs) -- and the common
 * iretq path otherwise.
 */
#include <arch/asm_offsets.h>
#include <arch/frame_macros.h>

	.section .text
	.globl	syscall_entry
	.type	syscall_entry, @function
syscall_entry:
	swapgs
	movq	%rsp, %gs:CPU_USER_RSP
	movq	%gs:CPU_KERNEL_RSP, %rsp
	pushq	$0x1b			/* user SS */
	pushq	%gs:CPU_USER_RSP	/* user RSP */
	pushq	%r11			/* RFLAGS */
	pushq	$0x23			/* user CS */
	pushq	%rcx			/* RIP */
	pushq	$0			/* error code */
	pushq	$FRAME_VECTOR_SYSCALL
	SAVE_REGS
	cld
	xorl	%ebp, %ebp		/* end kernel backtraces here */
	movq	%rsp, %rdi
	call	syscall_dispatch
	movq	FRAME_RCX(%rsp), %rcx
	cmpq	%rcx, FRAME_RIP(%rsp)
	jne	isr_return
	movq	FRAME_R11(%rsp), %r11
	cmpq	%r11, FRAME_RFLAGS(%rsp)
	jne	isr_return
	testq	$0x10100, %r11		/* RF | TF */
	jnz	isr_return
	movq	$0x00007ffffffff000, %rax
	cmpq	%rax, %rcx
	jae	isr_return
	RESTORE_REGS			/* RCX = RIP, R11 = RFLAGS, as checked */
	/* vector, error code, RIP, CS, RFLAGS, then the user RSP */
	movq	FRAME_RSP - FRAME_RIP + 16(%rsp), %rsp
	swapgs
	sysretq
	.size	syscall_entry, . - syscall_entry

/*
 * switch_context(uint64_t *save_rsp, uint64_t next_rsp): saves the
 * callee-saved registers and the stack pointer of the running context and
 * continues the one whose stack pointer is next_rsp.
 */
	.globl	switch_context
	.type	switch_context, @function
switch_context:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size	switch_context, . - switch_context

/*
 * A new thread's first switch lands here with its InterruptFrame above: go
 * to user mode through the interrupt return path.
 */
	.globl	thread_first_entry
	.type	thread_first_entry, @function
thread_first_entry:
	call	thread_first_check	/* a thread killed before it ran ends here */
	jmp	isr_return
	.size	thread_first_entry, . - thread_first_entry
