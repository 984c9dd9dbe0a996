/* bbmcheck xen-arm64: <asm/processor.h> — processor mode, MPIDR, SCTLR_EL2 and
 * TCR_EL2 bits Xen's boot code uses.  Written for bbmcheck from the Arm ARM
 * register descriptions and Xen's documented initial values. */
#ifndef __BBM_XEN_ASM_PROCESSOR_H
#define __BBM_XEN_ASM_PROCESSOR_H

#include <xen/const.h>

/* CurrentEL/SPSR mode values: EL2 with SP_EL0 (EL2t) or SP_EL2 (EL2h) */
#define PSR_MODE_EL0t		0x00
#define PSR_MODE_EL1t		0x04
#define PSR_MODE_EL1h		0x05
#define PSR_MODE_EL2t		0x08
#define PSR_MODE_EL2h		0x09
#define PSR_MODE_EL3t		0x0c
#define PSR_MODE_EL3h		0x0d

/* MPIDR_EL1: the U (uniprocessor) bit, and the affinity fields Aff3..Aff0 */
#define _MPIDR_UP		30
#define MPIDR_UP		(1 << _MPIDR_UP)
#define MPIDR_HWID_MASK		0xff00ffffff

/* SCTLR_ELx bits */
#define SCTLR_Axx_ELx_M		BIT(0, UL)	/* MMU enable */
#define SCTLR_Axx_ELx_A		BIT(1, UL)	/* alignment check */
#define SCTLR_Axx_ELx_C		BIT(2, UL)	/* data cacheability */
#define SCTLR_A64_ELx_SA	BIT(3, UL)	/* SP alignment check */
#define SCTLR_Axx_ELx_I		BIT(12, UL)	/* instruction cacheability */
#define SCTLR_Axx_ELx_WXN	BIT(19, UL)	/* write implies execute-never */
#define SCTLR_Axx_ELx_EE	BIT(25, UL)	/* big-endian data */
/* the older names (Xen <= 4.15) */
#define SCTLR_M			SCTLR_Axx_ELx_M
#define SCTLR_A			SCTLR_Axx_ELx_A
#define SCTLR_C			SCTLR_Axx_ELx_C
#define SCTLR_I			SCTLR_Axx_ELx_I
#define SCTLR_WXN		SCTLR_Axx_ELx_WXN
#define SCTLR_EE		SCTLR_Axx_ELx_EE

/* SCTLR_EL2 bits that are RES1 when HCR_EL2.E2H is 0: 4, 5, 11, 16, 18, 22, 23,
 * 28, 29 */
#define SCTLR_EL2_RES1		(BIT(4, UL) | BIT(5, UL) | BIT(11, UL) | BIT(16, UL) | \
				 BIT(18, UL) | BIT(22, UL) | BIT(23, UL) | BIT(28, UL) | \
				 BIT(29, UL))
/* Xen's initial SCTLR_EL2 (4.16+): RES1, SP alignment checks and the I-cache on;
 * MMU, D-cache, WXN and alignment checks off, little-endian */
#define SCTLR_EL2_SET		(SCTLR_EL2_RES1 | SCTLR_A64_ELx_SA | SCTLR_Axx_ELx_I)
/* Xen's initial SCTLR_EL2 before 4.16: the same, plus bit 6 (RES1 in the AArch32
 * HSCTLR layout the constant was first written for) = 0x30c51878 */
#define HSCTLR_BASE		(SCTLR_EL2_RES1 | SCTLR_A64_ELx_SA | SCTLR_Axx_ELx_I | BIT(6, UL))

/* TCR_EL2 fields */
#define TCR_T0SZ_SHIFT		0
#define TCR_T0SZ(x)		((x) << TCR_T0SZ_SHIFT)
#define TCR_IRGN0_SHIFT		8
#define TCR_IRGN0_NC		(0x0 << TCR_IRGN0_SHIFT)
#define TCR_IRGN0_WBWA		(0x1 << TCR_IRGN0_SHIFT)
#define TCR_IRGN0_WT		(0x2 << TCR_IRGN0_SHIFT)
#define TCR_IRGN0_WB		(0x3 << TCR_IRGN0_SHIFT)
#define TCR_ORGN0_SHIFT		10
#define TCR_ORGN0_NC		(0x0 << TCR_ORGN0_SHIFT)
#define TCR_ORGN0_WBWA		(0x1 << TCR_ORGN0_SHIFT)
#define TCR_ORGN0_WT		(0x2 << TCR_ORGN0_SHIFT)
#define TCR_ORGN0_WB		(0x3 << TCR_ORGN0_SHIFT)
#define TCR_SH0_SHIFT		12
#define TCR_SH0_NS		(0x0 << TCR_SH0_SHIFT)
#define TCR_SH0_OS		(0x2 << TCR_SH0_SHIFT)
#define TCR_SH0_IS		(0x3 << TCR_SH0_SHIFT)
#define TCR_TG0_SHIFT		14
#define TCR_TG0_4K		(0x0 << TCR_TG0_SHIFT)
#define TCR_PS_SHIFT		16
#define TCR_PS(x)		((x) << TCR_PS_SHIFT)
/* TCR_EL2 (E2H = 0) bits 31 and 23 are RES1 */
#define TCR_RES1		((1 << 31) | (1 << 23))

#endif
