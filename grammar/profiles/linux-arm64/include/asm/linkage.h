/* bbmcheck: <asm/linkage.h> — arm64 function alignment and BTI landing pads.
 *
 * __ALIGN: functions start on a CONFIG_FUNCTION_ALIGNMENT boundary (4 bytes by
 * default), i.e. ".balign 4".
 * BTI_C: with CONFIG_ARM64_BTI_KERNEL every SYM_FUNC_START* entry begins with a
 * "bti c" landing pad (HINT #34; a NOP unless BTI is enforced).  SYM_CODE_START*
 * gets none: such code is entered by other means than an indirect call. */
#ifndef __BBM_ASM_LINKAGE_H
#define __BBM_ASM_LINKAGE_H

#ifdef CONFIG_FUNCTION_ALIGNMENT
#define __ALIGN		.balign CONFIG_FUNCTION_ALIGNMENT
#else
#define __ALIGN		.balign 4
#endif
#define __ALIGN_STR	".balign 4"

#if defined(CONFIG_ARM64_BTI_KERNEL) && defined(__aarch64__)
#define BTI_C		bti c ;
#else
#define BTI_C
#endif

#endif
