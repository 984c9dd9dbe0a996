/* bbmcheck: <linux/arm-smccc.h> — SMC Calling Convention function-ID layout (Arm
 * DEN0028): bit 31 fast call, bit 30 SMC64, bits 29:24 owner, bits 15:0 function. */
#ifndef __BBM_LINUX_ARM_SMCCC_H
#define __BBM_LINUX_ARM_SMCCC_H
#include <linux/const.h>
#define ARM_SMCCC_STD_CALL		0
#define ARM_SMCCC_FAST_CALL		1
#define ARM_SMCCC_TYPE_SHIFT		31
#define ARM_SMCCC_SMC_32		0
#define ARM_SMCCC_SMC_64		1
#define ARM_SMCCC_CALL_CONV_SHIFT	30
#define ARM_SMCCC_OWNER_MASK		0x3f
#define ARM_SMCCC_OWNER_SHIFT		24
#define ARM_SMCCC_FUNC_MASK		0xffff
/* SMCCC v1.3: bit 16 is the "no live SVE state" hint, not part of the function ID */
#define ARM_SMCCC_1_3_SVE_HINT		0x10000
#define ARM_SMCCC_CALL_HINTS		ARM_SMCCC_1_3_SVE_HINT

#define ARM_SMCCC_CALL_VAL(type, calling_convention, owner, func_num)	\
	(((type) << ARM_SMCCC_TYPE_SHIFT) |				\
	 ((calling_convention) << ARM_SMCCC_CALL_CONV_SHIFT) |		\
	 (((owner) & ARM_SMCCC_OWNER_MASK) << ARM_SMCCC_OWNER_SHIFT) |	\
	 ((func_num) & ARM_SMCCC_FUNC_MASK))

#define ARM_SMCCC_OWNER_ARCH		0
#define ARM_SMCCC_OWNER_CPU		1
#define ARM_SMCCC_OWNER_SIP		2
#define ARM_SMCCC_OWNER_OEM		3
#define ARM_SMCCC_OWNER_STANDARD	4
#define ARM_SMCCC_OWNER_STANDARD_HYP	5
#define ARM_SMCCC_OWNER_VENDOR_HYP	6
#define ARM_SMCCC_OWNER_TRUSTED_APP	48
#define ARM_SMCCC_OWNER_TRUSTED_OS	50

#define SMCCC_ARCH_WORKAROUND_RET_UNAFFECTED	1
#define ARM_SMCCC_ARCH_WORKAROUND_1	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_32, 0, 0x8000)
#define ARM_SMCCC_ARCH_WORKAROUND_2	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_32, 0, 0x7fff)
#define ARM_SMCCC_ARCH_WORKAROUND_3	ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_32, 0, 0x3fff)

#define SMCCC_RET_SUCCESS		0
#define SMCCC_RET_NOT_SUPPORTED		-1
#define SMCCC_RET_NOT_REQUIRED		-2
#define SMCCC_RET_INVALID_PARAMETER	-3
#endif
