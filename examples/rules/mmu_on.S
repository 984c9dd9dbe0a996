/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck rule example (fill-needs-mmu): with its MMU off, a CPU changes the page
 * a descriptor maps, completes the store (DSB SY), turns its MMU on (SCTLR_EL1.M,
 * then ISB) and loads through the VA.
 *
 *   x0: PA of the descriptor   x1: the new descriptor
 *   x2: the SCTLR_EL1 value with M set   x3: the VA
 *
 * While the MMU was off the TLB was filled with nothing, so the load uses the new
 * descriptor.  A model that fills TLBs with the MMU off lets the load use an entry
 * read from the old descriptor: a stale translation.
 */
	.text
	.globl	remap_then_mmu_on
	.type	remap_then_mmu_on, %function
remap_then_mmu_on:
	str	x1, [x0]
	dsb	sy
	msr	sctlr_el1, x2
	isb
	ldr	x4, [x3]
	ret
	.size	remap_then_mmu_on, . - remap_then_mmu_on
