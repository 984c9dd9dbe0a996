/* bbmcheck edk2-aarch64: <Base.h>, force-included as the edk2 build's AutoGen.h
 * is.  For assembly it provides the symbol-naming helpers of Base.h and
 * ProcessorBind.h (AArch64, GCC, ELF), written for bbmcheck:
 *   ASM_PFX(name)      the C symbol of name: ELF has no user-label prefix, so name
 *   ASM_GLOBAL         .globl
 *   _ASM_TYPE(name)    .type name, %function
 *   GCC_ASM_EXPORT(f)  .global f; .type f, %function
 *   GCC_ASM_IMPORT(f)  nothing (undefined symbols are external in gas)
 *   AARCH64_BTI(t)     nothing (no BTI), AARCH64_BTI_NOTE() nothing
 */
#ifndef __BBM_EDK2_BASE_H
#define __BBM_EDK2_BASE_H

#define MDE_CPU_AARCH64
#define __USER_LABEL_PREFIX__
#define __BBM_EDK2_CAT(a, b)	a ## b
#define __BBM_EDK2_CAT2(a, b)	__BBM_EDK2_CAT(a, b)
#define ASM_PFX(name)		__BBM_EDK2_CAT2(__USER_LABEL_PREFIX__, name)

#ifdef __ASSEMBLER__
#define ASM_GLOBAL		.globl
#define _ASM_TYPE(name)		.type name, %function
#define GCC_ASM_EXPORT(f)	.global ASM_PFX(f); _ASM_TYPE(ASM_PFX(f))
#define GCC_ASM_IMPORT(f)
#define AARCH64_BTI_NOTE()
#define AARCH64_BTI(type)
#endif

#endif
