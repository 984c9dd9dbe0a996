/* bbmcheck: <asm/sysreg.h> — system register encodings, fields and reset values
 * (Arm ARM D19, "AArch64 System Register Descriptions").
 *
 * sys_reg(op0, op1, CRn, CRm, op2) names a register by its encoding.  Here it
 * expands to gas's generic register name S<op0>_<op1>_C<CRn>_C<CRm>_<op2>, and
 * msr_s/mrs_s expand to plain "msr"/"mrs" with that name.  The kernel instead
 * builds the 32-bit word and emits it with .inst; both give the same encoding,
 * ours stays readable as an msr/mrs in listings.
 * (So SYS_* values are register names here, not numbers.)
 *
 * REG_<name> is the same generic name, for "msr REG_X, xN" written directly. */
#ifndef __BBM_ASM_SYSREG_H
#define __BBM_ASM_SYSREG_H

#include <linux/bits.h>
#include <linux/const.h>

#define sys_reg(op0, op1, crn, crm, op2)	S##op0##_##op1##_C##crn##_C##crm##_##op2

#ifndef __BBM_USER_MACRO_msr_s
	.macro	msr_s, sreg, rt
	msr	\sreg, \rt
	.endm
#endif
#ifndef __BBM_USER_MACRO_mrs_s
	.macro	mrs_s, rt, sreg
	mrs	\rt, \sreg
	.endm
#endif

/*
 * HCR_EL2 write.  AmpereOne erratum AC04_CPU_23: a write to HCR_EL2 may not take
 * effect unless it is preceded by "dsb nsh" and followed by "isb".
 */
#ifndef __BBM_USER_MACRO_msr_hcr_el2
	.macro	msr_hcr_el2, reg
#if IS_ENABLED(CONFIG_AMPERE_ERRATUM_AC04_CPU_23)
	dsb	nsh
	msr	hcr_el2, \reg
	isb
#else
	msr	hcr_el2, \reg
#endif
	.endm
#endif

