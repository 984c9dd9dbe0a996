/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bbmcheck rule example (walk-order): CPU 0, with its MMU off, fills a fresh
 * last-level table and then links it into the live tables in place of the old
 * one (same page, same attributes); DMB ISHST orders the two stores.  CPU 1 reads
 * through the VA meanwhile.
 *
 *   install_table(x0 = PA of the new table's entry, x1 = the page descriptor,
 *                 x2 = PA of the level-2 entry,      x3 = the new table descriptor)
 *   read_va(x0 = the VA)
 *
 * A walk reads level 3 only after it read the level-2 entry that points there,
 * so a walk that finds the new table also finds its entry: CPU 1 never faults.
 * A model that lets a walk read level 3 before level 2 finds a fault.
 */
	.text
	.globl	install_table
	.type	install_table, %function
install_table:
	str	x1, [x0]
	dmb	ishst
	str	x3, [x2]
	ret
	.size	install_table, . - install_table

	.globl	read_va
	.type	read_va, %function
read_va:
	ldr	x1, [x0]
	ret
	.size	read_va, . - read_va
