/* bbmcheck jailhouse-arm64: <asm/paging.h> — Jailhouse's EL2 stage-1 descriptor
 * flags, TCR_EL2 and MAIR_EL2 values, written for bbmcheck from the Arm ARM
 * descriptor format and Jailhouse's documented choices. */
#ifndef __BBM_JH_ASM_PAGING_H
#define __BBM_JH_ASM_PAGING_H

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1 << PAGE_SHIFT)
#define MAX_PAGE_TABLE_LEVELS	4

/* descriptor bits */
#define PTE_FLAG_VALID		(1 << 0)
#define PTE_FLAG_TERMINAL	(1 << 1)	/* page (level 3) or table */
#define PTE_MEMATTR(idx)	((idx) << 2)	/* AttrIndx */
#define PTE_NON_SHAREABLE	(0 << 8)
#define PTE_OUTER_SHAREABLE	(2 << 8)
#define PTE_INNER_SHAREABLE	(3 << 8)
#define PTE_ACCESS_FLAG		(1 << 10)
#define S1_PTE_NG		(1 << 11)
#define S1_PTE_ACCESS_EL0	(1 << 6)	/* AP[1] */
#define S1_PTE_ACCESS_RW	(0 << 7)	/* AP[2] clear */
#define S1_PTE_ACCESS_RO	(1 << 7)	/* AP[2] set */
/* a table descriptor: valid + table */
#define PTE_TABLE_FLAGS		0x3

/* MAIR_EL2: index 0 Normal write-back RW-allocate (0xff), 1 Device-nGnRE (0x04),
 * 2 Normal non-cacheable (0x44) */
#define MAIR_IDX_WBRAWA		0
#define MAIR_IDX_DEV		1
#define MAIR_IDX_NC		2
#define DEFAULT_MAIR_EL2	((0xff << (8 * MAIR_IDX_WBRAWA)) | (0x04 << (8 * MAIR_IDX_DEV)) | \
				 (0x44 << (8 * MAIR_IDX_NC)))

#define S1_PTE_FLAG_NORMAL	PTE_MEMATTR(MAIR_IDX_WBRAWA)
#define S1_PTE_FLAG_DEVICE	PTE_MEMATTR(MAIR_IDX_DEV)
#define S1_PTE_FLAG_UNCACHED	PTE_MEMATTR(MAIR_IDX_NC)
/* hypervisor mappings: valid, accessed, normal WB, inner shareable, AP[1] set */
#define S1_DEFAULT_FLAGS	(PTE_FLAG_VALID | PTE_ACCESS_FLAG | S1_PTE_FLAG_NORMAL | \
				 PTE_INNER_SHAREABLE | S1_PTE_ACCESS_EL0)
#define PAGE_DEFAULT_FLAGS	(S1_DEFAULT_FLAGS | S1_PTE_ACCESS_RW)
#define PAGE_READONLY_FLAGS	(S1_DEFAULT_FLAGS | S1_PTE_ACCESS_RO)
#define PAGE_PRESENT_FLAGS	PTE_FLAG_VALID
#define PAGE_NONPRESENT_FLAGS	0
#define PAGE_FLAG_DEVICE	S1_PTE_FLAG_DEVICE
#define PAGE_FLAG_FRAMEBUFFER	S1_PTE_FLAG_DEVICE

/* TCR_EL2 */
#define TCR_EL2_RES1		((1 << 31) | (1 << 23))
#define T0SZ(bits)		(64 - (bits))	/* bits of input address */
#define TCR_RGN_NON_CACHEABLE	0x0
#define TCR_RGN_WB_WA		0x1
#define TCR_RGN_WT		0x2
#define TCR_RGN_WB		0x3
#define TCR_NON_SHAREABLE	0x0
#define TCR_OUTER_SHAREABLE	0x2
#define TCR_INNER_SHAREABLE	0x3
#define TCR_IRGN0_SHIFT		8
#define TCR_ORGN0_SHIFT		10
#define TCR_SH0_SHIFT		12
#define TCR_PS_SHIFT		16
#define PARANGE_48B		0x5
#define ID_AA64MMFR0_PARANGE_SHIFT	0

/* the hypervisor's virtual address of the debug UART page */
#define UART_BASE		0xffffc0000000

#endif