/* ---- registers named by encoding (the assembler may not know their names) ---- */
#define SYS_ID_AA64ISAR2_EL1		sys_reg(3, 0, 0, 6, 2)
#define SYS_ID_AA64MMFR2_EL1		sys_reg(3, 0, 0, 7, 2)
#define SYS_ID_AA64MMFR3_EL1		sys_reg(3, 0, 0, 7, 3)
#define SYS_ID_AA64MMFR4_EL1		sys_reg(3, 0, 0, 7, 4)
#define SYS_ID_AA64PFR1_EL1		sys_reg(3, 0, 0, 4, 1)
#define SYS_ID_AA64ZFR0_EL1		sys_reg(3, 0, 0, 4, 4)
#define SYS_ID_AA64SMFR0_EL1		sys_reg(3, 0, 0, 4, 5)
#define SYS_RGSR_EL1			sys_reg(3, 0, 1, 0, 5)
#define SYS_GCR_EL1			sys_reg(3, 0, 1, 0, 6)
#define SYS_ZCR_EL1			sys_reg(3, 0, 1, 2, 0)
#define SYS_TCR2_EL1			sys_reg(3, 0, 2, 0, 3)
#define SYS_APIAKEYLO_EL1		sys_reg(3, 0, 2, 1, 0)
#define SYS_APIAKEYHI_EL1		sys_reg(3, 0, 2, 1, 1)
#define SYS_APIBKEYLO_EL1		sys_reg(3, 0, 2, 1, 2)
#define SYS_APIBKEYHI_EL1		sys_reg(3, 0, 2, 1, 3)
#define SYS_APDAKEYLO_EL1		sys_reg(3, 0, 2, 2, 0)
#define SYS_APDAKEYHI_EL1		sys_reg(3, 0, 2, 2, 1)
#define SYS_APDBKEYLO_EL1		sys_reg(3, 0, 2, 2, 2)
#define SYS_APDBKEYHI_EL1		sys_reg(3, 0, 2, 2, 3)
#define SYS_APGAKEYLO_EL1		sys_reg(3, 0, 2, 3, 0)
#define SYS_APGAKEYHI_EL1		sys_reg(3, 0, 2, 3, 1)
#define SYS_TFSR_EL1			sys_reg(3, 0, 5, 6, 0)
#define SYS_TFSRE0_EL1			sys_reg(3, 0, 5, 6, 1)
#define SYS_PIRE0_EL1			sys_reg(3, 0, 10, 2, 2)
#define SYS_PIR_EL1			sys_reg(3, 0, 10, 2, 3)
#define SYS_DISR_EL1			sys_reg(3, 0, 12, 1, 1)
#define SYS_ICC_SRE_EL1			sys_reg(3, 0, 12, 12, 5)
#define SYS_AMUSERENR_EL0		sys_reg(3, 3, 13, 2, 3)
#define SYS_ZCR_EL2			sys_reg(3, 4, 1, 2, 0)
#define SYS_HCRX_EL2			sys_reg(3, 4, 1, 2, 2)
#define SYS_HFGRTR_EL2			sys_reg(3, 4, 1, 1, 4)
#define SYS_HFGWTR_EL2			sys_reg(3, 4, 1, 1, 5)
#define SYS_HFGITR_EL2			sys_reg(3, 4, 1, 1, 6)
#define SYS_ICH_HCR_EL2			sys_reg(3, 4, 12, 11, 0)
#define SYS_ICC_SRE_EL2			sys_reg(3, 4, 12, 9, 5)
#define SYS_SCTLR_EL12			sys_reg(3, 5, 1, 0, 0)
#define SYS_TCR_EL12			sys_reg(3, 5, 2, 0, 2)
#define SYS_TTBR0_EL12			sys_reg(3, 5, 2, 0, 0)
#define SYS_TTBR1_EL12			sys_reg(3, 5, 2, 0, 1)
#define SYS_MAIR_EL12			sys_reg(3, 5, 10, 2, 0)
#define SYS_VBAR_EL12			sys_reg(3, 5, 12, 0, 0)

#define REG_TCR2_EL1			sys_reg(3, 0, 2, 0, 3)
#define REG_PIRE0_EL1			sys_reg(3, 0, 10, 2, 2)
#define REG_PIR_EL1			sys_reg(3, 0, 10, 2, 3)
#define REG_ID_AA64MMFR3_EL1		sys_reg(3, 0, 0, 7, 3)
#define REG_HCRX_EL2			sys_reg(3, 4, 1, 2, 2)

/* SB (speculation barrier), for assemblers without FEAT_SB */
#define SB_BARRIER_INSN			.inst 0xd50330ff

/* ---- SCTLR_ELx ---- */
#define SCTLR_ELx_M			(BIT(0))	/* stage-1 MMU enable */
#define SCTLR_ELx_A			(BIT(1))
#define SCTLR_ELx_C			(BIT(2))
#define SCTLR_ELx_SA			(BIT(3))
#define SCTLR_ELx_EOS			(BIT(11))
#define SCTLR_ELx_I			(BIT(12))
#define SCTLR_ELx_ENDB			(BIT(13))
#define SCTLR_ELx_WXN			(BIT(19))
#define SCTLR_ELx_IESB			(BIT(21))
#define SCTLR_ELx_EE			(BIT(25))
#define SCTLR_ELx_ENDA			(BIT(27))
#define SCTLR_ELx_ENIB			(BIT(30))
#define SCTLR_ELx_ENIA_SHIFT		31
#define SCTLR_ELx_ENIA			(BIT(SCTLR_ELx_ENIA_SHIFT))
#define SCTLR_ELx_BT			(BIT(36))
#define SCTLR_ELx_ITFSB			(BIT(37))
#define SCTLR_ELx_TCF_SHIFT		40
#define SCTLR_ELx_ATA			(BIT(43))
#define SCTLR_ELx_DSSBS			(BIT(44))
#define SCTLR_ELx_CACHES		(SCTLR_ELx_I | SCTLR_ELx_C)

