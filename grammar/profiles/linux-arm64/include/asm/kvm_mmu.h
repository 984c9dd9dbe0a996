/* bbmcheck: <asm/kvm_mmu.h> — in assembly: kern_hyp_va reg, the conversion of a
 * kernel VA to the hypervisor's VA.  Its instructions are rewritten at boot by a
 * callback (kvm_update_va_mask) that bbmcheck does not run; they are kept as
 * written: and #1; ror #1; add #0; add #0, lsl 12; ror #63. */
#ifndef __BBM_ASM_KVM_MMU_H
#define __BBM_ASM_KVM_MMU_H
#include <asm/alternative.h>
#include <asm/page.h>
#include <asm/memory.h>
#include <asm/asm-offsets.h>
#ifndef __BBM_USER_MACRO_kern_hyp_va
	.macro	kern_hyp_va, reg
alternative_cb ARM64_ALWAYS_SYSTEM, kvm_update_va_mask
	and	\reg, \reg, #1
	ror	\reg, \reg, #1
	add	\reg, \reg, #0
	add	\reg, \reg, #0, lsl 12
	ror	\reg, \reg, #63
alternative_cb_end
	.endm
#endif
#endif
