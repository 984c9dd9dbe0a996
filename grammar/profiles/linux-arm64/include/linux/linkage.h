/* bbmcheck: <linux/linkage.h> — symbol annotations for assembly.
 *
 * Every *_START emits the linkage (.globl for global, nothing for local, .weak for
 * weak), the alignment (.balign, unless _NOALIGN) and the label; every *_END emits
 * ".type name, %function" (code) or ".type name, %object" (data) and
 * ".size name, . - name", so routines and data objects are visible as typed,
 * sized symbols in the assembled object.
 *
 * Deviation from the kernel, on purpose: the kernel types SYM_CODE_* symbols as
 * STT_NOTYPE; we type them %function so that bbmcheck lists them as routines.
 * This changes no instruction.
 *
 * Statements are joined with ';' (ASM_NL), which gas treats as a line break. */
#ifndef __BBM_LINUX_LINKAGE_H
#define __BBM_LINUX_LINKAGE_H

#include <linux/stringify.h>
#include <asm/linkage.h>

#define ASM_NL		;

#define ALIGN		__ALIGN
#define ALIGN_STR	__ALIGN_STR

/* linkage of a symbol */
#define SYM_L_GLOBAL(name)	.globl name
#define SYM_L_WEAK(name)	.weak name
#define SYM_L_LOCAL(name)	/* a plain label: file-local */

/* alignment before a symbol */
#define SYM_A_ALIGN		ALIGN
#define SYM_A_NONE		/* no alignment */

/* ELF symbol types */
#define SYM_T_FUNC		%function
#define SYM_T_OBJECT		%object
#define SYM_T_NONE		%notype

/* building blocks */
#define SYM_ENTRY(name, linkage, align...)	\
	linkage(name) ASM_NL align ASM_NL name:
#define SYM_START(name, linkage, align...)	\
	SYM_ENTRY(name, linkage, align)
#define SYM_END(name, sym_type)			\
	.type name, sym_type ASM_NL .size name, . - name
#define SYM_ALIAS(alias, name, sym_type, linkage)	\
	linkage(alias) ASM_NL .set alias, name ASM_NL	\
	.type alias, sym_type ASM_NL .size alias, . - name

/* functions: C-callable, follow the procedure call standard */
#define SYM_FUNC_START(name)		SYM_START(name, SYM_L_GLOBAL, SYM_A_ALIGN) BTI_C
#define SYM_FUNC_START_NOALIGN(name)	SYM_START(name, SYM_L_GLOBAL, SYM_A_NONE) BTI_C
#define SYM_FUNC_START_LOCAL(name)	SYM_START(name, SYM_L_LOCAL, SYM_A_ALIGN) BTI_C
#define SYM_FUNC_START_LOCAL_NOALIGN(name) SYM_START(name, SYM_L_LOCAL, SYM_A_NONE) BTI_C
#define SYM_FUNC_START_WEAK(name)	SYM_START(name, SYM_L_WEAK, SYM_A_ALIGN) BTI_C
#define SYM_FUNC_START_WEAK_NOALIGN(name) SYM_START(name, SYM_L_WEAK, SYM_A_NONE) BTI_C
#define SYM_FUNC_END(name)		SYM_END(name, SYM_T_FUNC)

/* a second name for a function; place it right after SYM_FUNC_END(name) */
#define SYM_FUNC_ALIAS(alias, name)	SYM_ALIAS(alias, name, SYM_T_FUNC, SYM_L_GLOBAL)
#define SYM_FUNC_ALIAS_LOCAL(alias, name) SYM_ALIAS(alias, name, SYM_T_FUNC, SYM_L_LOCAL)
#define SYM_FUNC_ALIAS_WEAK(alias, name) SYM_ALIAS(alias, name, SYM_T_FUNC, SYM_L_WEAK)

/* v5.x position-independent aliases: an extra global label at the start */
#define SYM_FUNC_START_ALIAS(name)	SYM_START(name, SYM_L_GLOBAL, SYM_A_ALIGN)
#define SYM_FUNC_END_ALIAS(name)	SYM_END(name, SYM_T_FUNC)

/* code that does not follow the calling convention (entry points, vectors) */
#define SYM_CODE_START(name)		SYM_START(name, SYM_L_GLOBAL, SYM_A_ALIGN)
#define SYM_CODE_START_NOALIGN(name)	SYM_START(name, SYM_L_GLOBAL, SYM_A_NONE)
#define SYM_CODE_START_LOCAL(name)	SYM_START(name, SYM_L_LOCAL, SYM_A_ALIGN)
#define SYM_CODE_START_LOCAL_NOALIGN(name) SYM_START(name, SYM_L_LOCAL, SYM_A_NONE)
#define SYM_CODE_END(name)		SYM_END(name, SYM_T_FUNC)

/* a label inside a function or code block */
#define SYM_INNER_LABEL_ALIGN(name, linkage)	\
	.type name, SYM_T_NONE ASM_NL SYM_ENTRY(name, linkage, SYM_A_ALIGN)
#define SYM_INNER_LABEL(name, linkage)		\
	.type name, SYM_T_NONE ASM_NL SYM_ENTRY(name, linkage, SYM_A_NONE)

/* data objects */
#define SYM_DATA_START(name)		SYM_START(name, SYM_L_GLOBAL, SYM_A_NONE)
#define SYM_DATA_START_LOCAL(name)	SYM_START(name, SYM_L_LOCAL, SYM_A_NONE)
#define SYM_DATA_END(name)		SYM_END(name, SYM_T_OBJECT)
#define SYM_DATA_END_LABEL(name, linkage, label)	\
	linkage(label) ASM_NL .type label, SYM_T_OBJECT ASM_NL label: ASM_NL \
	SYM_END(name, SYM_T_OBJECT)
#define SYM_DATA(name, data...)		\
	SYM_DATA_START(name) ASM_NL data ASM_NL SYM_DATA_END(name)
#define SYM_DATA_LOCAL(name, data...)	\
	SYM_DATA_START_LOCAL(name) ASM_NL data ASM_NL SYM_DATA_END(name)

/* the pre-v5.5 annotations (still used by older files such as v4.x hibernate) */
#define GLOBAL(name)	.globl name ASM_NL name:
#define ENTRY(name)	.globl name ASM_NL ALIGN ASM_NL name:
#define WEAK(name)	.weak name ASM_NL ALIGN ASM_NL name:
#define END(name)	.size name, . - name
#define ENDPROC(name)	.type name, %function ASM_NL END(name)

#endif /* __BBM_LINUX_LINKAGE_H */