#define SCTLR_EL2_BT			(BIT(36))
#define SCTLR_EL2_RES1			(BIT(4) | BIT(5) | BIT(11) | BIT(16) | BIT(18) | \
					 BIT(22) | BIT(23) | BIT(28) | BIT(29))
#define ENDIAN_SET_EL2			0	/* little endian */

#define SCTLR_EL1_SA0			(BIT(4))
#define SCTLR_EL1_CP15BEN		(BIT(5))
#define SCTLR_EL1_nAA			(BIT(6))
#define SCTLR_EL1_SED			(BIT(8))
#define SCTLR_EL1_UMA			(BIT(9))
#define SCTLR_EL1_EnRCTX		(BIT(10))
#define SCTLR_EL1_EOS			(BIT(11))
#define SCTLR_EL1_DZE			(BIT(14))
#define SCTLR_EL1_UCT			(BIT(15))
#define SCTLR_EL1_NTWI			(BIT(16))
#define SCTLR_EL1_NTWE			(BIT(18))
#define SCTLR_EL1_TSCXT			(BIT(20))
#define SCTLR_EL1_EIS			(BIT(22))
#define SCTLR_EL1_SPAN			(BIT(23))
#define SCTLR_EL1_E0E			(BIT(24))
#define SCTLR_EL1_UCI			(BIT(26))
#define SCTLR_EL1_nTLSMD		(BIT(28))
#define SCTLR_EL1_LSMAOE		(BIT(29))
#define SCTLR_EL1_BT0			(BIT(35))
#define SCTLR_EL1_BT1			(BIT(36))
#define SCTLR_EL1_TCF0_SHIFT		38
#define SCTLR_EL1_ATA0			(BIT(42))
#define SCTLR_EL1_EPAN			(BIT(57))
#define ENDIAN_SET_EL1			0	/* little endian */

/* MMU off: only the bits that must be set before the MMU is turned on */
#define INIT_SCTLR_EL1_MMU_OFF \
	(ENDIAN_SET_EL1 | SCTLR_EL1_LSMAOE | SCTLR_EL1_nTLSMD | SCTLR_EL1_EIS | \
	 SCTLR_EL1_TSCXT | SCTLR_EL1_EOS)
/* MMU on: M, caches, alignment checks on SP, EL0 cache/WFE controls, PAN, IESB */
#define INIT_SCTLR_EL1_MMU_ON \
	(SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_SA | SCTLR_EL1_SA0 | SCTLR_EL1_SED | \
	 SCTLR_ELx_I | SCTLR_EL1_DZE | SCTLR_EL1_UCT | SCTLR_EL1_NTWE | \
	 SCTLR_ELx_IESB | SCTLR_EL1_SPAN | SCTLR_ELx_ITFSB | ENDIAN_SET_EL1 | \
	 SCTLR_EL1_UCI | SCTLR_EL1_EPAN | SCTLR_EL1_LSMAOE | SCTLR_EL1_nTLSMD | \
	 SCTLR_EL1_EIS | SCTLR_EL1_TSCXT | SCTLR_EL1_EOS)
#define INIT_SCTLR_EL2_MMU_ON \
	(SCTLR_ELx_M | SCTLR_ELx_C | SCTLR_ELx_SA | SCTLR_ELx_I | SCTLR_ELx_IESB | \
	 SCTLR_ELx_WXN | ENDIAN_SET_EL2 | SCTLR_ELx_ITFSB | SCTLR_EL2_RES1)
#define INIT_SCTLR_EL2_MMU_OFF		(SCTLR_EL2_RES1 | ENDIAN_SET_EL2)

