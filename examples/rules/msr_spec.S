/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck rule example (msr-not-speculative): CPU 0, with its MMU off, removes
 * the only entry of a table `next` (store 0, DSB SY) and then raises a flag.
 * CPU 1 reads the flag and only if it is set switches TTBR1 to `next` and loads
 * through it.
 *
 *   retire(x0 = PA of the entry, x1 = PA of the flag)
 *   follow(x3 = the flag's VA, x4 = the TTBR1 value of `next`, x5 = a VA `next` maps)
 *
 * The MSR is not performed before the branch that guards it is resolved, i.e. not
 * before the flag is read; so a CPU 1 that saw the flag walks `next` after the
 * entry was removed and faults.  "Flag seen and the load succeeded" is
 * unreachable; a model that performs the MSR speculatively reaches it.
 */
	.text
	.globl	retire
	.type	retire, %function
retire:
	str	xzr, [x0]
	dsb	sy
	mov	x2, #1
	str	x2, [x1]
	ret
	.size	retire, . - retire

	.globl	follow
	.type	follow, %function
follow:
	ldr	x0, [x3]
	cbz	x0, 1f
	msr	ttbr1_el1, x4
	isb
	ldr	x2, [x5]
1:	ret
	.size	follow, . - follow
