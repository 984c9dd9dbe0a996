/* bbmcheck: <asm/ptrace.h> — PSTATE/SPSR bits and the reset PSTATE values.
 * M[3:0]: EL0t 0x0, EL1t 0x4, EL1h 0x5, EL2t 0x8, EL2h 0x9, EL3h 0xd; F 6, I 7,
 * A 8, D 9.  CurrentEL holds the exception level in bits 3:2. */
#ifndef __BBM_ASM_PTRACE_H
#define __BBM_ASM_PTRACE_H
#include <linux/const.h>

#define PSR_MODE_EL0t		0x00000000
#define PSR_MODE_EL1t		0x00000004
#define PSR_MODE_EL1h		0x00000005
#define PSR_MODE_EL2t		0x00000008
#define PSR_MODE_EL2h		0x00000009
#define PSR_MODE_EL3t		0x0000000c
#define PSR_MODE_EL3h		0x0000000d
#define PSR_MODE_MASK		0x0000000f
#define PSR_MODE32_BIT		0x00000010
#define PSR_F_BIT		0x00000040
#define PSR_I_BIT		0x00000080
#define PSR_A_BIT		0x00000100
#define PSR_D_BIT		0x00000200
#define PSR_BTYPE_MASK		0x00000c00
#define PSR_SSBS_BIT		0x00001000
#define PSR_PAN_BIT		0x00400000
#define PSR_UAO_BIT		0x00800000
#define PSR_DIT_BIT		0x01000000
#define PSR_TCO_BIT		0x02000000
#define PSR_V_BIT		0x10000000
#define PSR_C_BIT		0x20000000
#define PSR_Z_BIT		0x40000000
#define PSR_N_BIT		0x80000000

/* all exceptions masked, on the EL1/EL2 stack */
#define INIT_PSTATE_EL1 \
	(PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT | PSR_MODE_EL1h)
#define INIT_PSTATE_EL2 \
	(PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT | PSR_MODE_EL2h)

#define CurrentEL_EL1		(1 << 2)
#define CurrentEL_EL2		(2 << 2)

#define GIC_PRIO_IRQON		0xe0
#define GIC_PRIO_IRQOFF		(GIC_PRIO_IRQON & ~0x80)
#define GIC_PRIO_PSR_I_SET	0x10
#endif
