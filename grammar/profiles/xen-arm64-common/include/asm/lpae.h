/* bbmcheck xen-arm64: <asm/lpae.h> — the geometry of Xen's own translation tables
 * (4 KiB granule, 9 bits per level, levels 0 to 3).  Both the names of Xen 4.17+
 * (XEN_PT_*) and the older ones (LPAE_*) are provided. */
#ifndef __BBM_XEN_ASM_LPAE_H
#define __BBM_XEN_ASM_LPAE_H

#define XEN_PT_LPAE_SHIFT	9
#define XEN_PT_LPAE_ENTRIES	(1 << XEN_PT_LPAE_SHIFT)
#define XEN_PT_LPAE_ENTRY_MASK	(XEN_PT_LPAE_ENTRIES - 1)

/* XEN_PT_LEVEL_SHIFT(l): the lowest VA bit a level-l entry translates
 * (level 3: 12, 2: 21, 1: 30, 0: 39); SIZE: what one entry maps; MASK: the
 * bits above it; ORDER: SIZE in pages, log2 */
#define XEN_PT_LEVEL_SHIFT(lvl)	(PAGE_SHIFT + (3 - (lvl)) * XEN_PT_LPAE_SHIFT)
#define XEN_PT_LEVEL_ORDER(lvl)	(XEN_PT_LEVEL_SHIFT(lvl) - PAGE_SHIFT)
#define XEN_PT_LEVEL_SIZE(lvl)	(1 << XEN_PT_LEVEL_SHIFT(lvl))
#define XEN_PT_LEVEL_MASK(lvl)	(~(XEN_PT_LEVEL_SIZE(lvl) - 1))

/* older names */
#define LPAE_SHIFT		XEN_PT_LPAE_SHIFT
#define LPAE_ENTRIES		XEN_PT_LPAE_ENTRIES
#define LPAE_ENTRY_MASK		XEN_PT_LPAE_ENTRY_MASK

#define THIRD_SHIFT		XEN_PT_LEVEL_SHIFT(3)
#define THIRD_ORDER		XEN_PT_LEVEL_ORDER(3)
#define THIRD_SIZE		XEN_PT_LEVEL_SIZE(3)
#define THIRD_MASK		XEN_PT_LEVEL_MASK(3)
#define SECOND_SHIFT		XEN_PT_LEVEL_SHIFT(2)
#define SECOND_ORDER		XEN_PT_LEVEL_ORDER(2)
#define SECOND_SIZE		XEN_PT_LEVEL_SIZE(2)
#define SECOND_MASK		XEN_PT_LEVEL_MASK(2)
#define FIRST_SHIFT		XEN_PT_LEVEL_SHIFT(1)
#define FIRST_ORDER		XEN_PT_LEVEL_ORDER(1)
#define FIRST_SIZE		XEN_PT_LEVEL_SIZE(1)
#define FIRST_MASK		XEN_PT_LEVEL_MASK(1)
#define ZEROETH_SHIFT		XEN_PT_LEVEL_SHIFT(0)
#define ZEROETH_ORDER		XEN_PT_LEVEL_ORDER(0)
#define ZEROETH_SIZE		XEN_PT_LEVEL_SIZE(0)
#define ZEROETH_MASK		XEN_PT_LEVEL_MASK(0)

/* <level>_table_offset(va): the index of va's entry in a level table */
#define zeroeth_table_offset(va)	(((va) >> ZEROETH_SHIFT) & XEN_PT_LPAE_ENTRY_MASK)
#define first_table_offset(va)		(((va) >> FIRST_SHIFT) & XEN_PT_LPAE_ENTRY_MASK)
#define second_table_offset(va)		(((va) >> SECOND_SHIFT) & XEN_PT_LPAE_ENTRY_MASK)
#define third_table_offset(va)		(((va) >> THIRD_SHIFT) & XEN_PT_LPAE_ENTRY_MASK)

#endif
