/* bbmcheck: <asm/el2_setup.h> — putting EL2 into a known state at boot.
 *
 * APPROXIMATE.  The kernel's init_el2_state/finalise_el2_state configure many EL2
 * trap and feature registers and change from release to release; none of that
 * touches stage-1 translation except two writes, which are reproduced exactly:
 * SCTLR_EL2 := INIT_SCTLR_EL2_MMU_OFF followed by isb (EL2 MMU off), and
 * VTTBR_EL2 := 0 (no stage-2 tables).  The rest is a representative subset
 * (timers, debug, ID registers, traps, SVE), not the kernel's exact sequence.
 * init_el2_hcr is the kernel's sequence.
 *
 *   init_el2_hcr val: x0 = val, plus HCR_EL2.E2H when ID_AA64MMFR4_EL1.E2H0 is
 *       negative (an E2H-only CPU); msr_hcr_el2 x0; isb
 *   init_el2_state: sctlr (MMU off; isb), timers, debug, stage-2 off, hstr,
 *       ID registers, CPTR, SPSR_EL2 for the return to EL1   (clobbers x0-x2)
 *   finalise_el2_state: if SVE, untrap it and set ZCR_EL2.LEN to the maximum
 */
#ifndef __BBM_ASM_EL2_SETUP_H
#define __BBM_ASM_EL2_SETUP_H

#ifndef __ASSEMBLY__
#error "<asm/el2_setup.h> is for assembly only"
#endif

#include <asm/kvm_arm.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>

#ifndef __BBM_USER_MACRO_init_el2_hcr
	.macro	init_el2_hcr, val
	mov_q	x0, \val
	mrs_s	x1, SYS_ID_AA64MMFR4_EL1
	sbfx	x1, x1, #ID_AA64MMFR4_EL1_E2H0_SHIFT, #ID_AA64MMFR4_EL1_E2H0_WIDTH
	cmp	x1, #0
	b.ge	.LnVHE_\@
	orr	x0, x0, #HCR_E2H
.LnVHE_\@:
	msr_hcr_el2 x0
	isb
	.endm
#endif

	.macro	__bbm_init_el2_sctlr
	mov_q	x0, INIT_SCTLR_EL2_MMU_OFF
	msr	sctlr_el2, x0
	isb
	.endm

	.macro	__bbm_init_el2_timers
	mov	x0, #(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN)
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	.endm

	.macro	__bbm_init_el2_debug
	mrs	x1, id_aa64dfr0_el1
	sbfx	x0, x1, #ID_AA64DFR0_EL1_PMUVer_SHIFT, #4
	cmp	x0, #1
	b.lt	.Lskip_pmu_\@
	mrs	x0, pmcr_el0
	ubfx	x0, x0, #11, #5
.Lskip_pmu_\@:
	csel	x2, xzr, x0, lt
	msr	mdcr_el2, x2
	.endm

	.macro	__bbm_init_el2_stage2
	msr	vttbr_el2, xzr
	.endm

	.macro	__bbm_init_el2_hstr
	msr	hstr_el2, xzr
	.endm

	.macro	__bbm_init_el2_idregs
	mrs	x0, midr_el1
	mrs	x1, mpidr_el1
	msr	vpidr_el2, x0
	msr	vmpidr_el2, x1
	.endm

	.macro	__bbm_init_el2_cptr
	mov	x0, #CPTR_NVHE_EL2_RES1
	msr	cptr_el2, x0
	.endm

	.macro	__bbm_init_el2_prepare_eret
	mov	x0, #INIT_PSTATE_EL1
	msr	spsr_el2, x0
	.endm

#ifndef __BBM_USER_MACRO_init_el2_state
	.macro	init_el2_state
	__bbm_init_el2_sctlr
	__bbm_init_el2_timers
	__bbm_init_el2_debug
	__bbm_init_el2_stage2
	__bbm_init_el2_hstr
	__bbm_init_el2_idregs
	__bbm_init_el2_cptr
	__bbm_init_el2_prepare_eret
	.endm
#endif

#ifndef __BBM_USER_MACRO_finalise_el2_state
	.macro	finalise_el2_state
	mrs	x1, id_aa64pfr0_el1
	ubfx	x1, x1, #ID_AA64PFR0_EL1_SVE_SHIFT, #4
	cbz	x1, .Lskip_sve_\@
	mrs	x0, cptr_el2
	bic	x0, x0, #CPTR_EL2_TZ
	msr	cptr_el2, x0
	isb
	mov	x1, #ZCR_ELx_LEN_MASK
	msr_s	SYS_ZCR_EL2, x1
.Lskip_sve_\@:
	.endm
#endif

#endif
