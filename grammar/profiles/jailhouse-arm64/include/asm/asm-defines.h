/* bbmcheck jailhouse-arm64: <asm/asm-defines.h>.  Jailhouse's build generates
 * these from its C structures (struct jailhouse_header, jailhouse_system,
 * per_cpu); bbmcheck has no C compiler pass, so they are fixed placeholders —
 * distinct, aligned offsets, not Jailhouse's real ones.  No translation-table or
 * TLB instruction depends on them.  Each can be overridden with -D.
 */
#ifndef __BBM_JH_ASM_DEFINES_H
#define __BBM_JH_ASM_DEFINES_H

/* struct jailhouse_header */
#ifndef HEADER_MAX_CPUS
#define HEADER_MAX_CPUS			0x20
#endif
#ifndef HEADER_CORE_SIZE
#define HEADER_CORE_SIZE		0x28
#endif
#ifndef HEADER_DEBUG_CONSOLE_VIRT
#define HEADER_DEBUG_CONSOLE_VIRT	0x40
#endif
#ifndef HEADER_HYP_STUB_VERSION
#define HEADER_HYP_STUB_VERSION		0x50
#endif
/* struct jailhouse_system */
#ifndef SYSCONFIG_DEBUG_CONSOLE_PHYS
#define SYSCONFIG_DEBUG_CONSOLE_PHYS	0x28
#endif
#ifndef SYSCONFIG_HYPERVISOR_PHYS
#define SYSCONFIG_HYPERVISOR_PHYS	0x10
#endif
/* struct per_cpu: its size, the top of its stack, two fields */
#ifndef PERCPU_SIZE_ASM
#define PERCPU_SIZE_ASM			0x2000
#endif
#ifndef PERCPU_STACK_END
#define PERCPU_STACK_END		0x1000
#endif
#ifndef PERCPU_ID_AA64MMFR0
#define PERCPU_ID_AA64MMFR0		0x1008
#endif
#ifndef PERCPU_SDEI_EVENT
#define PERCPU_SDEI_EVENT		0x1010
#endif
/* addresses of this CPU's VM-exit counters (LOCAL_CPU_BASE + offset) */
#ifndef CPU_STAT_VMEXITS_TOTAL
#define CPU_STAT_VMEXITS_TOTAL		0xffffc0c02100
#endif
#ifndef CPU_STAT_VMEXITS_SMCCC
#define CPU_STAT_VMEXITS_SMCCC		0xffffc0c02108
#endif
/* enum dcache_flush, for arm_dcaches_flush */
#define DCACHE_CLEAN_ASM		0
#define DCACHE_INVALIDATE_ASM		1
#define DCACHE_CLEAN_AND_INVALIDATE_ASM	2

#endif
