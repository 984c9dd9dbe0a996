/* bbmcheck u-boot-arm64: <asm/linkage.h> — functions are 4-byte aligned */
#ifndef __BBM_UBOOT_ASM_LINKAGE_H
#define __BBM_UBOOT_ASM_LINKAGE_H
#define __ALIGN		.p2align 2
#define __ALIGN_STR	".p2align 2"
#endif
