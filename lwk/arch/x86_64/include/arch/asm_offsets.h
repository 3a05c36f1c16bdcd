/* Offsets of per-core fields the entry assembly reads (checked in percpu.hpp). */
#ifndef LWK_ASM_OFFSETS_H
#define LWK_ASM_OFFSETS_H

#define CPU_SELF 0
#define CPU_USER_RSP 8      /* scratch: the user stack pointer at SYSCALL */
#define CPU_KERNEL_RSP 16   /* top of the running thread's kernel stack */

#define FRAME_VECTOR_SYSCALL 0x100  /* InterruptFrame.vector of a system call */

/* InterruptFrame fields the SYSRET path reads (checked in interrupts.hpp). */
#define FRAME_R11 32
#define FRAME_RCX 96
#define FRAME_RIP 136
#define FRAME_RFLAGS 152
#define FRAME_RSP 160

#endif
