/* bbmcheck tf-a-aarch64: <asm_macros.S> — TF-A's AArch64 assembler helpers that its
 * MMU, TLB and cache code uses, written for bbmcheck from their documented
 * behaviour.  Gas macros are guarded with "#ifndef __BBM_USER_MACRO_<name>". */
#ifndef __BBM_TFA_ASM_MACROS_S
#define __BBM_TFA_ASM_MACROS_S

#include <arch.h>
#include <common/asm_macros_common.S>

/*
 * TLB_INVALIDATE(op): "tlbi op".  With the Cortex-A57 erratum 813419 or the
 * Cortex-A76 erratum 1286807 workaround built in, the TLBI is issued twice with a
 * "dsb ish" between them: "tlbi op; dsb ish; tlbi op".
 */
#if ERRATA_A57_813419 || ERRATA_A76_1286807
#define TLB_INVALIDATE(op)	tlbi op; dsb ish; tlbi op
#else
#define TLB_INVALIDATE(op)	tlbi op
#endif

/*
 * mov_imm reg, val: load a constant with the fewest MOV/MOVK: 0 is "mov reg, #0";
 * otherwise, for each non-zero 16-bit chunk from the lowest, the first is a
 * "mov reg, #chunk << shift" (MOVZ) and the later ones "movk reg, #chunk, lsl
 * #shift"; zero chunks are skipped.
 */
#ifndef __BBM_USER_MACRO_mov_imm
	.macro	mov_imm, reg, val
	.if	(\val) == 0
	mov	\reg, #0
	.else
	.set	.L__bbm_mov_imm_started, 0
	.irp	shift, 0, 16, 32, 48
	.if	((\val) >> \shift) & 0xffff
	.if	.L__bbm_mov_imm_started
	movk	\reg, #((\val) >> \shift) & 0xffff, lsl #\shift
	.else
	mov	\reg, #(\val) & (0xffff << \shift)
	.set	.L__bbm_mov_imm_started, 1
	.endif
	.endif
	.endr
	.endif
	.endm
#endif

/* adr_l dst, sym: adrp dst, sym; add dst, dst, :lo12:sym */
#ifndef __BBM_USER_MACRO_adr_l
	.macro	adr_l, dst, sym
	adrp	\dst, \sym
	add	\dst, \dst, :lo12:\sym
	.endm
#endif

/* func_prologue [size]: push x29/x30, make x29 the frame pointer, and reserve
 * size more bytes (a multiple of 16) */
#ifndef __BBM_USER_MACRO_func_prologue
	.macro	func_prologue, size=0
	.if	(\size) & 0xf
	.error	"func_prologue: the frame size must be a multiple of 16"
	.endif
	stp	x29, x30, [sp, #-0x10]!
	mov	x29, sp
	.if	\size
	sub	sp, sp, #\size
	.endif
	.endm
#endif

/* func_epilogue [size]: undo func_prologue */
#ifndef __BBM_USER_MACRO_func_epilogue
	.macro	func_epilogue, size=0
	.if	\size
	add	sp, sp, #\size
	.endif
	ldp	x29, x30, [sp], #0x10
	.endm
#endif

/* dcache_line_size reg, tmp: reg = 4 << CTR_EL0.DminLine (bytes) */
#ifndef __BBM_USER_MACRO_dcache_line_size
	.macro	dcache_line_size, reg, tmp
	mrs	\tmp, ctr_el0
	ubfx	\tmp, \tmp, #CTR_DMINLINE_SHIFT, #CTR_DMINLINE_WIDTH
	mov	\reg, #4
	lsl	\reg, \reg, \tmp
	.endm
#endif

/* icache_line_size reg, tmp: reg = 4 << CTR_EL0.IminLine (bytes) */
#ifndef __BBM_USER_MACRO_icache_line_size
	.macro	icache_line_size, reg, tmp
	mrs	\tmp, ctr_el0
	and	\tmp, \tmp, #CTR_IMINLINE_MASK
	mov	\reg, #4
	lsl	\reg, \reg, \tmp
	.endm
#endif

/* exception_return: eret, then a speculation barrier (dsb nsh; isb) that is never
 * executed architecturally */
#ifndef __BBM_USER_MACRO_exception_return
	.macro	exception_return
	eret
	dsb	nsh
	isb
	.endm
#endif

#endif
