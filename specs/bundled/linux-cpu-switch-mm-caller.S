// The C caller of cpu_do_switch_mm (Linux v4.x, arch/arm64/include/asm/
// mmu_context.h: cpu_switch_mm), written out in assembly for the checker: TTBR0
// is first pointed at the reserved (all-invalid) table with an ISB, so that no
// walk can read the outgoing process's tables once the new ASID is in TTBR1, then
// the switch runs with x0 = the new pgd's physical address, x1 = the mm.
// Our own text (the scene of specs/bundled/linux-cpu-switch-mm.bbm.toml).

	.text
	.globl	bbm_cpu_switch_mm
bbm_cpu_switch_mm:
	adrp	x2, empty_zero_page		// cpu_set_reserved_ttbr0()
	msr	ttbr0_el1, x2
	isb
	b	cpu_do_switch_mm		// the switch itself (returns to our caller)
