/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck example: break-before-make built from OP-TEE's TLB helpers
 * (core/arch/arm/kernel/tlb_helpers_a64.S: tlbi_all, tlbi_va_allasid, tlbi_asid),
 * called with bl as OP-TEE's C code calls them.  Assembled together with the
 * helpers' file ([check] extra_files in the specs next to this file).
 *
 * void remap_va(u64 *ptep, u64 new_desc, vaddr_t va)
 * void remap_all(u64 *ptep, u64 new_desc)
 * void remap_asid(u64 *ptep, u64 new_desc, unsigned int asid)
 *
 *   1. break:  store an invalid descriptor
 *   2. the helper: dsb ishst (the break is visible to every walker); a broadcast
 *      TLBI (by VA for every ASID / everything / one ASID pair); dsb ish; isb
 *   3. make:   store the new descriptor; dsb ishst; isb
 *
 * remap_va and remap_all are correct for any descriptor.  remap_asid is correct only
 * for a non-global descriptor of that ASID: a TLBI by ASID leaves global entries in
 * every TLB.
 */
#include <asm.S>

	.macro	remap_with, helper
	stp	x29, x30, [sp, #-32]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	mov	x19, x0				// ptep
	mov	x20, x1				// new descriptor
	str	xzr, [x19]			// 1. break
	mov	x0, x2				// the helper's argument (va / asid)
	bl	\helper				// 2.
	str	x20, [x19]			// 3. make
	dsb	ishst
	isb
	ldp	x19, x20, [sp, #16]
	ldp	x29, x30, [sp], #32
	ret
	.endm

FUNC remap_va , :
	remap_with tlbi_va_allasid
END_FUNC remap_va

FUNC remap_all , :
	remap_with tlbi_all
END_FUNC remap_all

FUNC remap_asid , :
	remap_with tlbi_asid
END_FUNC remap_asid

/*
 * void read_page(u64 *va): what another CPU does meanwhile — two loads from a page
 * mapped by the same last-level table.
 */
FUNC read_page , :
	ldr	x1, [x0]
	ldr	x2, [x0, #8]
	ret
END_FUNC read_page
