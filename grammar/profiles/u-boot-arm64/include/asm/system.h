/* bbmcheck u-boot-arm64: <asm/system.h> — the SCTLR_ELx bits and exception-level
 * values U-Boot's ARMv8 code uses, from the Arm ARM register descriptions. */
#ifndef __BBM_UBOOT_ASM_SYSTEM_H
#define __BBM_UBOOT_ASM_SYSTEM_H

/* CurrentEL values */
#define CURRENTEL_EL1		(1 << 2)
#define CURRENTEL_EL2		(2 << 2)
#define CURRENTEL_EL3		(3 << 2)

/* SCTLR_ELx */
#define CR_M		(1 << 0)	/* MMU enable */
#define CR_A		(1 << 1)	/* alignment check */
#define CR_C		(1 << 2)	/* data cacheability */
#define CR_SA		(1 << 3)	/* SP alignment check */
#define CR_I		(1 << 12)	/* instruction cacheability */
#define CR_WXN		(1 << 19)	/* write implies execute-never */
#define CR_EE		(1 << 25)	/* big-endian data */

#endif
