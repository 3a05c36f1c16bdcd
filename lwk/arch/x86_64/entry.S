/*
 * 64-bit entry of the LWK. The boot trampoline arrives here in long mode with
 * paging on, interrupts off, and the boot-parameter block's address in %rdi.
 */
	.section .text.entry, "ax"
	.globl _start
	.type _start, @function
_start:
	cli
	cld
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	call lwk_main
1:	hlt
	jmp 1b
	.size _start, . - _start

	.section .bss
	.balign 16
boot_stack:
	.skip 16384
boot_stack_top:
