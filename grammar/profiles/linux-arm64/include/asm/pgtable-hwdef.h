/* bbmcheck: <asm/pgtable-hwdef.h> — VMSAv8-64 translation table geometry and
 * descriptor bits for the configured granule (Arm ARM D8.3, "Translation table
 * descriptor formats"; D19 TCR_EL1).
 *
 * Geometry.  Each table level resolves PAGE_SHIFT - 3 VA bits (9 with 4 KiB
 * pages); a level-n entry (n = 0..3) maps 1 << ((PAGE_SHIFT - 3) * (4 - n) + 3)
 * bytes.  CONFIG_PGTABLE_LEVELS levels cover CONFIG_ARM64_VA_BITS; the top level
 * (PGD) has 1 << (VA_BITS - PGDIR_SHIFT) entries.  PMD_* exist with more than two
 * levels, PUD_* with more than three.
 *
 * PTRS_PER_PTE/PMD/PUD/PGD can be overridden with -D (bbmcheck replaces them with
 * a reduced table geometry when it checks a walk); nothing else here depends on
 * them. */
#ifndef __BBM_ASM_PGTABLE_HWDEF_H
#define __BBM_ASM_PGTABLE_HWDEF_H

#include <linux/bits.h>
#include <asm/memory.h>

#define ARM64_HW_PGTABLE_LEVELS(va_bits)	(((va_bits) - 4) / (PAGE_SHIFT - 3))
#define ARM64_HW_PGTABLE_LEVEL_SHIFT(n)		((PAGE_SHIFT - 3) * (4 - (n)) + 3)

#if CONFIG_PGTABLE_LEVELS != ARM64_HW_PGTABLE_LEVELS(CONFIG_ARM64_VA_BITS)
#error "CONFIG_PGTABLE_LEVELS does not match CONFIG_ARM64_VA_BITS for this granule"
#endif
#if CONFIG_PGTABLE_LEVELS > 4
#error "5-level tables need LPA2, which the bbmcheck linux profiles do not model"
#endif

/* last level (PTE): one page per entry */
#ifndef PTRS_PER_PTE
#define PTRS_PER_PTE		(1 << (PAGE_SHIFT - 3))
#endif

#if CONFIG_PGTABLE_LEVELS > 2
#define PMD_SHIFT		ARM64_HW_PGTABLE_LEVEL_SHIFT(2)
#define PMD_SIZE		(_AC(1, UL) << PMD_SHIFT)
#define PMD_MASK		(~(PMD_SIZE - 1))
#ifndef PTRS_PER_PMD
#define PTRS_PER_PMD		(1 << (PAGE_SHIFT - 3))
#endif
#endif

#if CONFIG_PGTABLE_LEVELS > 3
#define PUD_SHIFT		ARM64_HW_PGTABLE_LEVEL_SHIFT(1)
#define PUD_SIZE		(_AC(1, UL) << PUD_SHIFT)
#define PUD_MASK		(~(PUD_SIZE - 1))
#ifndef PTRS_PER_PUD
#define PTRS_PER_PUD		(1 << (PAGE_SHIFT - 3))
#endif
#endif

/* top level: level 0 with 4 levels, level 1 with 3 */
#define PGDIR_SHIFT		ARM64_HW_PGTABLE_LEVEL_SHIFT(4 - CONFIG_PGTABLE_LEVELS)
#define PGDIR_SIZE		(_AC(1, UL) << PGDIR_SHIFT)
#define PGDIR_MASK		(~(PGDIR_SIZE - 1))
#ifndef PTRS_PER_PGD
#define PTRS_PER_PGD		(1 << (VA_BITS - PGDIR_SHIFT))
#endif

/* contiguous hint: 16 entries with 4 KiB pages at both PTE and PMD level */
#define CONT_PTE_SHIFT		(CONFIG_ARM64_CONT_PTE_SHIFT + PAGE_SHIFT)
#define CONT_PTES		(1 << (CONT_PTE_SHIFT - PAGE_SHIFT))
#define CONT_PTE_SIZE		(CONT_PTES * PAGE_SIZE)
#define CONT_PTE_MASK		(~(CONT_PTE_SIZE - 1))
#if CONFIG_PGTABLE_LEVELS > 2
#define CONT_PMD_SHIFT		(CONFIG_ARM64_CONT_PMD_SHIFT + PMD_SHIFT)
#define CONT_PMDS		(1 << (CONT_PMD_SHIFT - PMD_SHIFT))
#define CONT_PMD_SIZE		(CONT_PMDS * PMD_SIZE)
#define CONT_PMD_MASK		(~(CONT_PMD_SIZE - 1))
#endif

