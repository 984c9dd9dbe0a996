/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck example: switch TTBR1 from one live table to another (x0 = the new
 * TTBR1 value).  Both tables hold global entries for the same VAs, so the TLB must
 * not keep entries of the old table once the new one is in use.
 *
 *   switch_ttbr1_safe     through the reserved (empty) table: msr; isb; tlbi; dsb;
 *                         isb; then the new table — correct
 *   switch_ttbr1_direct   msr + isb straight to the new table: old and new entries
 *                         can meet (conflict)
 *   switch_ttbr1_no_isb   the TLBI right after the msr, no ISB between: walks may
 *                         still use the old table after the TLBI completes
 *   switch_ttbr1_no_final_isb
 *                         the safe sequence without its last ISB: the caller may
 *                         still be translated with the reserved table after `ret`
 */
	.text
	.macro	set_reserved_ttbr1, tmp
	adrp	\tmp, reserved_pg_dir
	msr	ttbr1_el1, \tmp
	.endm

	.globl	switch_ttbr1_safe
	.type	switch_ttbr1_safe, %function
switch_ttbr1_safe:
	set_reserved_ttbr1 x1
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	msr	ttbr1_el1, x0
	isb
	ret
	.size	switch_ttbr1_safe, . - switch_ttbr1_safe

	.globl	switch_ttbr1_direct
	.type	switch_ttbr1_direct, %function
switch_ttbr1_direct:
	msr	ttbr1_el1, x0
	isb
	ret
	.size	switch_ttbr1_direct, . - switch_ttbr1_direct

	.globl	switch_ttbr1_no_isb
	.type	switch_ttbr1_no_isb, %function
switch_ttbr1_no_isb:
	set_reserved_ttbr1 x1
	tlbi	vmalle1
	dsb	nsh
	isb
	msr	ttbr1_el1, x0
	isb
	ret
	.size	switch_ttbr1_no_isb, . - switch_ttbr1_no_isb

	.globl	switch_ttbr1_no_final_isb
	.type	switch_ttbr1_no_final_isb, %function
switch_ttbr1_no_final_isb:
	set_reserved_ttbr1 x1
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	msr	ttbr1_el1, x0
	ret
	.size	switch_ttbr1_no_final_isb, . - switch_ttbr1_no_final_isb
