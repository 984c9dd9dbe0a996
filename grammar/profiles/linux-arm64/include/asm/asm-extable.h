/* bbmcheck: <asm/asm-extable.h> — exception-table entries: "if the instruction at
 * insn faults, continue at fixup".  An entry is two 32-bit PC-relative offsets and
 * a 16-bit type and data, in section __ex_table.  They are data and change no
 * instruction; _cond_extable / _cond_uaccess_extable emit one only when a fixup
 * label is given. */
#ifndef __BBM_ASM_ASM_EXTABLE_H
#define __BBM_ASM_ASM_EXTABLE_H

#define EX_TYPE_NONE			0
#define EX_TYPE_BPF			1
#define EX_TYPE_UACCESS_ERR_ZERO	2
#define EX_TYPE_KACCESS_ERR_ZERO	3
#define EX_TYPE_LOAD_UNALIGNED_ZEROPAD	4
#define EX_TYPE_FIXUP			EX_TYPE_UACCESS_ERR_ZERO

#ifndef __BBM_USER_MACRO___asm_extable
	.macro	__asm_extable, insn, fixup, type, data=0
	.pushsection	__ex_table, "a"
	.align		2
	.long		((\insn) - .)
	.long		((\fixup) - .)
	.short		(\type)
	.short		(\data)
	.popsection
	.endm
#endif

#ifndef __BBM_USER_MACRO__asm_extable
	.macro	_asm_extable, insn, fixup
	__asm_extable	\insn, \fixup, EX_TYPE_FIXUP, 0
	.endm
#endif

#ifndef __BBM_USER_MACRO__cond_extable
	.macro	_cond_extable, insn, fixup
	.ifnb	\fixup
	_asm_extable	\insn, \fixup
	.endif
	.endm
#endif

#ifndef __BBM_USER_MACRO__cond_uaccess_extable
	.macro	_cond_uaccess_extable, insn, fixup
	.ifnb	\fixup
	__asm_extable	\insn, \fixup, EX_TYPE_UACCESS_ERR_ZERO, 0
	.endif
	.endm
#endif

#endif