/*
 * Descriptor bits.  Bit 0 = valid; bit 1 = table (levels 0-2) or page (level 3);
 * block descriptors have bits 1:0 = 0b01.  Lower attributes: AttrIndx[2:0] at 4:2,
 * AP[1] (EL0 access) 6, AP[2] (read-only) 7, SH[1:0] 9:8, AF 10, nG 11.  Upper:
 * GP 50, DBM 51, Contiguous 52, PXN 53, UXN 54.  Table descriptors: PXNTable 59,
 * UXNTable 60.  The output address occupies bits 47:PAGE_SHIFT with 48-bit PA.
 */
#define P4D_TYPE_TABLE		(_AT(p4dval_t, 3) << 0)
#define P4D_TABLE_BIT		(_AT(p4dval_t, 1) << 1)
#define P4D_TYPE_MASK		(_AT(p4dval_t, 3) << 0)
#define P4D_TYPE_SECT		(_AT(p4dval_t, 1) << 0)
#define P4D_SECT_RDONLY		(_AT(p4dval_t, 1) << 7)
#define P4D_TABLE_PXN		(_AT(p4dval_t, 1) << 59)
#define P4D_TABLE_UXN		(_AT(p4dval_t, 1) << 60)

#define PUD_TYPE_TABLE		(_AT(pudval_t, 3) << 0)
#define PUD_TABLE_BIT		(_AT(pudval_t, 1) << 1)
#define PUD_TYPE_MASK		(_AT(pudval_t, 3) << 0)
#define PUD_TYPE_SECT		(_AT(pudval_t, 1) << 0)
#define PUD_SECT_RDONLY		(_AT(pudval_t, 1) << 7)
#define PUD_TABLE_PXN		(_AT(pudval_t, 1) << 59)
#define PUD_TABLE_UXN		(_AT(pudval_t, 1) << 60)

#define PMD_TYPE_MASK		(_AT(pmdval_t, 3) << 0)
#define PMD_TYPE_TABLE		(_AT(pmdval_t, 3) << 0)
#define PMD_TYPE_SECT		(_AT(pmdval_t, 1) << 0)
#define PMD_TABLE_BIT		(_AT(pmdval_t, 1) << 1)
#define PMD_SECT_VALID		(_AT(pmdval_t, 1) << 0)
#define PMD_SECT_USER		(_AT(pmdval_t, 1) << 6)
#define PMD_SECT_RDONLY		(_AT(pmdval_t, 1) << 7)
#define PMD_SECT_S		(_AT(pmdval_t, 3) << 8)
#define PMD_SECT_AF		(_AT(pmdval_t, 1) << 10)
#define PMD_SECT_NG		(_AT(pmdval_t, 1) << 11)
#define PMD_SECT_CONT		(_AT(pmdval_t, 1) << 52)
#define PMD_SECT_PXN		(_AT(pmdval_t, 1) << 53)
#define PMD_SECT_UXN		(_AT(pmdval_t, 1) << 54)
#define PMD_TABLE_PXN		(_AT(pmdval_t, 1) << 59)
#define PMD_TABLE_UXN		(_AT(pmdval_t, 1) << 60)
#define PMD_ATTRINDX(t)		(_AT(pmdval_t, (t)) << 2)
#define PMD_ATTRINDX_MASK	(_AT(pmdval_t, 7) << 2)

#define PTE_VALID		(_AT(pteval_t, 1) << 0)
#define PTE_TYPE_MASK		(_AT(pteval_t, 3) << 0)
#define PTE_TYPE_PAGE		(_AT(pteval_t, 3) << 0)
#define PTE_TABLE_BIT		(_AT(pteval_t, 1) << 1)
#define PTE_USER		(_AT(pteval_t, 1) << 6)
#define PTE_RDONLY		(_AT(pteval_t, 1) << 7)
#define PTE_SHARED		(_AT(pteval_t, 3) << 8)		/* inner shareable */
#define PTE_AF			(_AT(pteval_t, 1) << 10)
#define PTE_NG			(_AT(pteval_t, 1) << 11)
#define PTE_GP			(_AT(pteval_t, 1) << 50)
#define PTE_DBM			(_AT(pteval_t, 1) << 51)
#define PTE_CONT		(_AT(pteval_t, 1) << 52)
#define PTE_PXN			(_AT(pteval_t, 1) << 53)
#define PTE_UXN			(_AT(pteval_t, 1) << 54)
#define PTE_ATTRINDX(t)		(_AT(pteval_t, (t)) << 2)
#define PTE_ATTRINDX_MASK	(_AT(pteval_t, 7) << 2)
#define PTE_S2_MEMATTR(t)	(_AT(pteval_t, (t)) << 2)

