/* bbmcheck u-boot-arm64: <linux/linkage.h> — U-Boot's assembly linkage macros,
 * written for bbmcheck from their documented behaviour:
 *   ENTRY(f)   .globl f; .p2align 2; f:
 *   WEAK(f)    .weak f; .p2align 2; f:
 *   LENTRY(f)  .p2align 2; f:          (a local entry)
 *   END(f)     .size f, . - f
 *   ENDPROC(f) .type f, %function; .size f, . - f
 */
#ifndef __BBM_UBOOT_LINKAGE_H
#define __BBM_UBOOT_LINKAGE_H

#include <asm/linkage.h>

#define ASM_NL		;
#define SYMBOL_NAME(x)	x

#ifdef __ASSEMBLY__
#define ALIGN		__ALIGN
#define LENTRY(name)	ALIGN ASM_NL name:
#define ENTRY(name)	.globl name ASM_NL LENTRY(name)
#define WEAK(name)	.weak name ASM_NL LENTRY(name)
#ifndef END
#define END(name)	.size name, . - name
#endif
#ifndef ENDPROC
#define ENDPROC(name)	.type name, %function ASM_NL END(name)
#endif
#endif

#endif
