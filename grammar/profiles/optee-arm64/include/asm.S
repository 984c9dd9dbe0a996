/* bbmcheck optee-arm64: <asm.S> — OP-TEE's function and data markers, written for
 * bbmcheck from their documented behaviour.  Gas macros are guarded with
 * "#ifndef __BBM_USER_MACRO_<name>" (docs/profiles.md).
 *
 *   FUNC name, :[, section[, align[, bti]]]   global function: its own section
 *       .text.<name> (or the section given, "ax"), .type %function, .balign align
 *       (default 4), the label, and with BTI (CFG_CORE_BTI) "bti c"
 *   LOCAL_FUNC ... / WEAK_FUNC ...            the same, local / weak
 *   END_FUNC name                             .size name, . - name
 *   DATA name, : / LOCAL_DATA name, :         an object label (global / local)
 *   END_DATA name                             its size
 *   BTI(x...)                                 x with CFG_CORE_BTI, else nothing
 *   UNWIND(x...)                              nothing (AArch32 unwind tables only)
 */
#ifndef __BBM_OPTEE_ASM_S
#define __BBM_OPTEE_ASM_S

#ifdef CFG_CORE_BTI
#define BTI(x...)	x
#else
#define BTI(x...)
#endif
#define UNWIND(x...)

#ifndef __BBM_USER_MACRO___bbm_optee_func
	/* the common part: section, alignment, label, landing pad */
	.macro	__bbm_optee_func, name, colon, section, align, bti
	.ifc	\section, default
	.section .text.\name
	.else
	.section \section, "ax", %progbits
	.endif
	.type	\name, %function
	.balign	\align
\name\()\colon
	.ifc	\bti, default
BTI(	bti	c)
	.endif
	.endm
#endif

#ifndef __BBM_USER_MACRO_FUNC
	.macro	FUNC, name, colon, section=default, align=4, _bti=default
	.global	\name
	__bbm_optee_func \name, \colon, \section, \align, \_bti
	.endm
#endif
#ifndef __BBM_USER_MACRO_LOCAL_FUNC
	.macro	LOCAL_FUNC, name, colon, section=default, align=4, _bti=default
	__bbm_optee_func \name, \colon, \section, \align, \_bti
	.endm
#endif
#ifndef __BBM_USER_MACRO_WEAK_FUNC
	.macro	WEAK_FUNC, name, colon, section=default, align=4, _bti=default
	.weak	\name
	__bbm_optee_func \name, \colon, \section, \align, \_bti
	.endm
#endif
#ifndef __BBM_USER_MACRO_END_FUNC
	.macro	END_FUNC, name
	.size	\name, . - \name
	.endm
#endif
#ifndef __BBM_USER_MACRO_DATA
	.macro	DATA, name, colon
	.global	\name
	.type	\name, %object
\name\()\colon
	.endm
#endif
#ifndef __BBM_USER_MACRO_LOCAL_DATA
	.macro	LOCAL_DATA, name, colon
	.type	\name, %object
\name\()\colon
	.endm
#endif
#ifndef __BBM_USER_MACRO_END_DATA
	.macro	END_DATA, name
	.size	\name, . - \name
	.endm
#endif

/* emit_aarch64_feature_1_and feat: the GNU property note that marks the object
 * as BTI/PAC compatible — metadata only, not modelled: nothing is emitted */
#define GNU_PROPERTY_AARCH64_FEATURE_1_BTI	(1 << 0)
#define GNU_PROPERTY_AARCH64_FEATURE_1_PAC	(1 << 1)
#ifndef __BBM_USER_MACRO_emit_aarch64_feature_1_and
	.macro	emit_aarch64_feature_1_and, feat=0
	.endm
#endif

#endif
