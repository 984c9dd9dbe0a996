/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck pytest example: two tempting shortcuts when replacing a live last-level
 * descriptor (compare examples/remap/remap.S, which does it right).  Same arguments:
 *
 *   x0: virtual address of the descriptor, x1: the new descriptor,
 *   x2: the virtual address the descriptor maps.
 */
#include <linux/linkage.h>
#include <asm/assembler.h>

	.text
/* "The new descriptor is valid anyway": write it over the old one, then flush. */
SYM_FUNC_START(remap_in_place)
	str	x1, [x0]
	dsb	ishst
	ubfx	x3, x2, #12, #44
	tlbi	vaae1is, x3
	dsb	ish
	isb
	ret
SYM_FUNC_END(remap_in_place)

/* "The TLBI was issued, that is enough": no DSB waits for it before the new entry. */
SYM_FUNC_START(remap_no_wait)
	str	xzr, [x0]
	dsb	ishst
	ubfx	x3, x2, #12, #44
	tlbi	vaae1is, x3
	str	x1, [x0]
	dsb	ishst
	isb
	ret
SYM_FUNC_END(remap_no_wait)

/* What another CPU does meanwhile: read a neighbouring page of the same table. */
SYM_FUNC_START(read_page)
	ldr	x1, [x0]
	ret
SYM_FUNC_END(read_page)
