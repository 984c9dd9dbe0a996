/* bbmcheck: <asm/asm-offsets.h> — structure offsets for assembly.
 *
 * The kernel generates this file from its C structures at build time, so the
 * values depend on the exact kernel version and configuration.  These are
 * PLACEHOLDERS: each is a plausible offset (aligned for the access that uses it,
 * in range for the instruction's immediate), and where the structure layout is
 * fixed by its definition the real value is used (marked "exact").  bbmcheck's
 * verdicts never depend on these numbers except as addresses of memory the routine
 * reads or writes; a spec can bind them differently.  Override any of them with -D.
 */
#ifndef __BBM_ASM_ASM_OFFSETS_H
#define __BBM_ASM_ASM_OFFSETS_H


/* struct task_struct / thread_info (placeholders) */
#ifndef TSK_TI_FLAGS
#define TSK_TI_FLAGS			0
#endif
#ifndef TSK_TI_PREEMPT
#define TSK_TI_PREEMPT			8
#endif
#ifndef TSK_TI_CPU
#define TSK_TI_CPU			24
#endif
#ifndef TSK_TI_SCS_BASE
#define TSK_TI_SCS_BASE			32
#endif
#ifndef TSK_TI_SCS_SP
#define TSK_TI_SCS_SP			40
#endif
#ifndef TSK_STACK
#define TSK_STACK			56
#endif
#ifndef TSK_STACK_CANARY
#define TSK_STACK_CANARY		1376
#endif
#ifndef THREAD_CPU_CONTEXT
#define THREAD_CPU_CONTEXT		2048
#endif
#ifndef THREAD_SCTLR_USER
#define THREAD_SCTLR_USER		2224
#endif
#ifndef THREAD_KEYS_USER
#define THREAD_KEYS_USER		2240
#endif
#ifndef THREAD_KEYS_KERNEL
#define THREAD_KEYS_KERNEL		2320
#endif

/* struct pt_regs (placeholders) */
#ifndef S_X0
#define S_X0				0
#endif
#ifndef S_PC
#define S_PC				256
#endif
#ifndef S_PSTATE
#define S_PSTATE			264
#endif
#ifndef S_SYSCALLNO
#define S_SYSCALLNO			280
#endif
#ifndef S_STACKFRAME
#define S_STACKFRAME			304
#endif
#ifndef PT_REGS_SIZE
#define PT_REGS_SIZE			336
#endif

/* struct secondary_data: the task pointer is its first member (exact) */
#ifndef CPU_BOOT_TASK
#define CPU_BOOT_TASK			0
#endif

/* struct mm_struct / vm_area_struct (placeholders) */
#ifndef MM_CONTEXT_ID
#define MM_CONTEXT_ID			752
#endif
#ifndef VMA_VM_MM
#define VMA_VM_MM			16
#endif

/* struct ptrauth_keys_kernel: APIA key first (exact); struct ptrauth_keys_user */
#ifndef PTRAUTH_KERNEL_KEY_APIA
#define PTRAUTH_KERNEL_KEY_APIA		0
#endif
#ifndef PTRAUTH_USER_KEY_APIA
#define PTRAUTH_USER_KEY_APIA		0
#endif
#ifndef PTRAUTH_USER_KEY_APIB
#define PTRAUTH_USER_KEY_APIB		16
#endif
#ifndef PTRAUTH_USER_KEY_APDA
#define PTRAUTH_USER_KEY_APDA		32
#endif
#ifndef PTRAUTH_USER_KEY_APDB
#define PTRAUTH_USER_KEY_APDB		48
#endif
#ifndef PTRAUTH_USER_KEY_APGA
#define PTRAUTH_USER_KEY_APGA		64
#endif

/* struct pbe {address; orig_address; next} (exact) */
#ifndef HIBERN_PBE_ADDR
#define HIBERN_PBE_ADDR			0
#endif
#ifndef HIBERN_PBE_ORIG
#define HIBERN_PBE_ORIG			8
#endif
#ifndef HIBERN_PBE_NEXT
#define HIBERN_PBE_NEXT			16
#endif
#ifndef HIBERN_PBE_SIZE
#define HIBERN_PBE_SIZE			24
#endif

/* struct kimage and its kimage_arch (placeholders) */
#ifndef KIMAGE_HEAD
#define KIMAGE_HEAD			0
#endif
#ifndef KIMAGE_START
#define KIMAGE_START			8
#endif
#ifndef KIMAGE_ARCH_DTB_MEM
#define KIMAGE_ARCH_DTB_MEM		400
#endif
#ifndef KIMAGE_ARCH_EL2_VECTORS
#define KIMAGE_ARCH_EL2_VECTORS		408
#endif
#ifndef KIMAGE_ARCH_ZERO_PAGE
#define KIMAGE_ARCH_ZERO_PAGE		416
#endif
#ifndef KIMAGE_ARCH_PHYS_OFFSET
#define KIMAGE_ARCH_PHYS_OFFSET		424
#endif
#ifndef KIMAGE_ARCH_TTBR1
#define KIMAGE_ARCH_TTBR1		432
#endif

/* struct kvm_nvhe_init_params, in member order (placeholders following that order) */
#ifndef NVHE_INIT_MAIR_EL2
#define NVHE_INIT_MAIR_EL2		0
#endif
#ifndef NVHE_INIT_TCR_EL2
#define NVHE_INIT_TCR_EL2		8
#endif
#ifndef NVHE_INIT_TPIDR_EL2
#define NVHE_INIT_TPIDR_EL2		16
#endif
#ifndef NVHE_INIT_STACK_HYP_VA
#define NVHE_INIT_STACK_HYP_VA		24
#endif
#ifndef NVHE_INIT_PGD_PA
#define NVHE_INIT_PGD_PA		32
#endif
#ifndef NVHE_INIT_HCR_EL2
#define NVHE_INIT_HCR_EL2		40
#endif
#ifndef NVHE_INIT_VTTBR
#define NVHE_INIT_VTTBR			48
#endif
#ifndef NVHE_INIT_VTCR
#define NVHE_INIT_VTCR			56
#endif
#ifndef NVHE_INIT_TMP
#define NVHE_INIT_TMP			64
#endif

/* struct arm64_ftr_reg: the system-wide safe value (placeholder) */
#ifndef ARM64_FTR_SYSVAL
#define ARM64_FTR_SYSVAL		8
#endif

/* softirq / preemption bookkeeping (placeholders) */
#ifndef IRQ_CPUSTAT_SOFTIRQ_PENDING
#define IRQ_CPUSTAT_SOFTIRQ_PENDING	0
#endif
#ifndef PREEMPT_DISABLE_OFFSET
#define PREEMPT_DISABLE_OFFSET		1
#endif
#ifndef SOFTIRQ_SHIFT
#define SOFTIRQ_SHIFT			8
#endif

#endif
