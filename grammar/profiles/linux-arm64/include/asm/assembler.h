/* bbmcheck: <asm/assembler.h> — the arm64 kernel's assembler macros, written for
 * bbmcheck from their documented behaviour (docs/profiles.md lists each macro and
 * the instruction sequence it produces).
 *
 * Every macro is wrapped in "#ifndef __BBM_USER_MACRO_<name>": when the file being
 * checked defines a gas macro of the same name itself (older and newer kernels move
 * macros between assembler.h and the .S files, e.g. pte_to_phys moved into proc.S
 * in v6.9, break_before_make_ttbr_switch started in hibernate-asm.S), bbmcheck's
 * preprocessor defines that guard and the file's own definition is used.
 *
 * Where the kernel's macro changed between versions without changing its name,
 * the instructions for this profile's configuration (4 KiB pages, 48-bit PA,
 * no 52-bit VA) are the same in every version; the 52-bit variants are refused by
 * <linux/kconfig.h>.
 */
#ifndef __ASSEMBLY__
#error "<asm/assembler.h> is for assembly only"
#endif

#ifndef __BBM_ASM_ASSEMBLER_H
#define __BBM_ASM_ASSEMBLER_H

#include <linux/arm-smccc.h>
#include <linux/export.h>
#include <asm/alternative.h>
#include <asm/asm-bug.h>
#include <asm/asm-extable.h>
#include <asm/asm-offsets.h>
#include <asm/cpufeature.h>
#include <asm/cputype.h>
#include <asm/debug-monitors.h>
#include <asm/page.h>
#include <asm/pgtable-hwdef.h>
#include <asm/ptrace.h>
#include <asm/thread_info.h>

/* wxN names wN, so that "w\reg" works when \reg is an xN register */
	.irp	n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	wx\n	.req	w\n
	.endr

/* lr is x30 */
lr	.req	x30

/* ------------------------------------------------------------------ interrupt masks */

/* save_and_disable_daif flags: mrs flags, daif; msr daifset, #0xf */
#ifndef __BBM_USER_MACRO_save_and_disable_daif
	.macro	save_and_disable_daif, flags
	mrs	\flags, daif
	msr	daifset, #0xf
	.endm
#endif

/* disable_daif: mask D, A, I and F */
#ifndef __BBM_USER_MACRO_disable_daif
	.macro	disable_daif
	msr	daifset, #0xf
	.endm
#endif

/* enable_daif: unmask D, A, I and F */
#ifndef __BBM_USER_MACRO_enable_daif
	.macro	enable_daif
	msr	daifclr, #0xf
	.endm
#endif

/* restore_daif flags: msr daif, flags */
#ifndef __BBM_USER_MACRO_restore_daif
	.macro	restore_daif, flags:req
	msr	daif, \flags
	.endm
#endif

/* enable_da: unmask debug and SError (D and A) */
#ifndef __BBM_USER_MACRO_enable_da
	.macro	enable_da
	msr	daifclr, #(8 | 4)
	.endm
#endif

/* save_and_disable_irq flags: mrs flags, daif; msr daifset, #3 (I and F) */
#ifndef __BBM_USER_MACRO_save_and_disable_irq
	.macro	save_and_disable_irq, flags
	mrs	\flags, daif
	msr	daifset, #3
	.endm
#endif

#ifndef __BBM_USER_MACRO_restore_irq
	.macro	restore_irq, flags
	msr	daif, \flags
	.endm
#endif

/* enable_dbg / disable_dbg: unmask / mask debug exceptions (D) */
#ifndef __BBM_USER_MACRO_enable_dbg
	.macro	enable_dbg
	msr	daifclr, #8
	.endm
#endif

#ifndef __BBM_USER_MACRO_disable_dbg
	.macro	disable_dbg
	msr	daifset, #8
	.endm
#endif

#ifndef __BBM_USER_MACRO_disable_step_tsk
	.macro	disable_step_tsk, flgs, tmp
	tbz	\flgs, #TIF_SINGLESTEP, 9990f
	mrs	\tmp, mdscr_el1
	bic	\tmp, \tmp, #DBG_MDSCR_SS
	msr	mdscr_el1, \tmp
	isb
9990:
	.endm
#endif

#ifndef __BBM_USER_MACRO_enable_step_tsk
	.macro	enable_step_tsk, flgs, tmp
	tbz	\flgs, #TIF_SINGLESTEP, 9990f
	mrs	\tmp, mdscr_el1
	orr	\tmp, \tmp, #DBG_MDSCR_SS
	msr	mdscr_el1, \tmp
9990:
	.endm
#endif

