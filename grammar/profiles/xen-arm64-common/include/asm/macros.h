/* bbmcheck xen-arm64: <asm/macros.h> (with its arm64 part) — the gas macros Xen's
 * assembly gets from <asm/config.h>.  Written for bbmcheck from their documented
 * behaviour.  Like the Linux profiles, every gas macro is wrapped in
 * "#ifndef __BBM_USER_MACRO_<name>", so a file that defines a macro of the same
 * name itself (older head.S defines adr_l and print_reg) keeps its own.
 */
#ifndef __BBM_XEN_ASM_MACROS_H
#define __BBM_XEN_ASM_MACROS_H

#ifndef __ASSEMBLY__
# error "<asm/macros.h> is for assembly only"
#endif

/* sb: speculation barrier — "dsb nsh; isb" (the profile models CPUs without the
 * SB instruction; Xen patches in SB + NOP at boot where the CPU has it) */
#ifndef __BBM_USER_MACRO_sb
	.macro	sb
	dsb	nsh
	isb
	.endm
#endif

/* nops n: n NOPs */
#ifndef __BBM_USER_MACRO_nops
	.macro	nops, num
	.rept	\num
	nop
	.endr
	.endm
#endif

#if BBM_XEN_RET_SB
/* ret (Xen 4.16+): a RET written as its encoding (so that this macro does not
 * call itself), then a speculation barrier against straight-line speculation */
#ifndef __BBM_USER_MACRO_ret
	.macro	ret
	.inst	0xd65f03c0
	sb
	.endm
#endif

/* clearbhb: clear branch history (HINT #22) */
#ifndef __BBM_USER_MACRO_clearbhb
	.macro	clearbhb
	hint	#22
	.endm
#endif

/* lr is x30 */
lr	.req	x30
#endif

/* adr_cpu_info dst: the struct cpu_info at the top of the current stack */
#ifndef __BBM_USER_MACRO_adr_cpu_info
	.macro	adr_cpu_info, dst
	add	\dst, sp, #STACK_SIZE
	and	\dst, \dst, #~(STACK_SIZE - 1)
	sub	\dst, \dst, #CPUINFO_sizeof
	.endm
#endif

/* ldr_this_cpu dst, sym, tmp: this CPU's copy of per-CPU variable sym (the
 * per-CPU offset is in TPIDR_EL2) */
#ifndef __BBM_USER_MACRO_ldr_this_cpu
	.macro	ldr_this_cpu, dst, sym, tmp
	ldr	\dst, =per_cpu__\sym
	mrs	\tmp, tpidr_el2
	ldr	\dst, [\dst, \tmp]
	.endm
#endif

#if BBM_XEN_RELEASE >= 419
/* adr_l dst, sym: dst = address of sym, PC-relative within +-4 GiB:
 * adrp dst, sym; add dst, dst, :lo12:sym */
#ifndef __BBM_USER_MACRO_adr_l
	.macro	adr_l, dst, sym
	adrp	\dst, \sym
	add	\dst, \dst, :lo12:\sym
	.endm
#endif
#endif

/* Early printk is off: the print helpers produce nothing. */
#define PRINT(s)
#define PRINT_ID(s)
#define PRINT_SECT(section, s)
#if BBM_XEN_RELEASE >= 419
#ifndef __BBM_USER_MACRO_print_reg
	.macro	print_reg, xb
	.endm
#endif
#endif

#endif
