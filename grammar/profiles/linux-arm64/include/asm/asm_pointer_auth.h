/* bbmcheck: <asm/asm_pointer_auth.h> — pointer-authentication key handling.
 *
 * With CONFIG_ARM64_PTR_AUTH_KERNEL (this profile):
 *   __ptrauth_keys_install_kernel_nosync tsk, t1, t2, t3:
 *       mov t1, #THREAD_KEYS_KERNEL; add t1, tsk, t1;
 *       ldp t2, t3, [t1, #PTRAUTH_KERNEL_KEY_APIA]; msr APIAKEYLO_EL1, t2;
 *       msr APIAKEYHI_EL1, t3
 *   ptrauth_keys_install_kernel_nosync: the above if ARM64_HAS_ADDRESS_AUTH, else NOPs
 *   ptrauth_keys_install_kernel: the same followed by isb
 *   ptrauth_keys_init_cpu tsk, t1, t2, t3: unless the CPU lacks address auth (then
 *       a branch over it), check ID_AA64ISAR1/2 for APA/API/APA3, set
 *       SCTLR_EL1.EnIA|EnIB|EnDA|EnDB, install the kernel key, isb
 * Without it they produce no instruction. */
#ifndef __BBM_ASM_ASM_POINTER_AUTH_H
#define __BBM_ASM_ASM_POINTER_AUTH_H

#include <asm/alternative.h>
#include <asm/asm-offsets.h>
#include <asm/cpufeature.h>
#include <asm/sysreg.h>

#ifdef CONFIG_ARM64_PTR_AUTH_KERNEL

#ifndef __BBM_USER_MACRO___ptrauth_keys_install_kernel_nosync
	.macro	__ptrauth_keys_install_kernel_nosync, tsk, tmp1, tmp2, tmp3
	mov	\tmp1, #THREAD_KEYS_KERNEL
	add	\tmp1, \tsk, \tmp1
	ldp	\tmp2, \tmp3, [\tmp1, #PTRAUTH_KERNEL_KEY_APIA]
	msr_s	SYS_APIAKEYLO_EL1, \tmp2
	msr_s	SYS_APIAKEYHI_EL1, \tmp3
	.endm
#endif

#ifndef __BBM_USER_MACRO_ptrauth_keys_install_kernel_nosync
	.macro	ptrauth_keys_install_kernel_nosync, tsk, tmp1, tmp2, tmp3
alternative_if ARM64_HAS_ADDRESS_AUTH
	__ptrauth_keys_install_kernel_nosync \tsk, \tmp1, \tmp2, \tmp3
alternative_else_nop_endif
	.endm
#endif

#ifndef __BBM_USER_MACRO_ptrauth_keys_install_kernel
	.macro	ptrauth_keys_install_kernel, tsk, tmp1, tmp2, tmp3
alternative_if ARM64_HAS_ADDRESS_AUTH
	__ptrauth_keys_install_kernel_nosync \tsk, \tmp1, \tmp2, \tmp3
	isb
alternative_else_nop_endif
	.endm
#endif

#ifndef __BBM_USER_MACRO___ptrauth_keys_init_cpu
	.macro	__ptrauth_keys_init_cpu, tsk, tmp1, tmp2, tmp3
	mrs	\tmp1, id_aa64isar1_el1
	ubfx	\tmp1, \tmp1, #ID_AA64ISAR1_EL1_APA_SHIFT, #8
	mrs_s	\tmp2, SYS_ID_AA64ISAR2_EL1
	ubfx	\tmp2, \tmp2, #ID_AA64ISAR2_EL1_APA3_SHIFT, #4
	orr	\tmp1, \tmp1, \tmp2
	cbz	\tmp1, .Lno_addr_auth\@
	mov_q	\tmp1, (SCTLR_ELx_ENIA | SCTLR_ELx_ENIB | \
			SCTLR_ELx_ENDA | SCTLR_ELx_ENDB)
	mrs	\tmp2, sctlr_el1
	orr	\tmp2, \tmp2, \tmp1
	msr	sctlr_el1, \tmp2
	__ptrauth_keys_install_kernel_nosync \tsk, \tmp1, \tmp2, \tmp3
	isb
.Lno_addr_auth\@:
	.endm
#endif

#ifndef __BBM_USER_MACRO_ptrauth_keys_init_cpu
	.macro	ptrauth_keys_init_cpu, tsk, tmp1, tmp2, tmp3
alternative_if_not ARM64_HAS_ADDRESS_AUTH
	b	.Lno_addr_auth\@
alternative_else_nop_endif
	__ptrauth_keys_init_cpu \tsk, \tmp1, \tmp2, \tmp3
.Lno_addr_auth\@:
	.endm
#endif

#else /* !CONFIG_ARM64_PTR_AUTH_KERNEL */

#ifndef __BBM_USER_MACRO_ptrauth_keys_install_kernel_nosync
	.macro	ptrauth_keys_install_kernel_nosync, tsk, tmp1, tmp2, tmp3
	.endm
#endif
#ifndef __BBM_USER_MACRO_ptrauth_keys_install_kernel
	.macro	ptrauth_keys_install_kernel, tsk, tmp1, tmp2, tmp3
	.endm
#endif
#ifndef __BBM_USER_MACRO_ptrauth_keys_init_cpu
	.macro	ptrauth_keys_init_cpu, tsk, tmp1, tmp2, tmp3
	.endm
#endif

#endif /* CONFIG_ARM64_PTR_AUTH_KERNEL */

#endif
