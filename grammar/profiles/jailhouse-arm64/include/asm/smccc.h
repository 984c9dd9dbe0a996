/* bbmcheck jailhouse-arm64: <asm/smccc.h> — SMC calling convention and SDEI
 * function identifiers (Arm SMCCC and SDEI specifications). */
#ifndef __BBM_JH_ASM_SMCCC_H
#define __BBM_JH_ASM_SMCCC_H
#define SMCCC_VERSION			0x80000000
#define SMCCC_ARCH_FEATURES		0x80000001
#define SMCCC_ARCH_WORKAROUND_1		0x80008000
#define SMCCC_ARCH_WORKAROUND_2		0x80007fff
#define SDEI_EVENT_COMPLETE		0xc4000025
#define SDEI_EV_HANDLED			0
#endif
