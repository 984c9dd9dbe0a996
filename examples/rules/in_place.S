/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck feature example (nG policy, FEAT_BBM level): change a live descriptor in
 * place, with no break-before-make, while another CPU reads through it.
 *
 *   change_in_place(x0 = the descriptor's VA, x1 = the new descriptor)
 *   read_va(x0 = a VA the descriptor maps)
 *
 * Whether that is a BBM violation depends on what changes (docs/model.md,
 * "Features and policies"): nG 0 -> 1 needs BBM under the `strict` nG policy but not
 * under `arm-arm` (R_WHZWS only names creating a global entry); a block replaced by a
 * table needs BBM at FEAT_BBM level 0 but not at level 1 or 2.
 */
	.text
	.globl	change_in_place
	.type	change_in_place, %function
change_in_place:
	str	x1, [x0]
	dsb	ishst
	ret
	.size	change_in_place, . - change_in_place

	.globl	read_va
	.type	read_va, %function
read_va:
	ldr	x1, [x0]
	ret
	.size	read_va, . - read_va