/* ---- MAIR_ELx attribute encodings ---- */
#define MAIR_ATTR_DEVICE_nGnRnE		UL(0x00)
#define MAIR_ATTR_DEVICE_nGnRE		UL(0x04)
#define MAIR_ATTR_NORMAL_NC		UL(0x44)
#define MAIR_ATTR_NORMAL_TAGGED		UL(0xf0)
#define MAIR_ATTR_NORMAL		UL(0xff)
#define MAIR_ATTR_MASK			UL(0xff)
#define MAIR_ATTRIDX(attr, idx)		((attr) << ((idx) * 8))

/* ---- ID register fields (old names, then the v6.x generated names) ---- */
#define ID_AA64MMFR0_PARANGE_SHIFT	0
#define ID_AA64MMFR0_PARANGE_48		0x5
#define ID_AA64MMFR0_PARANGE_52		0x6
#define ID_AA64MMFR0_PARANGE_MAX	ID_AA64MMFR0_PARANGE_48
#define ID_AA64MMFR0_TGRAN4_SHIFT	28
#define ID_AA64MMFR0_TGRAN4_SUPPORTED_MIN 0x0
#define ID_AA64MMFR0_TGRAN4_SUPPORTED_MAX 0x7
#define ID_AA64MMFR0_TGRAN_SHIFT	ID_AA64MMFR0_TGRAN4_SHIFT
#define ID_AA64MMFR0_TGRAN_SUPPORTED_MIN ID_AA64MMFR0_TGRAN4_SUPPORTED_MIN
#define ID_AA64MMFR0_TGRAN_SUPPORTED_MAX ID_AA64MMFR0_TGRAN4_SUPPORTED_MAX
#define ID_AA64MMFR0_EL1_PARANGE_SHIFT	ID_AA64MMFR0_PARANGE_SHIFT
#define ID_AA64MMFR0_EL1_PARANGE_48	ID_AA64MMFR0_PARANGE_48
#define ID_AA64MMFR0_EL1_PARANGE_MAX	ID_AA64MMFR0_PARANGE_MAX
#define ID_AA64MMFR0_EL1_TGRAN4_SHIFT	ID_AA64MMFR0_TGRAN4_SHIFT
#define ID_AA64MMFR0_EL1_TGRAN_SHIFT	ID_AA64MMFR0_TGRAN_SHIFT
#define ID_AA64MMFR0_EL1_TGRAN_SUPPORTED_MIN ID_AA64MMFR0_TGRAN_SUPPORTED_MIN
#define ID_AA64MMFR0_EL1_TGRAN_SUPPORTED_MAX ID_AA64MMFR0_TGRAN_SUPPORTED_MAX

#define ID_AA64MMFR1_HADBS_SHIFT	0
#define ID_AA64MMFR1_VHE_SHIFT		8
#define ID_AA64MMFR1_EL1_HAFDBS_SHIFT	0
#define ID_AA64MMFR1_EL1_HAFDBS_MASK	GENMASK(3, 0)
#define ID_AA64MMFR1_EL1_HAFDBS_AF	UL(0b0001)
#define ID_AA64MMFR1_EL1_HAFDBS_DBM	UL(0b0010)
#define ID_AA64MMFR1_EL1_HAFDBS_HAFT	UL(0b0011)
#define ID_AA64MMFR1_EL1_VH_SHIFT	8
#define ID_AA64MMFR1_EL1_HCX_SHIFT	40

#define ID_AA64MMFR2_LVA_SHIFT		16
#define ID_AA64MMFR2_EL1_VARange_SHIFT	16

#define ID_AA64MMFR3_EL1_TCRX_SHIFT	0
#define ID_AA64MMFR3_EL1_S1PIE_SHIFT	8

#define ID_AA64MMFR4_EL1_E2H0_SHIFT	24
#define ID_AA64MMFR4_EL1_E2H0_WIDTH	4

