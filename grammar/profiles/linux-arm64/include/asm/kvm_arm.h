/* bbmcheck: <asm/kvm_arm.h> — EL2 control register bits (HCR_EL2, CPTR_EL2,
 * MDCR_EL2) and the host's HCR_EL2 values.
 * nVHE host: RW (EL1 is AArch64) | API | APK (no pointer-auth traps) | ATA (MTE).
 * VHE host: RW | TGE | E2H. */
#ifndef __BBM_ASM_KVM_ARM_H
#define __BBM_ASM_KVM_ARM_H
#include <linux/bits.h>
#include <linux/const.h>
#include <asm/sysreg.h>

#define HCR_VM			(UL(1) << 0)
#define HCR_SWIO		(UL(1) << 1)
#define HCR_PTW			(UL(1) << 2)
#define HCR_FMO			(UL(1) << 3)
#define HCR_IMO			(UL(1) << 4)
#define HCR_AMO			(UL(1) << 5)
#define HCR_TWI			(UL(1) << 13)
#define HCR_TWE			(UL(1) << 14)
#define HCR_TSC			(UL(1) << 19)
#define HCR_TVM			(UL(1) << 26)
#define HCR_TGE			(UL(1) << 27)
#define HCR_RW_SHIFT		31
#define HCR_RW			(UL(1) << HCR_RW_SHIFT)
#define HCR_E2H			(UL(1) << 34)
#define HCR_APK			(UL(1) << 40)
#define HCR_API			(UL(1) << 41)
#define HCR_FWB			(UL(1) << 46)
#define HCR_ATA_SHIFT		56
#define HCR_ATA			(UL(1) << HCR_ATA_SHIFT)

#define HCR_HOST_NVHE_FLAGS	(HCR_RW | HCR_API | HCR_APK | HCR_ATA)
#define HCR_HOST_NVHE_PROTECTED_FLAGS (HCR_HOST_NVHE_FLAGS | HCR_TSC)
#define HCR_HOST_VHE_FLAGS	(HCR_RW | HCR_TGE | HCR_E2H)

#define CPTR_EL2_TFP_SHIFT	10
#define CPTR_EL2_TCPAC		(UL(1) << 31)
#define CPTR_EL2_TAM		(UL(1) << 30)
#define CPTR_EL2_TTA		(UL(1) << 20)
#define CPTR_EL2_TSM		(UL(1) << 12)
#define CPTR_EL2_TFP		(UL(1) << CPTR_EL2_TFP_SHIFT)
#define CPTR_EL2_TZ		(UL(1) << 8)
#define CPTR_NVHE_EL2_RES1	(BIT(13) | BIT(9) | GENMASK(7, 0))
#define CPTR_EL2_DEFAULT	CPTR_NVHE_EL2_RES1

#define MDCR_EL2_HPMN_MASK	(UL(0x1f))
#define MDCR_EL2_E2PB_SHIFT	(UL(12))

#define CNTHCTL_EL1PCTEN	(1 << 0)
#define CNTHCTL_EL1PCEN		(1 << 1)
#endif
