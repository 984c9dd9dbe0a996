/* bbmcheck tf-a-aarch64: <arch.h> — the AArch64 system-register fields TF-A's MMU,
 * TLB and cache code uses, written for bbmcheck from the Arm ARM register
 * descriptions. */
#ifndef __BBM_TFA_ARCH_H
#define __BBM_TFA_ARCH_H

#include <lib/utils_def.h>

/* CurrentEL.EL is bits 3:2 */
#define MODE_EL_SHIFT		U(0x2)
#define MODE_EL_MASK		U(0x3)
#define MODE_EL3		U(0x3)
#define MODE_EL2		U(0x2)
#define MODE_EL1		U(0x1)
#define MODE_EL0		U(0x0)

/* SCTLR_ELx */
#define SCTLR_M_BIT		(ULL(1) << 0)	/* stage 1 MMU enable */
#define SCTLR_A_BIT		(ULL(1) << 1)	/* alignment check */
#define SCTLR_C_BIT		(ULL(1) << 2)	/* data cacheability */
#define SCTLR_SA_BIT		(ULL(1) << 3)	/* SP alignment check */
#define SCTLR_I_BIT		(ULL(1) << 12)	/* instruction cacheability */
#define SCTLR_WXN_BIT		(ULL(1) << 19)	/* write implies execute-never */
#define SCTLR_EE_BIT		(ULL(1) << 25)	/* big-endian data */

/* TLBI by VA: the operand holds VA[55:12] */
#define TLBI_ADDR_SHIFT		U(12)

/* DAIF bits for msr daifset/daifclr */
#define DAIF_FIQ_BIT		(U(1) << 0)
#define DAIF_IRQ_BIT		(U(1) << 1)
#define DAIF_ABT_BIT		(U(1) << 2)
#define DAIF_DBG_BIT		(U(1) << 3)

/* CTR_EL0: DminLine (bits 19:16) and IminLine (bits 3:0), log2 of words */
#define CTR_DMINLINE_SHIFT	U(16)
#define CTR_IMINLINE_SHIFT	U(0)
#define CTR_DMINLINE_WIDTH	U(4)
#define CTR_IMINLINE_WIDTH	U(4)
#define CTR_IMINLINE_MASK	U(0xf)

#endif