#define ID_AA64PFR0_EL2_SHIFT		8
#define ID_AA64PFR0_GIC_SHIFT		24
#define ID_AA64PFR0_SVE_SHIFT		32
#define ID_AA64PFR0_AMU_SHIFT		44
#define ID_AA64PFR0_EL1_EL2_SHIFT	ID_AA64PFR0_EL2_SHIFT
#define ID_AA64PFR0_EL1_GIC_SHIFT	ID_AA64PFR0_GIC_SHIFT
#define ID_AA64PFR0_EL1_SVE_SHIFT	ID_AA64PFR0_SVE_SHIFT
#define ID_AA64PFR0_EL1_AMU_SHIFT	ID_AA64PFR0_AMU_SHIFT

#define ID_AA64PFR1_MTE_SHIFT		8
#define ID_AA64PFR1_MTE			0x2	/* FEAT_MTE2: tags in memory */
#define ID_AA64PFR1_EL1_MTE_SHIFT	ID_AA64PFR1_MTE_SHIFT
#define ID_AA64PFR1_EL1_MTE_MTE2	ID_AA64PFR1_MTE
#define ID_AA64PFR1_EL1_SME_SHIFT	24

#define ID_AA64DFR0_PMUVER_SHIFT	8
#define ID_AA64DFR0_EL1_PMUVer_SHIFT	ID_AA64DFR0_PMUVER_SHIFT
#define ID_AA64DFR0_PMSVER_SHIFT	32
#define ID_AA64DFR0_EL1_PMSVer_SHIFT	ID_AA64DFR0_PMSVER_SHIFT

#define ID_AA64ISAR1_EL1_APA_SHIFT	4
#define ID_AA64ISAR1_EL1_API_SHIFT	8
#define ID_AA64ISAR2_EL1_APA3_SHIFT	12

/* ---- TCR2_EL1 ---- */
#define TCR2_EL1x_PnCH			BIT(0)
#define TCR2_EL1x_PIE			BIT(1)
#define TCR2_EL1x_E0POE			BIT(2)
#define TCR2_EL1x_POE			BIT(3)
#define TCR2_EL1_PnCH			TCR2_EL1x_PnCH
#define TCR2_EL1_PIE			TCR2_EL1x_PIE
#define TCR2_EL1_E0POE			TCR2_EL1x_E0POE
#define TCR2_EL1_POE			TCR2_EL1x_POE
#define TCR2_EL1_HAFT			BIT(11)

/* ---- Permission Indirection: permission encodings and their placement ---- */
#define PIE_NONE_O			UL(0x0)
#define PIE_R_O				UL(0x1)
#define PIE_X_O				UL(0x2)
#define PIE_RX_O			UL(0x3)
#define PIE_RW_O			UL(0x5)
#define PIE_RWX_O			UL(0x7)
#define PIE_R				UL(0x8)
#define PIE_GCS				UL(0x9)
#define PIE_RX				UL(0xa)
#define PIE_RW				UL(0xc)
#define PIE_RWX				UL(0xe)
#define PIRx_ELx_PERM(idx, perm)	((perm) << ((idx) * 4))

/* ---- MTE ---- */
#define SYS_GCR_EL1_RRND		(BIT(16))
#define SYS_GCR_EL1_EXCL_MASK		0xffff
#define KERNEL_GCR_EL1_EXCL		(0xffff)
#define KERNEL_GCR_EL1			(SYS_GCR_EL1_RRND | KERNEL_GCR_EL1_EXCL)
#define SYS_RGSR_EL1_TAG_MASK		0xf
#define SYS_RGSR_EL1_SEED_SHIFT		8
#define SYS_RGSR_EL1_SEED_MASK		0xffff
#define SYS_TFSR_EL1_TF0_SHIFT		0
#define SYS_TFSR_EL1_TF1_SHIFT		1

/* ---- TTBRx_EL1 ---- */
#define TTBRx_EL1_CnP			BIT(0)
#define TTBRx_EL1_ASID_SHIFT		48

/* ---- ZCR_ELx ---- */
#define ZCR_ELx_LEN_MASK		0xf

#endif /* __BBM_ASM_SYSREG_H */
