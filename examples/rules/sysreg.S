/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck rule example (sysreg-in-effect): switch TTBR1 to a table that maps a
 * VA, synchronize the context, then load through that VA.
 *
 *   x0: the new TTBR1 value    x1: a VA the new table maps
 *
 * The ISB makes the new TTBR1 the one translation uses: the load cannot walk the
 * old (empty) table and fault.  A model that lets translation use any TTBR1 value,
 * whatever the ISB, finds the fault.
 */
	.text
	.globl	switch_and_load
	.type	switch_and_load, %function
switch_and_load:
	msr	ttbr1_el1, x0
	isb
	ldr	x2, [x1]
	ret
	.size	switch_and_load, . - switch_and_load
