/* bbmcheck: <asm/kvm_asm.h> — host-to-hypervisor call numbers.  A host call is
 * an SMCCC fast SMC64 call owned by "vendor hypervisor" (owner 6) with the
 * function number of the hypervisor entry point; __kvm_hyp_init is function 0. */
#ifndef __BBM_ASM_KVM_ASM_H
#define __BBM_ASM_KVM_ASM_H
#include <linux/arm-smccc.h>
#include <asm/virt.h>

#define ARM_EXCEPTION_IRQ		0
#define ARM_EXCEPTION_EL1_SERROR	1
#define ARM_EXCEPTION_TRAP		2
#define ARM_EXCEPTION_IL		3
#define ARM_EXCEPTION_HYP_GONE		HVC_STUB_ERR

#define KVM_HOST_SMCCC_ID(id)						\
	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_64,	\
			   ARM_SMCCC_OWNER_VENDOR_HYP, (id))
#define KVM_HOST_SMCCC_FUNC(name)	KVM_HOST_SMCCC_ID(__KVM_HOST_SMCCC_FUNC_##name)
#define __KVM_HOST_SMCCC_FUNC___kvm_hyp_init	0
#endif
