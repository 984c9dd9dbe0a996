/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck example: replace a live page-table entry, break-before-make.
 *
 * void remap_page(u64 *ptep, u64 new_pte, unsigned long va)
 *
 *   x0: virtual address of the descriptor to change (a last-level entry)
 *   x1: the new descriptor
 *   x2: the virtual address the descriptor maps
 *
 * Other CPUs may be using the mapping while this runs, so the old and the new
 * descriptor must never be visible to a walker at the same time (they may differ in
 * output address or attributes), and no TLB may keep the old translation once the
 * new one is in place:
 *
 *   1. break:     store an invalid descriptor
 *   2. dsb ishst  the invalid descriptor is visible to every walker
 *   3. tlbi       invalidate the old translation on every CPU, any ASID
 *   4. dsb ish    wait until the invalidation has completed everywhere
 *   5. make:      store the new descriptor
 *   6. dsb ishst  the new descriptor is visible to every walker
 *      isb        and to this CPU's own later accesses
 */
#include <linux/linkage.h>
#include <asm/assembler.h>

/* TLBI by VA takes VA[55:12] in bits [43:0] of its operand. */
	.macro	tlbi_va_all_asid, va, tmp
	ubfx	\tmp, \va, #12, #44
	tlbi	vaae1is, \tmp
	.endm

	.text
SYM_FUNC_START(remap_page)
	str	xzr, [x0]			// 1. break
	dsb	ishst				// 2.
	tlbi_va_all_asid x2, x3			// 3.
	dsb	ish				// 4.
	str	x1, [x0]			// 5. make
	dsb	ishst				// 6.
	isb
	ret
SYM_FUNC_END(remap_page)

/*
 * void read_page(u64 *va): what another CPU does meanwhile, reading a neighbouring
 * page mapped by the same last-level table (its walks read that table while it
 * changes).
 */
SYM_FUNC_START(read_page)
	ldr	x1, [x0]
	ldr	x2, [x0, #8]
	ret
SYM_FUNC_END(read_page)

/*
 * void map_page(u64 *ptep, u64 new_pte, unsigned long va): make an invalid entry
 * valid and use it at once.  No TLB can hold an entry for an invalid descriptor, so
 * no TLBI is needed: the DSB makes the store visible to the walker and the ISB
 * keeps the load's walk from running ahead of it.
 */
SYM_FUNC_START(map_page)
	str	x1, [x0]
	dsb	ishst
	isb
	ldr	x3, [x2]
	ret
SYM_FUNC_END(map_page)
