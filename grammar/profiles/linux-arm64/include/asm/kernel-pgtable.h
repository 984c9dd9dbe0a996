/* bbmcheck: <asm/kernel-pgtable.h> — how the early boot code maps the kernel.
 *
 * With 4 KiB pages the boot page tables map the image with 2 MiB PMD blocks
 * (SWAPPER_BLOCK_SHIFT = PMD_SHIFT), so they need one level less than the kernel
 * (SWAPPER_PGTABLE_LEVELS = CONFIG_PGTABLE_LEVELS - 1).
 *
 * Attributes: SWAPPER_PTE_FLAGS = page | AF | inner shareable (0x703 before the
 * AttrIndx); SWAPPER_PMD_FLAGS = block | AF | inner shareable;
 * SWAPPER_RW_MMUFLAGS = Normal memory block; SWAPPER_RX_MMUFLAGS adds read-only.
 * These are the v6.0 values (the values proc.S v6.0-v6.8 uses for KPTI_NG_PTE_FLAGS).
 *
 * The ID map covers 48 bits (IDMAP_VA_BITS, v6.9+), whatever VA_BITS is. */
#ifndef __BBM_ASM_KERNEL_PGTABLE_H
#define __BBM_ASM_KERNEL_PGTABLE_H

#include <asm/boot.h>
#include <asm/pgtable-hwdef.h>
#include <asm/sparsemem.h>

#define ARM64_KERNEL_USES_PMD_MAPS	1
#define SWAPPER_PGTABLE_LEVELS		(CONFIG_PGTABLE_LEVELS - 1)

#define SWAPPER_BLOCK_SHIFT		PMD_SHIFT
#define SWAPPER_BLOCK_SIZE		PMD_SIZE
#define SWAPPER_TABLE_SHIFT		PUD_SHIFT
#define SWAPPER_SKIP_LEVEL		1

#define SWAPPER_PTE_FLAGS		(PTE_TYPE_PAGE | PTE_AF | PTE_SHARED)
#define SWAPPER_PMD_FLAGS		(PMD_TYPE_SECT | PMD_SECT_AF | PMD_SECT_S)
#define SWAPPER_RW_MMUFLAGS		(PMD_ATTRINDX(MT_NORMAL) | SWAPPER_PMD_FLAGS)
#define SWAPPER_RX_MMUFLAGS		(SWAPPER_RW_MMUFLAGS | PMD_SECT_RDONLY)

/* KASLR may push a range over one more boundary per level */
#ifdef CONFIG_RANDOMIZE_BASE
#define EARLY_KASLR			(1)
#else
#define EARLY_KASLR			(0)
#endif
#define EARLY_ENTRIES(vstart, vend, shift) \
	((((vend) - 1) >> (shift)) - ((vstart) >> (shift)) + 1 + EARLY_KASLR)
#define EARLY_PGDS(vstart, vend)	(EARLY_ENTRIES(vstart, vend, PGDIR_SHIFT))
#if SWAPPER_PGTABLE_LEVELS > 3
#define EARLY_PUDS(vstart, vend)	(EARLY_ENTRIES(vstart, vend, PUD_SHIFT))
#else
#define EARLY_PUDS(vstart, vend)	(0)
#endif
#if SWAPPER_PGTABLE_LEVELS > 2
#define EARLY_PMDS(vstart, vend)	(EARLY_ENTRIES(vstart, vend, SWAPPER_TABLE_SHIFT))
#else
#define EARLY_PMDS(vstart, vend)	(0)
#endif
#define EARLY_PAGES(vstart, vend)	(1 + EARLY_PGDS(vstart, vend) + \
					 EARLY_PUDS(vstart, vend) + EARLY_PMDS(vstart, vend))
#define INIT_DIR_SIZE			(PAGE_SIZE * EARLY_PAGES(KIMAGE_VADDR, _end))
#if VA_BITS < 48
#define INIT_IDMAP_DIR_SIZE		(INIT_DIR_SIZE + (2 * PAGE_SIZE))
#else
#define INIT_IDMAP_DIR_SIZE		INIT_DIR_SIZE
#endif

#define IDMAP_VA_BITS			48
#define IDMAP_LEVELS			ARM64_HW_PGTABLE_LEVELS(IDMAP_VA_BITS)
#define IDMAP_ROOT_LEVEL		(4 - IDMAP_LEVELS)

/* base of the linear map is rounded to a level-1 block (1 GiB) with 4 KiB pages */
#define ARM64_MEMSTART_SHIFT		ARM64_HW_PGTABLE_LEVEL_SHIFT(1)
#define ARM64_MEMSTART_ALIGN		(_AC(1, UL) << ARM64_MEMSTART_SHIFT)

#endif
