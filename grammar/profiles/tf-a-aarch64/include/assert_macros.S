/* bbmcheck tf-a-aarch64: <assert_macros.S>.
 *
 * ASM_ASSERT(cc): with ENABLE_ASSERTIONS, continue when condition cc holds, else
 * call asm_assert(file, line) — which never returns.  The file name string goes
 * to .rodata.str1.1 once per file.  The branch around the call uses label 300.
 */
#ifndef __BBM_TFA_ASSERT_MACROS_S
#define __BBM_TFA_ASSERT_MACROS_S

#define ASM_ASSERT(cc) \
	.ifndef .L_bbm_assert_file; \
	.pushsection .rodata.str1.1, "aS"; \
	.L_bbm_assert_file: .string __FILE__; \
	.popsection; \
	.endif; \
	b.cc 300f; \
	adr x0, .L_bbm_assert_file; \
	mov x1, __LINE__; \
	b asm_assert; \
300:

#endif