/*
 * Output-address masks.  The kernel changed these in v6.9 (LPA2 work):
 *   PTE_ADDR_MASK (v6.8 and older): bits 47:PAGE_SHIFT — used by the old
 *     pte_to_phys in <asm/assembler.h>;
 *   PTE_ADDR_LOW (v6.9 and newer): bits 49:PAGE_SHIFT — used by the pte_to_phys
 *     that v6.9+ proc.S defines itself.
 * Each keeps the value of the kernel version that uses it.
 */
#define PTE_ADDR_MASK		(((_AT(pteval_t, 1) << (48 - PAGE_SHIFT)) - 1) << PAGE_SHIFT)
#define PTE_ADDR_LOW		(((_AT(pteval_t, 1) << (50 - PAGE_SHIFT)) - 1) << PAGE_SHIFT)

/* Permission Indirection: descriptor bits that form PIIndex[3:0] */
#define PTE_PI_IDX_0		6	/* AP[1], USER */
#define PTE_PI_IDX_1		51	/* DBM */
#define PTE_PI_IDX_2		53	/* PXN */
#define PTE_PI_IDX_3		54	/* UXN */

/* physical addresses */
#define PHYS_MASK_SHIFT		(CONFIG_ARM64_PA_BITS)
#define PHYS_MASK		((UL(1) << PHYS_MASK_SHIFT) - 1)

/* TTBRx_EL1: CnP is bit 0, the ASID bits 63:48 */
#define TTBR_CNP_BIT		(UL(1) << 0)
#define TTBR_ASID_MASK		(UL(0xffff) << 48)

/* TCR_EL1 fields */
#define TCR_T0SZ_OFFSET		0
#define TCR_T1SZ_OFFSET		16
#define TCR_T0SZ(x)		((UL(64) - (x)) << TCR_T0SZ_OFFSET)
#define TCR_T1SZ(x)		((UL(64) - (x)) << TCR_T1SZ_OFFSET)
#define TCR_TxSZ(x)		(TCR_T0SZ(x) | TCR_T1SZ(x))
#define TCR_TxSZ_WIDTH		6
#define TCR_T0SZ_MASK		(((UL(1) << TCR_TxSZ_WIDTH) - 1) << TCR_T0SZ_OFFSET)
#define TCR_T1SZ_MASK		(((UL(1) << TCR_TxSZ_WIDTH) - 1) << TCR_T1SZ_OFFSET)

#define TCR_EPD0_SHIFT		7
#define TCR_EPD0_MASK		(UL(1) << TCR_EPD0_SHIFT)
#define TCR_IRGN0_SHIFT		8
#define TCR_IRGN0_MASK		(UL(3) << TCR_IRGN0_SHIFT)
#define TCR_IRGN0_NC		(UL(0) << TCR_IRGN0_SHIFT)
#define TCR_IRGN0_WBWA		(UL(1) << TCR_IRGN0_SHIFT)
#define TCR_IRGN0_WT		(UL(2) << TCR_IRGN0_SHIFT)
#define TCR_IRGN0_WBnWA		(UL(3) << TCR_IRGN0_SHIFT)
#define TCR_ORGN0_SHIFT		10
#define TCR_ORGN0_MASK		(UL(3) << TCR_ORGN0_SHIFT)
#define TCR_ORGN0_NC		(UL(0) << TCR_ORGN0_SHIFT)
#define TCR_ORGN0_WBWA		(UL(1) << TCR_ORGN0_SHIFT)
#define TCR_ORGN0_WT		(UL(2) << TCR_ORGN0_SHIFT)
#define TCR_ORGN0_WBnWA		(UL(3) << TCR_ORGN0_SHIFT)
#define TCR_SH0_SHIFT		12
#define TCR_SH0_MASK		(UL(3) << TCR_SH0_SHIFT)
#define TCR_SH0_INNER		(UL(3) << TCR_SH0_SHIFT)
#define TCR_TG0_SHIFT		14
#define TCR_TG0_MASK		(UL(3) << TCR_TG0_SHIFT)
#define TCR_TG0_4K		(UL(0) << TCR_TG0_SHIFT)
#define TCR_TG0_64K		(UL(1) << TCR_TG0_SHIFT)
#define TCR_TG0_16K		(UL(2) << TCR_TG0_SHIFT)

