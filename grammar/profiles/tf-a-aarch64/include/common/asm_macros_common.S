/* bbmcheck tf-a-aarch64: <common/asm_macros_common.S> — function markers, written
 * for bbmcheck from their documented behaviour.  Every gas macro is wrapped in
 * "#ifndef __BBM_USER_MACRO_<name>" (see docs/profiles.md), so a file with its
 * own macro of the same name keeps it. */
#ifndef __BBM_TFA_ASM_MACROS_COMMON_S
#define __BBM_TFA_ASM_MACROS_COMMON_S

/* BTI targets: the BTI instruction in its HINT form (j: #36, jc: #38) */
#ifndef __BBM_USER_MACRO_BTI
	.macro	BTI, targets
	.ifc	\targets, j
	hint	#36
	.endif
	.ifc	\targets, jc
	hint	#38
	.endif
	.endm
#endif

/* func name[, align=2]: put the function in its own section .text.asm.<name>
 * (so the linker can drop it if unused), type it as a function, open its call
 * frame information, align it to 2^align bytes and place the label; with BTI,
 * begin with "bti jc". */
#ifndef __BBM_USER_MACRO_func
	.macro	func, name, align=2
	.cfi_sections .debug_frame
	.section .text.asm.\name, "ax"
	.type	\name, %function
	.cfi_startproc
	.align	\align
\name:
#if ENABLE_BTI
	BTI	jc
#endif
	.endm
#endif

/* endfunc name: close the call frame information and give the function its size */
#ifndef __BBM_USER_MACRO_endfunc
	.macro	endfunc, name
	.cfi_endproc
	.size	\name, . - \name
	.endm
#endif

/* func_deprecated / endfunc_deprecated: the same for deprecated entry points */
#ifndef __BBM_USER_MACRO_func_deprecated
	.macro	func_deprecated, name
	func	\name
	.endm
#endif
#ifndef __BBM_USER_MACRO_endfunc_deprecated
	.macro	endfunc_deprecated, name
	endfunc	\name
	.endm
#endif

#endif
