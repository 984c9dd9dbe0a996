/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck rule example (fetch-translation): map the page the caller's code is in,
 * make the new descriptor visible to the walker, synchronize the context, return.
 *
 *   x0: the PA of the (invalid) last-level descriptor   x1: the new page descriptor
 *   x30: the return address, in the page being mapped
 *
 * The caller's next instruction is fetched through the new descriptor only because
 * the ISB comes after the DSB: an instruction may be fetched (and translated) at any
 * time after the last context synchronization event.  A model whose fetches may be
 * translated before that ISB finds the fault.
 */
	.text
	.globl	map_and_return
	.type	map_and_return, %function
map_and_return:
	str	x1, [x0]
	dsb	nshst
	isb
	ret
	.size	map_and_return, . - map_and_return
