/* The vDSO's bytes (vdso.so, built first), inside the LWK image. */
	.section .rodata.vdso, "a"
	.balign 4096
	.globl vdso_image_start, vdso_image_end
vdso_image_start:
	.incbin "vdso.so"
vdso_image_end:
	.section .note.GNU-stack, "", @progbits
