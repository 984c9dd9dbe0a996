/* bbmcheck jailhouse-arm64: <asm/jailhouse_hypercall.h> — for assembly, the ABI
 * versions of Linux's EL2 hyp stub (legacy: x0 holds the vector base). */
#ifndef __BBM_JH_ASM_HYPERCALL_H
#define __BBM_JH_ASM_HYPERCALL_H
#define HYP_STUB_ABI_LEGACY	0
#define HYP_STUB_ABI_OPCODE	1
#endif
