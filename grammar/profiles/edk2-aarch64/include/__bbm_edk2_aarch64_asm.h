/* bbmcheck edk2-aarch64: the macros shared by <AsmMacroLib.h> (MdePkg, current)
 * and <AsmMacroIoLibV8.h> (ArmPkg, until 2023), written for bbmcheck from their
 * documented behaviour.
 *
 * EL1_OR_EL2(x): read CurrentEL into x and branch to the local label 1f at EL1,
 *   2f at EL2; at EL3 and at EL0 it spins on a "b ." (cannot happen):
 *     mrs x, CurrentEL; cmp x, #0x8; b.gt .; b.eq 2f; cbnz x, 1f; b .
 * EL1_OR_EL2_OR_EL3(x): the same, with EL3 going to 3f.
 * ASM_FUNC(f): global function f in its own section .text.f:
 *     .global f; .section .text.f, "ax"; .type f, %function; f:
 * ASM_FUNC_ALIGN(f, a): the same, aligned to a bytes (.balign a) before the label.
 * MOV32(r, v): movz r, #v[31:16], lsl #16; movk r, #v[15:0]
 * MOV64(r, v): movz of v[63:48], then movk of v[47:32], v[31:16], v[15:0]
 * LDR_LIT(r, sym), LDR_LIT_TMP(r, sym, t): ldr r, sym (ELF: a literal load)
 */
#ifndef __BBM_EDK2_AARCH64_ASM_H
#define __BBM_EDK2_AARCH64_ASM_H

#define EL1_OR_EL2(x) \
	mrs x, CurrentEL; cmp x, #0x8; b.gt .; b.eq 2f; cbnz x, 1f; b .

#define EL1_OR_EL2_OR_EL3(x) \
	mrs x, CurrentEL; cmp x, #0x8; b.gt 3f; b.eq 2f; cbnz x, 1f; b .

#define __BBM_EDK2_STR(s)	#s
#define __BBM_EDK2_XSTR(s)	__BBM_EDK2_STR(s)

#define _ASM_FUNC(name, secname) \
	.global name; .section secname, "ax"; _ASM_TYPE(name); name: AARCH64_BTI(c)
#define _ASM_FUNC_ALIGN(name, secname, align) \
	.global name; .section secname, "ax"; _ASM_TYPE(name); .balign align; name: AARCH64_BTI(c)
#define ASM_FUNC(name) \
	_ASM_FUNC(ASM_PFX(name), __BBM_EDK2_XSTR(.text.name))
#define ASM_FUNC_ALIGN(name, align) \
	_ASM_FUNC_ALIGN(ASM_PFX(name), __BBM_EDK2_XSTR(.text.name), align)

#define MOV32(r, v) \
	movz r, ((v) >> 16) & 0xffff, lsl #16; movk r, (v) & 0xffff
#define MOV64(r, v) \
	movz r, ((v) >> 48) & 0xffff, lsl #48; movk r, ((v) >> 32) & 0xffff, lsl #32; \
	movk r, ((v) >> 16) & 0xffff, lsl #16; movk r, (v) & 0xffff

#define LDR_LIT(r, sym)			ldr r, sym
#define LDR_LIT_TMP(r, sym, t)		ldr r, sym

#endif
