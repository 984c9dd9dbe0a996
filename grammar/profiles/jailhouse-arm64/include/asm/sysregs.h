/* bbmcheck jailhouse-arm64: <asm/sysregs.h> — SCTLR_EL2 and ESR_EL2 fields. */
#ifndef __BBM_JH_ASM_SYSREGS_H
#define __BBM_JH_ASM_SYSREGS_H

#define SCTLR_M_BIT		(1 << 0)
#define SCTLR_A_BIT		(1 << 1)
#define SCTLR_C_BIT		(1 << 2)
#define SCTLR_SA_BIT		(1 << 3)
#define SCTLR_I_BIT		(1 << 12)
#define SCTLR_WXN_BIT		(1 << 19)
#define SCTLR_EE_BIT		(1 << 25)
/* SCTLR_EL2 RES1 bits (E2H = 0): 4, 5, 11, 16, 18, 22, 23, 28, 29 */
#define SCTLR_EL2_RES1		((3 << 4) | (1 << 11) | (1 << 16) | (1 << 18) | \
				 (3 << 22) | (3 << 28))

/* ESR_ELx: exception class in bits 31:26 */
#define ESR_EC_SHIFT		26
#define ESR_EC_HVC64		0x16
#define ESR_EC_SMC64		0x17

#endif
