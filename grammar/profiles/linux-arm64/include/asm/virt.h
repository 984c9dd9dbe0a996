/* bbmcheck: <asm/virt.h> — the EL2 stub's hypercall numbers and the boot-mode
 * markers.  HVC_SET_VECTORS 0, HVC_SOFT_RESTART 1, HVC_RESET_VECTORS 2,
 * HVC_FINALISE_EL2 3 (HVC_VHE_RESTART before v6.3), HVC_STUB_HCALL_NR 4 (the
 * first number the stub does not handle); HVC_STUB_ERR is what it returns for an
 * unknown call.  The boot CPU mode is recorded as 0xe11 (EL1) or 0xe12 (EL2). */
#ifndef __BBM_ASM_VIRT_H
#define __BBM_ASM_VIRT_H
#include <asm/ptrace.h>
#include <asm/sysreg.h>
#define HVC_SET_VECTORS		0
#define HVC_SOFT_RESTART	1
#define HVC_RESET_VECTORS	2
#define HVC_FINALISE_EL2	3
#define HVC_VHE_RESTART		3
#define HVC_STUB_HCALL_NR	4
#define HVC_STUB_ERR		0xbadca11
#define BOOT_CPU_MODE_EL1	(0xe11)
#define BOOT_CPU_MODE_EL2	(0xe12)
#endif
