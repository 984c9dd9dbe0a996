/* bbmcheck: <asm/smp.h> — early secondary-CPU boot status values: the low byte is
 * the state, bits 11:8 the reason a CPU is stuck in the kernel. */
#ifndef __BBM_ASM_SMP_H
#define __BBM_ASM_SMP_H
#include <linux/const.h>
#define CPU_MMU_OFF			(-1)
#define CPU_BOOT_SUCCESS		(0)
#define CPU_KILL_ME			(1)
#define CPU_STUCK_IN_KERNEL		(2)
#define CPU_PANIC_KERNEL		(3)
#define CPU_STUCK_REASON_SHIFT		(8)
#define CPU_STUCK_REASON_52_BIT_VA	(UL(1) << CPU_STUCK_REASON_SHIFT)
#define CPU_STUCK_REASON_NO_GRAN	(UL(2) << CPU_STUCK_REASON_SHIFT)
#endif