#define TCR_A1			(UL(1) << 22)
#define TCR_EPD1_SHIFT		23
#define TCR_EPD1_MASK		(UL(1) << TCR_EPD1_SHIFT)
#define TCR_IRGN1_SHIFT		24
#define TCR_IRGN1_MASK		(UL(3) << TCR_IRGN1_SHIFT)
#define TCR_IRGN1_NC		(UL(0) << TCR_IRGN1_SHIFT)
#define TCR_IRGN1_WBWA		(UL(1) << TCR_IRGN1_SHIFT)
#define TCR_IRGN1_WT		(UL(2) << TCR_IRGN1_SHIFT)
#define TCR_IRGN1_WBnWA		(UL(3) << TCR_IRGN1_SHIFT)
#define TCR_ORGN1_SHIFT		26
#define TCR_ORGN1_MASK		(UL(3) << TCR_ORGN1_SHIFT)
#define TCR_ORGN1_NC		(UL(0) << TCR_ORGN1_SHIFT)
#define TCR_ORGN1_WBWA		(UL(1) << TCR_ORGN1_SHIFT)
#define TCR_ORGN1_WT		(UL(2) << TCR_ORGN1_SHIFT)
#define TCR_ORGN1_WBnWA		(UL(3) << TCR_ORGN1_SHIFT)
#define TCR_SH1_SHIFT		28
#define TCR_SH1_MASK		(UL(3) << TCR_SH1_SHIFT)
#define TCR_SH1_INNER		(UL(3) << TCR_SH1_SHIFT)
#define TCR_TG1_SHIFT		30
#define TCR_TG1_MASK		(UL(3) << TCR_TG1_SHIFT)
#define TCR_TG1_16K		(UL(1) << TCR_TG1_SHIFT)
#define TCR_TG1_4K		(UL(2) << TCR_TG1_SHIFT)
#define TCR_TG1_64K		(UL(3) << TCR_TG1_SHIFT)

#define TCR_IRGN_NC		(TCR_IRGN0_NC | TCR_IRGN1_NC)
#define TCR_IRGN_WBWA		(TCR_IRGN0_WBWA | TCR_IRGN1_WBWA)
#define TCR_IRGN_WT		(TCR_IRGN0_WT | TCR_IRGN1_WT)
#define TCR_IRGN_WBnWA		(TCR_IRGN0_WBnWA | TCR_IRGN1_WBnWA)
#define TCR_IRGN_MASK		(TCR_IRGN0_MASK | TCR_IRGN1_MASK)
#define TCR_ORGN_NC		(TCR_ORGN0_NC | TCR_ORGN1_NC)
#define TCR_ORGN_WBWA		(TCR_ORGN0_WBWA | TCR_ORGN1_WBWA)
#define TCR_ORGN_WT		(TCR_ORGN0_WT | TCR_ORGN1_WT)
#define TCR_ORGN_WBnWA		(TCR_ORGN0_WBnWA | TCR_ORGN1_WBnWA)
#define TCR_ORGN_MASK		(TCR_ORGN0_MASK | TCR_ORGN1_MASK)
#define TCR_SHARED		(TCR_SH0_INNER | TCR_SH1_INNER)

#define TCR_IPS_SHIFT		32
#define TCR_IPS_MASK		(UL(7) << TCR_IPS_SHIFT)
#define TCR_ASID16		(UL(1) << 36)
#define TCR_TBI0		(UL(1) << 37)
#define TCR_TBI1		(UL(1) << 38)
#define TCR_HA			(UL(1) << 39)
#define TCR_HD			(UL(1) << 40)
#define TCR_HPD0_SHIFT		41
#define TCR_HPD0		(UL(1) << TCR_HPD0_SHIFT)
#define TCR_HPD1_SHIFT		42
#define TCR_HPD1		(UL(1) << TCR_HPD1_SHIFT)
#define TCR_TBID0		(UL(1) << 51)
#define TCR_TBID1		(UL(1) << 52)
#define TCR_NFD0		(UL(1) << 53)
#define TCR_NFD1		(UL(1) << 54)
#define TCR_E0PD0		(UL(1) << 55)
#define TCR_E0PD1		(UL(1) << 56)
#define TCR_TCMA0		(UL(1) << 57)
#define TCR_TCMA1		(UL(1) << 58)
#define TCR_DS			(UL(1) << 59)

/* Fujitsu A64FX erratum 010001: TCR_EL1.NFD0/NFD1 must stay clear */
#define TCR_CLEAR_FUJITSU_ERRATUM_010001	(TCR_NFD1 | TCR_NFD0)

#endif /* __BBM_ASM_PGTABLE_HWDEF_H */