/* ------------------------------------------------------------------ barriers, hints */

/* esb: RAS error synchronization barrier (HINT #16) when RAS is configured */
#ifndef __BBM_USER_MACRO_esb
	.macro	esb
#ifdef CONFIG_ARM64_RAS_EXTN
	hint	#16
#else
	nop
#endif
	.endm
#endif

/* csdb: consumption of speculative data barrier (HINT #20) */
#ifndef __BBM_USER_MACRO_csdb
	.macro	csdb
	hint	#20
	.endm
#endif

/* clearbhb: clear branch history (HINT #22) */
#ifndef __BBM_USER_MACRO_clearbhb
	.macro	clearbhb
	hint	#22
	.endm
#endif

/* sb: speculation barrier — "dsb nsh; isb" unless the CPU has SB (ARM64_HAS_SB) */
#ifndef __BBM_USER_MACRO_sb
	.macro	sb
alternative_if_not ARM64_HAS_SB
	dsb	nsh
	isb
alternative_else
	SB_BARRIER_INSN
	nop
alternative_endif
	.endm
#endif

/* nops n: n NOPs */
#ifndef __BBM_USER_MACRO_nops
	.macro	nops, num
	.rept	\num
	nop
	.endr
	.endm
#endif

/* ventry label: a 128-byte aligned vector slot that branches to label */
#ifndef __BBM_USER_MACRO_ventry
	.macro	ventry, label
	.align	7
	b	\label
	.endm
#endif

/* little-endian only (kconfig.h refuses big endian) */
#define CPU_BE(code...)
#define CPU_LE(code...) code

/* regs_to_64 rd, lbits, hbits: rd = lbits | hbits << 32 */
#ifndef __BBM_USER_MACRO_regs_to_64
	.macro	regs_to_64, rd, lbits, hbits
	orr	\rd, \lbits, \hbits, lsl #32
	.endm
#endif

/* ------------------------------------------------------------------ PC-relative access */

/* adr_l dst, sym: adrp dst, sym; add dst, dst, :lo12:sym */
#ifndef __BBM_USER_MACRO_adr_l
	.macro	adr_l, dst, sym
	adrp	\dst, \sym
	add	\dst, \dst, :lo12:\sym
	.endm
#endif

/* ldr_l dst, sym[, tmp]: adrp (dst or tmp), sym; ldr dst, [that, :lo12:sym] */
#ifndef __BBM_USER_MACRO_ldr_l
	.macro	ldr_l, dst, sym, tmp=
	.ifb	\tmp
	adrp	\dst, \sym
	ldr	\dst, [\dst, :lo12:\sym]
	.else
	adrp	\tmp, \sym
	ldr	\dst, [\tmp, :lo12:\sym]
	.endif
	.endm
#endif

/* str_l src, sym, tmp: adrp tmp, sym; str src, [tmp, :lo12:sym] */
#ifndef __BBM_USER_MACRO_str_l
	.macro	str_l, src, sym, tmp
	adrp	\tmp, \sym
	str	\src, [\tmp, :lo12:\sym]
	.endm
#endif

/* ------------------------------------------------------------------ per-CPU data */

/* the per-CPU offset lives in TPIDR_EL1, or TPIDR_EL2 when the kernel runs at EL2
 * (VHE, capability ARM64_HAS_VIRT_HOST_EXTN) or in the nVHE hypervisor */
#if defined(__KVM_NVHE_HYPERVISOR__) || defined(__KVM_VHE_HYPERVISOR__)
#ifndef __BBM_USER_MACRO_get_this_cpu_offset
	.macro	get_this_cpu_offset, dst
	mrs	\dst, tpidr_el2
	.endm
#endif
#else
#ifndef __BBM_USER_MACRO_get_this_cpu_offset
	.macro	get_this_cpu_offset, dst
alternative_if_not ARM64_HAS_VIRT_HOST_EXTN
	mrs	\dst, tpidr_el1
alternative_else
	mrs	\dst, tpidr_el2
alternative_endif
	.endm
#endif
#ifndef __BBM_USER_MACRO_set_this_cpu_offset
	.macro	set_this_cpu_offset, src
alternative_if_not ARM64_HAS_VIRT_HOST_EXTN
	msr	tpidr_el1, \src
alternative_else
	msr	tpidr_el2, \src
alternative_endif
	.endm
#endif
#endif

/* adr_this_cpu dst, sym, tmp: dst = &sym + this CPU's offset */
#ifndef __BBM_USER_MACRO_adr_this_cpu
	.macro	adr_this_cpu, dst, sym, tmp
	adrp	\tmp, \sym
	add	\dst, \tmp, #:lo12:\sym
	get_this_cpu_offset \tmp
	add	\dst, \dst, \tmp
	.endm
