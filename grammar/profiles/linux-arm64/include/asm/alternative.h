/* bbmcheck: <asm/alternative.h> — static selection of CPU-capability alternatives.
 *
 * The kernel assembles both halves of an alternative and patches the running code
 * at boot when the CPU has the capability.  bbmcheck reads code for one CPU
 * configuration, so here the choice is made when assembling: a capability is
 * present when it is in the profile's capability list (bbmcheck --cap NAME, or
 * preprocess(capabilities=...)); every other capability is absent.  The list
 * reaches these macros as the cpp macro BBM_CAPABILITIES (a comma-separated list).
 *
 *   alternative_if_not CAP / A / alternative_else / B / alternative_endif
 *       A when CAP is absent, B when present
 *   alternative_if CAP / B / alternative_else / A / alternative_endif
 *       B when CAP is present, A when absent
 *   alternative_if CAP / B / alternative_else_nop_endif
 *       B when present, otherwise as many NOPs as B has instructions
 *   alternative_if_not CAP / A / alternative_else_nop_endif
 *       A when absent, otherwise NOPs
 *   alternative_cb [CAP,] CALLBACK / A / alternative_cb_end
 *       A as written (the boot-time callback that would rewrite it is not run)
 *   alternative_insn I1, I2, CAP[, enable]   and   ALTERNATIVE(I1, I2, CAP[, cfg])
 *       I1 when CAP is absent (or enable is 0), I2 when present
 *
 * The half that is not selected is assembled into the section
 * .discard.bbm.alternative, so it is still checked by the assembler but is not part
 * of any routine; the selected half stays in place.  As in the kernel, the two
 * halves of an if/else must have the same size (checked with .error), and
 * alternatives do not nest.  Numeric labels 661-664 are used as in the kernel.
 */
#ifndef __BBM_ASM_ALTERNATIVE_H
#define __BBM_ASM_ALTERNATIVE_H

#include <linux/stringify.h>

#ifndef BBM_CAPABILITIES
#define BBM_CAPABILITIES
#endif

#define __BBM_ALT_DISCARD	.pushsection .discard.bbm.alternative, "ax"

/* .L__bbm_cap_present := 1 if \cap is in BBM_CAPABILITIES, else 0 */
	.macro	__bbm_cap_test, cap
	.set	.L__bbm_cap_present, 0
	.irp	__bbm_c, BBM_CAPABILITIES
	.ifc	\__bbm_c, \cap
	.set	.L__bbm_cap_present, 1
	.endif
	.endr
	.endm

/* .L__bbm_alt_state: 0 outside, 1 in the first half, 2 in the else half, 3 in a cb */
	.set	.L__bbm_alt_state, 0

	.macro	__bbm_alt_begin, cap, first_when_present
	.if	.L__bbm_alt_state != 0
	.error	"alternatives cannot be nested"
	.endif
	.set	.L__bbm_alt_state, 1
	__bbm_cap_test \cap
	.if	.L__bbm_cap_present == \first_when_present
	.set	.L__bbm_alt_first_live, 1
	.else
	.set	.L__bbm_alt_first_live, 0
	__BBM_ALT_DISCARD
	.endif
661:
	.endm

#ifndef __BBM_USER_MACRO_alternative_if_not
	.macro	alternative_if_not, cap
	__bbm_alt_begin \cap, 0
	.endm
#endif

#ifndef __BBM_USER_MACRO_alternative_if
	.macro	alternative_if, cap
	__bbm_alt_begin \cap, 1
	.endm
#endif

#ifndef __BBM_USER_MACRO_alternative_else
	.macro	alternative_else
662:
	.if	.L__bbm_alt_state != 1
	.error	"alternative_else without alternative_if/alternative_if_not"
	.endif
	.set	.L__bbm_alt_state, 2
	.if	.L__bbm_alt_first_live
	__BBM_ALT_DISCARD
	.else
	.popsection
	.endif
663:
	.endm
#endif

#ifndef __BBM_USER_MACRO_alternative_endif
	.macro	alternative_endif
664:
	.if	.L__bbm_alt_state != 2
	.error	"alternative_endif without alternative_else"
	.endif
	.set	.L__bbm_alt_state, 0
	.if	(664b - 663b) != (662b - 661b)
	.error	"the two halves of an alternative differ in size"
	.endif
	.if	.L__bbm_alt_first_live
	.popsection
	.endif
	.endm
#endif

#ifndef __BBM_USER_MACRO_alternative_else_nop_endif
	.macro	alternative_else_nop_endif
	alternative_else
	.rept	(662b - 661b) / 4
	nop
	.endr
	alternative_endif
	.endm
#endif

/* v5.x: alternative_cb CALLBACK; v6.x: alternative_cb CAP, CALLBACK */
#ifndef __BBM_USER_MACRO_alternative_cb
	.macro	alternative_cb, cap_or_cb, cb
	.if	.L__bbm_alt_state != 0
	.error	"alternatives cannot be nested"
	.endif
	.set	.L__bbm_alt_state, 3
661:
	.endm
#endif

#ifndef __BBM_USER_MACRO_alternative_cb_end
	.macro	alternative_cb_end
662:
	.if	.L__bbm_alt_state != 3
	.error	"alternative_cb_end without alternative_cb"
	.endif
	.set	.L__bbm_alt_state, 0
	.endm
#endif

#ifndef __BBM_USER_MACRO_alternative_insn
	.macro	alternative_insn, insn1, insn2, cap, enable = 1
	.if	\enable
	alternative_if_not \cap
	\insn1
	alternative_else
	\insn2
	alternative_endif
	.else
	\insn1
	.endif
	.endm
#endif

#define _ALTERNATIVE_CFG(insn1, insn2, cap, cfg, ...)	\
	alternative_insn insn1, insn2, cap, IS_ENABLED(cfg)
#define ALTERNATIVE(oldinstr, newinstr, ...)		\
	_ALTERNATIVE_CFG(oldinstr, newinstr, __VA_ARGS__, 1)

#endif /* __BBM_ASM_ALTERNATIVE_H */
