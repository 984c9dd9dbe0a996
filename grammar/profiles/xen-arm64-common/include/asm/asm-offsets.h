/* bbmcheck xen-arm64: <asm/asm-offsets.h>.  Xen's build generates these offsets
 * from its C structures; bbmcheck has no C compiler pass, so these are fixed
 * values.  Only `launch` (the stack setup before C) and `adr_cpu_info` use them;
 * no translation-table or TLB code does.  Each can be overridden with -D.
 */
#ifndef __BBM_XEN_ASM_OFFSETS_H
#define __BBM_XEN_ASM_OFFSETS_H

/* offset of `stack` in struct init_info (its first member) */
#ifndef INITINFO_stack
#define INITINFO_stack		0
#endif
/* sizeof(struct cpu_info) at the top of each stack (guest registers + ELR + flags;
 * an approximation) */
#ifndef CPUINFO_sizeof
#define CPUINFO_sizeof		0x130
#endif

#endif