#endif

/* ldr_this_cpu dst, sym, tmp: dst = this CPU's copy of sym */
#ifndef __BBM_USER_MACRO_ldr_this_cpu
	.macro	ldr_this_cpu, dst, sym, tmp
	adr_l	\dst, \sym
	get_this_cpu_offset \tmp
	ldr	\dst, [\dst, \tmp]
	.endm
#endif

/* vma_vm_mm rd, rn: rd = rn->vm_mm */
#ifndef __BBM_USER_MACRO_vma_vm_mm
	.macro	vma_vm_mm, rd, rn
	ldr	\rd, [\rn, #VMA_VM_MM]
	.endm
#endif

/* mmid rd, rn: rd = rn->context.id (v4.x) */
#ifndef __BBM_USER_MACRO_mmid
	.macro	mmid, rd, rn
	ldr	\rd, [\rn, #MM_CONTEXT_ID]
	.endm
#endif

/* ------------------------------------------------------------------ cache geometry */

/* read_ctr reg: CTR_EL0 ("mrs; nop"), or the system-wide safe value when CPUs
 * disagree (ARM64_MISMATCHED_CACHE_TYPE) */
#ifndef __BBM_USER_MACRO_read_ctr
	.macro	read_ctr, reg
#ifndef __KVM_NVHE_HYPERVISOR__
alternative_if_not ARM64_MISMATCHED_CACHE_TYPE
	mrs	\reg, ctr_el0
	nop
alternative_else
	ldr_l	\reg, arm64_ftr_reg_ctrel0 + ARM64_FTR_SYSVAL
alternative_endif
#else
alternative_if_not ARM64_KVM_PROTECTED_MODE
	ASM_BUG()
alternative_else_nop_endif
alternative_cb ARM64_ALWAYS_SYSTEM, kvm_compute_final_ctr_el0
	movz	\reg, #0
	movk	\reg, #0, lsl #16
	movk	\reg, #0, lsl #32
	movk	\reg, #0, lsl #48
alternative_cb_end
#endif
	.endm
#endif

/* raw_dcache_line_size reg, tmp: reg = 4 << CTR_EL0.DminLine (this CPU) */
#ifndef __BBM_USER_MACRO_raw_dcache_line_size
	.macro	raw_dcache_line_size, reg, tmp
	mrs	\tmp, ctr_el0
	ubfm	\tmp, \tmp, #16, #19
	mov	\reg, #4
	lsl	\reg, \reg, \tmp
	.endm
#endif

/* dcache_line_size reg, tmp: as above from read_ctr (system-wide safe value) */
#ifndef __BBM_USER_MACRO_dcache_line_size
	.macro	dcache_line_size, reg, tmp
	read_ctr	\tmp
	ubfm		\tmp, \tmp, #16, #19
	mov		\reg, #4
	lsl		\reg, \reg, \tmp
	.endm
#endif

/* raw_icache_line_size reg, tmp: reg = 4 << CTR_EL0.IminLine (this CPU) */
#ifndef __BBM_USER_MACRO_raw_icache_line_size
	.macro	raw_icache_line_size, reg, tmp
	mrs	\tmp, ctr_el0
	and	\tmp, \tmp, #0xf
	mov	\reg, #4
	lsl	\reg, \reg, \tmp
	.endm
#endif

/* icache_line_size reg, tmp: as above from read_ctr */
#ifndef __BBM_USER_MACRO_icache_line_size
	.macro	icache_line_size, reg, tmp
	read_ctr	\tmp
	and		\tmp, \tmp, #0xf
	mov		\reg, #4
	lsl		\reg, \reg, \tmp
	.endm
#endif

/* ------------------------------------------------------------------ TCR helpers */

/* tcr_set_t0sz valreg, t0sz: insert t0sz into TCR.T0SZ (bits 5:0) */
#ifndef __BBM_USER_MACRO_tcr_set_t0sz
	.macro	tcr_set_t0sz, valreg, t0sz
	bfi	\valreg, \t0sz, #TCR_T0SZ_OFFSET, #TCR_TxSZ_WIDTH
	.endm
#endif

/* tcr_set_t1sz valreg, t1sz: insert t1sz into TCR.T1SZ (bits 21:16) */
#ifndef __BBM_USER_MACRO_tcr_set_t1sz
	.macro	tcr_set_t1sz, valreg, t1sz
	bfi	\valreg, \t1sz, #TCR_T1SZ_OFFSET, #TCR_TxSZ_WIDTH
	.endm
#endif

/* tcr_set_idmap_t0sz valreg, tmp (v4.x): with less than 48 VA bits, load the ID
 * map's T0SZ from idmap_t0sz and insert it; nothing with 48 VA bits */
#ifndef __BBM_USER_MACRO_tcr_set_idmap_t0sz
	.macro	tcr_set_idmap_t0sz, valreg, tmpreg
#ifndef CONFIG_ARM64_VA_BITS_48
	ldr_l	\tmpreg, idmap_t0sz
	bfi	\valreg, \tmpreg, #TCR_T0SZ_OFFSET, #TCR_TxSZ_WIDTH
#endif
	.endm
#endif

/* idmap_get_t0sz reg (v6.0): reg = clz(PA of _end | (2^VA_BITS_MIN - 1)), the
 * largest T0SZ whose range still covers the whole image */
#ifndef __BBM_USER_MACRO_idmap_get_t0sz
	.macro	idmap_get_t0sz, reg
	adrp	\reg, _end
	orr	\reg, \reg, #(1 << VA_BITS_MIN) - 1
	clz	\reg, \reg
	.endm
#endif

/* tcr_compute_pa_size tcr, pos, tmp0, tmp1: TCR.(I)PS at pos := min(PARange,
 * the largest supported PA size) */
#ifndef __BBM_USER_MACRO_tcr_compute_pa_size
	.macro	tcr_compute_pa_size, tcr, pos, tmp0, tmp1
	mrs	\tmp0, ID_AA64MMFR0_EL1
	ubfx	\tmp0, \tmp0, #ID_AA64MMFR0_EL1_PARANGE_SHIFT, #3
	mov	\tmp1, #ID_AA64MMFR0_EL1_PARANGE_MAX
	cmp	\tmp0, \tmp1
	csel	\tmp0, \tmp1, \tmp0, hi
	bfi	\tcr, \tmp0, \pos, #3
	.endm
#endif

/* tcr_clear_errata_bits tcr, tmp1, tmp2: on Fujitsu A64FX (erratum 010001),
 * clear TCR.NFD0/NFD1 */
#ifndef __BBM_USER_MACRO_tcr_clear_errata_bits
	.macro	tcr_clear_errata_bits, tcr, tmp1, tmp2
#ifdef CONFIG_FUJITSU_ERRATUM_010001
	mrs	\tmp1, midr_el1
	mov_q	\tmp2, MIDR_FUJITSU_ERRATUM_010001_MASK
	and	\tmp1, \tmp1, \tmp2
	mov_q	\tmp2, MIDR_FUJITSU_ERRATUM_010001
	cmp	\tmp1, \tmp2
	b.ne	10f
	mov_q	\tmp2, TCR_CLEAR_FUJITSU_ERRATUM_010001
	bic	\tcr, \tcr, \tmp2
10:
#endif
	.endm
#endif

/* ------------------------------------------------------------------ cache maintenance */

/* __dcache_op_workaround_clean_cache op, addr: dc op, addr — or dc civac when
 * clean-only operations are unsafe (ARM64_WORKAROUND_CLEAN_CACHE) */
#ifndef __BBM_USER_MACRO___dcache_op_workaround_clean_cache
	.macro	__dcache_op_workaround_clean_cache, op, addr
alternative_if_not ARM64_WORKAROUND_CLEAN_CACHE
	dc	\op, \addr
alternative_else
	dc	civac, \addr
alternative_endif
	.endm
#endif

/*
 * dcache_by_myline_op op, domain, start, end, linesz, tmp[, fixup]:
 * round start down to a line, then "dc op" every line of [start, end), then
 * "dsb domain".  cvap/cvadp are emitted as SYS instructions (older assemblers do
 * not know them).  Corrupts start and tmp.
 */
#ifndef __BBM_USER_MACRO_dcache_by_myline_op
	.macro	dcache_by_myline_op, op, domain, start, end, linesz, tmp, fixup
	sub	\tmp, \linesz, #1
	bic	\start, \start, \tmp
.Ldcache_op\@:
	.ifc	\op, cvau
	__dcache_op_workaround_clean_cache \op, \start
	.else
	.ifc	\op, cvac
	__dcache_op_workaround_clean_cache \op, \start
	.else
	.ifc	\op, cvap
	sys	3, c7, c12, 1, \start
	.else
	.ifc	\op, cvadp
	sys	3, c7, c13, 1, \start
	.else
	dc	\op, \start
	.endif
	.endif
	.endif
	.endif
	add	\start, \start, \linesz
	cmp	\start, \end
	b.lo	.Ldcache_op\@
	dsb	\domain
	_cond_uaccess_extable .Ldcache_op\@, \fixup
	.endm
#endif

/* dcache_by_line_op op, domain, start, end, tmp1, tmp2[, fixup]:
 * dcache_line_size tmp1, tmp2, then dcache_by_myline_op with that line size */
#ifndef __BBM_USER_MACRO_dcache_by_line_op
	.macro	dcache_by_line_op, op, domain, start, end, tmp1, tmp2, fixup
	dcache_line_size \tmp1, \tmp2
	dcache_by_myline_op \op, \domain, \start, \end, \tmp1, \tmp2, \fixup
	.endm
#endif

/* invalidate_icache_by_line start, end, tmp1, tmp2[, fixup]:
 * "ic ivau" every I-cache line of [start, end), then "dsb ish; isb" */
#ifndef __BBM_USER_MACRO_invalidate_icache_by_line
	.macro	invalidate_icache_by_line, start, end, tmp1, tmp2, fixup
	icache_line_size \tmp1, \tmp2
	sub	\tmp2, \tmp1, #1
	bic	\tmp2, \start, \tmp2
.Licache_op\@:
	ic	ivau, \tmp2
	add	\tmp2, \tmp2, \tmp1
	cmp	\tmp2, \end
	b.lo	.Licache_op\@
	dsb	ish
	isb
	_cond_uaccess_extable .Licache_op\@, \fixup
	.endm
#endif

/* ------------------------------------------------------------------ TTBR helpers */

/* offset_ttbr1 ttbr, tmp: only for 52-bit VA kernels on 48-bit hardware; with this
 * profile's 48/39-bit VA it produces no instruction (in every kernel version) */
#ifndef __BBM_USER_MACRO_offset_ttbr1
	.macro	offset_ttbr1, ttbr, tmp
	.endm
#endif

/* restore_ttbr1 ttbr (until v6.8): undo offset_ttbr1 — no instruction here */
#ifndef __BBM_USER_MACRO_restore_ttbr1
	.macro	restore_ttbr1, ttbr
	.endm
#endif

/* phys_to_ttbr ttbr, phys: with 48-bit PA the TTBR value is the address:
 * mov ttbr, phys */
#ifndef __BBM_USER_MACRO_phys_to_ttbr
	.macro	phys_to_ttbr, ttbr, phys
	mov	\ttbr, \phys
	.endm
#endif

/* phys_to_pte pte, phys: with 48-bit PA the descriptor address field is the
 * address: mov pte, phys */
#ifndef __BBM_USER_MACRO_phys_to_pte
	.macro	phys_to_pte, pte, phys
	mov	\pte, \phys
	.endm
#endif

/* pte_to_phys phys, pte (until v6.8; v6.9+ proc.S has its own):
 * and phys, pte, #PTE_ADDR_MASK (bits 47:12) */
#ifndef __BBM_USER_MACRO_pte_to_phys
	.macro	pte_to_phys, phys, pte
	and	\phys, \pte, #PTE_ADDR_MASK
	.endm
#endif

/* load_ttbr1 pgtbl, tmp1, tmp2: install pgtbl in TTBR1_EL1:
 * phys_to_ttbr; offset_ttbr1; msr ttbr1_el1; isb */
#ifndef __BBM_USER_MACRO_load_ttbr1
	.macro	load_ttbr1, pgtbl, tmp1, tmp2
	phys_to_ttbr	\tmp1, \pgtbl
	offset_ttbr1	\tmp1, \tmp2
	msr		ttbr1_el1, \tmp1
	isb
	.endm
#endif

/*
 * break_before_make_ttbr_switch zero_page, page_table, tmp, tmp2:
 * switch TTBR1_EL1 through an empty (zero) table so that no walk can mix entries
 * of the old and the new tables:
 *   msr ttbr1_el1, <zero_page>; isb; tlbi vmalle1; dsb nsh;
 *   msr ttbr1_el1, <page_table>; isb            (the last two via load_ttbr1)
 */
#ifndef __BBM_USER_MACRO_break_before_make_ttbr_switch
	.macro	break_before_make_ttbr_switch, zero_page, page_table, tmp, tmp2
	phys_to_ttbr \tmp, \zero_page
	msr	ttbr1_el1, \tmp
	isb
	tlbi	vmalle1
	dsb	nsh
	load_ttbr1 \page_table, \tmp, \tmp2
	.endm
#endif

/* ------------------------------------------------------------------ PMU / AMU */

/* reset_pmuserenr_el0 tmp: if a PMU is implemented, deny EL0 access to it */
#ifndef __BBM_USER_MACRO_reset_pmuserenr_el0
	.macro	reset_pmuserenr_el0, tmpreg
	mrs	\tmpreg, id_aa64dfr0_el1
	sbfx	\tmpreg, \tmpreg, #ID_AA64DFR0_EL1_PMUVer_SHIFT, #4
	cmp	\tmpreg, #1
	b.lt	9000f
	msr	pmuserenr_el0, xzr
9000:
	.endm
#endif

/* reset_amuserenr_el0 tmp: if AMU is implemented, deny EL0 access to it */
#ifndef __BBM_USER_MACRO_reset_amuserenr_el0
	.macro	reset_amuserenr_el0, tmpreg
	mrs	\tmpreg, id_aa64pfr0_el1
	ubfx	\tmpreg, \tmpreg, #ID_AA64PFR0_EL1_AMU_SHIFT, #4
	cbz	\tmpreg, .Lskip_\@
	msr_s	SYS_AMUSERENR_EL0, xzr
.Lskip_\@:
	.endm
#endif

/* ------------------------------------------------------------------ copy_page */

/* copy_page dest, src, t1..t8: copy one page, 64 bytes per iteration
 * (ldp x4 / stnp x4), until src reaches a page boundary; advances dest and src */
#ifndef __BBM_USER_MACRO_copy_page
	.macro	copy_page, dest:req, src:req, t1:req, t2:req, t3:req, t4:req, t5:req, t6:req, t7:req, t8:req
9998:	ldp	\t1, \t2, [\src]
	ldp	\t3, \t4, [\src, #16]
	ldp	\t5, \t6, [\src, #32]
	ldp	\t7, \t8, [\src, #48]
	add	\src, \src, #64
	stnp	\t1, \t2, [\dest]
	stnp	\t3, \t4, [\dest, #16]
	stnp	\t5, \t6, [\dest, #32]
	stnp	\t7, \t8, [\dest, #48]
	add	\dest, \dest, #64
	tst	\src, #(PAGE_SIZE - 1)
	b.ne	9998b
	.endm
#endif

/* ------------------------------------------------------------------ symbols */

#ifdef CONFIG_KPROBES
#define NOKPROBE(x)				\
	.pushsection "_kprobe_blacklist", "aw";	\
	.quad	x;				\
	.popsection;
#else
#define NOKPROBE(x)
#endif

#define EXPORT_SYMBOL_NOKASAN(name)	EXPORT_SYMBOL(name)

/* le64sym sym: the two 32-bit halves sym_lo32, sym_hi32 (resolved by the linker
 * script) as a little-endian 64-bit value */
#ifndef __BBM_USER_MACRO_le64sym
	.macro	le64sym, sym
	.long	\sym\()_lo32
	.long	\sym\()_hi32
	.endm
#endif

/*
 * mov_q reg, val: load a 64-bit constant with 2 to 4 movz/movk:
 *   fits in 32 bits signed:  movz :abs_g1_s:; movk :abs_g0_nc:
 *   fits in 48 bits signed:  movz :abs_g2_s:; movk :abs_g1_nc:; movk :abs_g0_nc:
 *   otherwise:               movz :abs_g3:; movk :abs_g2_nc:; movk :abs_g1_nc:;
 *                            movk :abs_g0_nc:
 */
#ifndef __BBM_USER_MACRO_mov_q
	.macro	mov_q, reg, val
	.if (((\val) >> 31) == 0 || ((\val) >> 31) == 0x1ffffffff)
	movz	\reg, :abs_g1_s:\val
	.else
	.if (((\val) >> 47) == 0 || ((\val) >> 47) == 0x1ffff)
	movz	\reg, :abs_g2_s:\val
	.else
	movz	\reg, :abs_g3:\val
	movk	\reg, :abs_g2_nc:\val
	.endif
	movk	\reg, :abs_g1_nc:\val
	.endif
	movk	\reg, :abs_g0_nc:\val
	.endm
#endif

/* get_current_task rd: the current task is kept in SP_EL0 */
#ifndef __BBM_USER_MACRO_get_current_task
	.macro	get_current_task, rd
	mrs	\rd, sp_el0
	.endm
#endif

/* ------------------------------------------------------------------ MMU control */

/* pre_disable_mmu_workaround: Falkor erratum E1041 needs an isb right before the
 * msr that clears SCTLR_ELx.M */
#ifndef __BBM_USER_MACRO_pre_disable_mmu_workaround
	.macro	pre_disable_mmu_workaround
#ifdef CONFIG_QCOM_FALKOR_ERRATUM_E1041
	isb
#endif
	.endm
#endif

/* set_sctlr sreg, reg: msr sreg, reg; isb; ic iallu; dsb nsh; isb
 * (the I-cache invalidation discards instructions fetched before the MMU/cache
 * change) */
#ifndef __BBM_USER_MACRO_set_sctlr
	.macro	set_sctlr, sreg, reg
	msr	\sreg, \reg
	isb
	ic	iallu
	dsb	nsh
	isb
	.endm
#endif

#ifndef __BBM_USER_MACRO_set_sctlr_el1
	.macro	set_sctlr_el1, reg
	set_sctlr sctlr_el1, \reg
	.endm
#endif

#ifndef __BBM_USER_MACRO_set_sctlr_el2
	.macro	set_sctlr_el2, reg
	set_sctlr sctlr_el2, \reg
	.endm
#endif

/* ------------------------------------------------------------------ frame_push/pop */

/*
 * frame_push n[, extra]: open a stack frame of ((n + 3) / 2) * 16 + extra bytes:
 *   stp x29, x30, [sp, #-size]!; mov x29, sp
 * then save n callee-saved registers x19, x20, ... in pairs (stp; a single str for
 * the last one when n is odd) at [sp, #16], [sp, #32], ...
 * frame_pop: reload them the same way, then ldp x29, x30, [sp], #size.
 * n is 0..10, extra a multiple of 16; frames do not nest.
 */
#ifndef __BBM_USER_MACRO___frame_regs
	/* save (op = st) or reload (op = ld) the pair starting at register number num */
	.macro	__frame_regs, reg1, reg2, op, num
	.if	.Lframe_regcount == \num
	\op\()r	\reg1, [sp, #(\num + 1) * 8]
	.elseif	.Lframe_regcount > \num
	\op\()p	\reg1, \reg2, [sp, #(\num + 1) * 8]
	.endif
	.endm
#endif

#ifndef __BBM_USER_MACRO___frame
	.macro	__frame, op, regcount, extra=0
	.ifc	\op, st
	.if	((\regcount) < 0) || ((\regcount) > 10)
	.error	"frame_push: between 0 and 10 registers can be saved"
	.endif
	.if	(\extra) % 16
	.error	"frame_push: the extra space must be a multiple of 16 bytes"
	.endif
	.ifdef	.Lframe_regcount
	.if	.Lframe_regcount != -1
	.error	"frame_push: the previous frame_push has no frame_pop"
	.endif
	.endif
	.set	.Lframe_regcount, \regcount
	.set	.Lframe_extra, \extra
	.set	.Lframe_local_offset, ((\regcount + 3) / 2) * 16
	stp	x29, x30, [sp, #-.Lframe_local_offset - .Lframe_extra]!
	mov	x29, sp
	.else
	.if	.Lframe_regcount == -1
	.error	"frame_pop: no open frame_push"
	.endif
	.endif
	__frame_regs	x19, x20, \op, 1
	__frame_regs	x21, x22, \op, 3
	__frame_regs	x23, x24, \op, 5
	__frame_regs	x25, x26, \op, 7
	__frame_regs	x27, x28, \op, 9
	.ifc	\op, ld
	ldp	x29, x30, [sp], #.Lframe_local_offset + .Lframe_extra
	.set	.Lframe_regcount, -1
	.endif
	.endm
#endif

#ifndef __BBM_USER_MACRO_frame_push
	.macro	frame_push, regcount:req, extra
	__frame	st, \regcount, \extra
	.endm
#endif

#ifndef __BBM_USER_MACRO_frame_pop
	.macro	frame_pop
	__frame	ld
	.endm
#endif

/* ------------------------------------------------------------------ misc */

/* cond_yield lbl, tmp[, tmp2] (v6.9 form): with CONFIG_PREEMPT_VOLUNTARY, branch
 * to lbl if the current task should be rescheduled (a zero 64-bit preempt word);
 * with full preemption (this profile) it produces no instruction */
#ifndef __BBM_USER_MACRO_cond_yield
	.macro	cond_yield, lbl:req, tmp:req, tmp2
#ifdef CONFIG_PREEMPT_VOLUNTARY
	get_current_task \tmp
	ldr	\tmp, [\tmp, #TSK_TI_PREEMPT]
	cbz	\tmp, \lbl
#endif
	.endm
#endif

/*
 * cpu_midr_match model, rv_min, rv_max, res, tmp1, tmp2, tmp3 (v4.x):
 * res = 1 if MIDR_EL1 is `model` with variant/revision in [rv_min, rv_max],
 * else 0.  The min test is left out when rv_min is 0, the max test when
 * rv_min == rv_max != 0.
 */
#ifndef __BBM_USER_MACRO_cpu_midr_match
	.macro	cpu_midr_match, model, rv_min, rv_max, res, tmp1, tmp2, tmp3
	mrs	\res, midr_el1
	mov_q	\tmp1, (MIDR_REVISION_MASK | MIDR_VARIANT_MASK)
	mov_q	\tmp2, MIDR_CPU_MODEL_MASK
	and	\tmp3, \res, \tmp2
	and	\tmp1, \res, \tmp1
	mov_q	\tmp2, \model
	cmp	\tmp3, \tmp2
	cset	\res, eq
	cbz	\res, .Ldone\@
	.if	(\rv_min != 0)
	mov_q	\tmp3, \rv_min
	cmp	\tmp1, \tmp3
	cset	\res, ge
	.endif
	.if	((\rv_min != \rv_max) || \rv_min == 0)
	mov_q	\tmp2, \rv_max
	cmp	\tmp1, \tmp2
	cset	\tmp2, le
	and	\res, \res, \tmp2
	.endif
.Ldone\@:
	.endm
#endif

/* GNU property note (BTI/PAC) used by the vDSO */
#define NT_GNU_PROPERTY_TYPE_0			5
#define GNU_PROPERTY_AARCH64_FEATURE_1_AND	0xc0000000
#define GNU_PROPERTY_AARCH64_FEATURE_1_BTI	(1 << 0)
#define GNU_PROPERTY_AARCH64_FEATURE_1_PAC	(1 << 1)

#ifndef __BBM_USER_MACRO_emit_aarch64_feature_1_and
	.macro	emit_aarch64_feature_1_and, feat=0
	.endm
#endif

/* ------------------------------------------------------------------ Spectre-BHB */

/* __mitigate_spectre_bhb_loop tmp: loop of taken branches, 32 by default (the
 * count is patched at boot by a callback, which bbmcheck does not run), then sb */
#ifndef __BBM_USER_MACRO___mitigate_spectre_bhb_loop
	.macro	__mitigate_spectre_bhb_loop, tmp
#ifdef CONFIG_MITIGATE_SPECTRE_BRANCH_HISTORY
alternative_cb ARM64_ALWAYS_SYSTEM, spectre_bhb_patch_loop_iter
	mov	\tmp, #32
alternative_cb_end
.Lspectre_bhb_loop\@:
	b	. + 4
	subs	\tmp, \tmp, #1
	b.ne	.Lspectre_bhb_loop\@
	sb
#endif
	.endm
#endif

/* mitigate_spectre_bhb_loop tmp: a branch over the loop (patched to a NOP at boot
 * when the mitigation is needed), then the loop */
#ifndef __BBM_USER_MACRO_mitigate_spectre_bhb_loop
	.macro	mitigate_spectre_bhb_loop, tmp
#ifdef CONFIG_MITIGATE_SPECTRE_BRANCH_HISTORY
alternative_cb ARM64_ALWAYS_SYSTEM, spectre_bhb_patch_loop_mitigation_enable
	b	.L_spectre_bhb_loop_done\@
alternative_cb_end
	__mitigate_spectre_bhb_loop	\tmp
.L_spectre_bhb_loop_done\@:
#endif
	.endm
#endif

/* __mitigate_spectre_bhb_fw: firmware call ARM_SMCCC_ARCH_WORKAROUND_3 preserving
 * x0-x3; the call instruction is a NOP until patched at boot */
#ifndef __BBM_USER_MACRO___mitigate_spectre_bhb_fw
	.macro	__mitigate_spectre_bhb_fw
#ifdef CONFIG_MITIGATE_SPECTRE_BRANCH_HISTORY
	stp	x0, x1, [sp, #-16]!
	stp	x2, x3, [sp, #-16]!
	mov	w0, #ARM_SMCCC_ARCH_WORKAROUND_3
alternative_cb ARM64_ALWAYS_SYSTEM, smccc_patch_fw_mitigation_conduit
	nop
alternative_cb_end
	ldp	x2, x3, [sp], #16
	ldp	x0, x1, [sp], #16
#endif
	.endm
#endif

/* mitigate_spectre_bhb_clear_insn: clearbhb; isb (NOPs at boot if unsupported) */
#ifndef __BBM_USER_MACRO_mitigate_spectre_bhb_clear_insn
	.macro	mitigate_spectre_bhb_clear_insn
#ifdef CONFIG_MITIGATE_SPECTRE_BRANCH_HISTORY
alternative_cb ARM64_ALWAYS_SYSTEM, spectre_bhb_patch_clearbhb
	clearbhb
	isb
alternative_cb_end
#endif
	.endm
#endif

#endif /* __BBM_ASM_ASSEMBLER_H */
