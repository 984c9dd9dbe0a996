/* bbmcheck u-boot-arm64: <asm/macro.h> — the ARMv8 helper macros of U-Boot's
 * cache/TLB/MMU code, written for bbmcheck from their documented behaviour.
 * Gas macros are guarded with "#ifndef __BBM_USER_MACRO_<name>". */
#ifndef __BBM_UBOOT_ASM_MACRO_H
#define __BBM_UBOOT_ASM_MACRO_H

#include <asm/system.h>

#ifdef __ASSEMBLY__

/*
 * switch_el xreg, el3_label, el2_label, el1_label: branch by the current
 * exception level (read into xreg): CurrentEL above EL2 -> el3_label, EL2 ->
 * el2_label, below -> el1_label.
 */
#ifndef __BBM_USER_MACRO_switch_el
	.macro	switch_el, xreg, el3_label, el2_label, el1_label
	mrs	\xreg, CurrentEL
	cmp	\xreg, #0x8
	b.gt	\el3_label
	b.eq	\el2_label
	b.lt	\el1_label
	.endm
#endif

/* write32/write16/write8 addr, data: store a constant to a constant address
 * (the value and address come from literal pools; x16/x17 are clobbered) */
#ifndef __BBM_USER_MACRO_write32
	.macro	write32, addr, data
	ldr	w16, =\data
	ldr	x17, =\addr
	str	w16, [x17]
	.endm
#endif

#endif /* __ASSEMBLY__ */
#endif
