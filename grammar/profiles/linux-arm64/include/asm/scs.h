/* bbmcheck: <asm/scs.h> — shadow call stack (x18) switching.  CONFIG_SHADOW_CALL_STACK
 * needs clang and is off in this profile, so scs_load / scs_save /
 * scs_load_current produce no instruction; with it on they move x18 to/from the
 * task's saved shadow stack pointer. */
#ifndef __BBM_ASM_SCS_H
#define __BBM_ASM_SCS_H
#include <asm/asm-offsets.h>
#ifdef CONFIG_SHADOW_CALL_STACK
	scs_sp	.req	x18
#ifndef __BBM_USER_MACRO_scs_load
	.macro	scs_load, tsk
	ldr	scs_sp, [\tsk, #TSK_TI_SCS_SP]
	.endm
#endif
#ifndef __BBM_USER_MACRO_scs_load_current
	.macro	scs_load_current
	get_current_task scs_sp
	ldr	scs_sp, [scs_sp, #TSK_TI_SCS_SP]
	.endm
#endif
#ifndef __BBM_USER_MACRO_scs_save
	.macro	scs_save, tsk
	str	scs_sp, [\tsk, #TSK_TI_SCS_SP]
	.endm
#endif
#else
#ifndef __BBM_USER_MACRO_scs_load
	.macro	scs_load, tsk
	.endm
#endif
#ifndef __BBM_USER_MACRO_scs_load_current
	.macro	scs_load_current
	.endm
#endif
#ifndef __BBM_USER_MACRO_scs_save
	.macro	scs_save, tsk
	.endm
#endif
#endif
#endif
