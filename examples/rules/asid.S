/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck rule example (lookup-asid): a context switch.  Load through a user VA
 * of process A (ASID 1), switch TTBR0 to process B's tables under ASID 2, ISB,
 * load through the same VA again.  No TLBI: the ASIDs keep the two processes'
 * non-global entries apart.
 *
 *   x0: the VA    x1: B's TTBR0 value (table | ASID 2 << 48)
 *
 * The second load may not use A's entry, even one filled through the old TTBR0
 * after the write and before the ISB: a non-global entry matches only lookups
 * under its own ASID.  A model that lets any entry be used finds the load reading
 * A's page (a stale translation).
 */
	.text
	.globl	switch_mm
	.type	switch_mm, %function
switch_mm:
	ldr	x2, [x0]
	msr	ttbr0_el1, x1
	isb
	ldr	x3, [x0]
	ret
	.size	switch_mm, . - switch_mm
