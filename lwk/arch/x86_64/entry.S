/*
 * The image header (first bytes of the lowest segment, see <mk/boot.h>)
 * and the 64-bit entry every LWK core reaches from the trampoline with
 * %rdi = boot params (direct-map address), %esi = its index, %rsp = its
 * boot stack, interrupts off, on mk.ko's boot page tables.
 */
#include <mk/boot.h>

	.section .mk_header, "a"
	.globl	mk_image_header
mk_image_header:
	.quad	0x474d494b574c4b4d		/* MK_IMAGE_MAGIC */
	.long	1				/* MK_IMAGE_VERSION */
	.long	32				/* sizeof(struct mk_image_header) */
	.quad	mk_trampoline_start
	.long	__mk_trampoline_size		/* from the linker script */
	.long	0

	.section .text.entry, "ax"
	.globl	_start
	.type	_start, @function
_start:
	cli
	cld
	xorl	%ebp, %ebp			/* ends backtraces */
	andq	$-16, %rsp
	call	lwk_entry
1:	hlt
	jmp	1b
	.size	_start, . - _start
