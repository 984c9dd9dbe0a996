/* bbmcheck xen-arm64: <asm/config.h> — linkage macros, the hypervisor's virtual
 * memory layout and the stack size.  Written for bbmcheck from the documented
 * layout of each Xen release (the comment block of Xen's config.h/layout.h).
 */
#ifndef __BBM_XEN_ASM_CONFIG_H
#define __BBM_XEN_ASM_CONFIG_H

#include <xen/const.h>

/* ------------------------------------------------------------------ linkage */
#ifdef __ASSEMBLY__

/* ENTRY(f): a global, 4-byte aligned label; GLOBAL(f): a global label;
 * END(f): its size; ENDPROC(f): function type and size. */
#define ALIGN		.align 2
#define ENTRY(name)	.globl name; ALIGN; name:
#define GLOBAL(name)	.globl name; name:
#define END(name)	.size name, . - name
#define ENDPROC(name)	.type name, %function; END(name)

/* Xen 4.19+ linkage: FUNC(f[, align]) a global (hidden) function, FUNC_LOCAL(f)
 * a local one, LABEL/LABEL_LOCAL untyped code labels, DATA/DATA_LOCAL objects.
 * Code is aligned to CONFIG_FUNCTION_ALIGNMENT (or the alignment given) with
 * all-ones padding; END(f) closes any of them. */
#define __bbm_xen_second(d, a, ...)	a
#define __BBM_XEN_ALIGN(dflt, align...)	__bbm_xen_second(-, ##align, dflt)
#define FUNC(name, align...)		.type name, %function; .globl name; .hidden name; \
	.balign __BBM_XEN_ALIGN(CONFIG_FUNCTION_ALIGNMENT, ##align), ~0; name:
#define FUNC_LOCAL(name, align...)	.type name, %function; \
	.balign __BBM_XEN_ALIGN(CONFIG_FUNCTION_ALIGNMENT, ##align), ~0; name:
#define LABEL(name, align...)		.type name, %notype; .globl name; .hidden name; \
	.balign __BBM_XEN_ALIGN(CONFIG_FUNCTION_ALIGNMENT, ##align), ~0; name:
#define LABEL_LOCAL(name, align...)	.type name, %notype; \
	.balign __BBM_XEN_ALIGN(CONFIG_FUNCTION_ALIGNMENT, ##align), ~0; name:
#define DATA(name, align...)		.type name, %object; .globl name; .hidden name; \
	.balign __BBM_XEN_ALIGN(0, ##align), ~0; name:
#define DATA_LOCAL(name, align...)	.type name, %object; \
	.balign __BBM_XEN_ALIGN(0, ##align), ~0; name:

#endif /* __ASSEMBLY__ */

/* ------------------------------------------------------------------ layout */

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1 << PAGE_SHIFT)

#if BBM_XEN_RELEASE >= 418
/* Level-0 slots of 512 GiB: slot n starts at n << 39. */
#define SLOT0_ENTRY_BITS	39
#define SLOT0(slot)		((slot) << SLOT0_ENTRY_BITS)
#define SLOT0_ENTRY_SIZE	SLOT0(1)
#endif

#if BBM_XEN_RELEASE >= 419
/* L0 slots 0..19 are reserved for the identity map; Xen lives in slot 20:
 * its image at +2 MiB (8 MiB reserved), then the fixmap (2 MiB). */
#define IDENTITY_MAPPING_AREA_NR_L0	20
#define XEN_VM_MAPPING		SLOT0(IDENTITY_MAPPING_AREA_NR_L0)
#define XEN_VIRT_START		(XEN_VM_MAPPING + MB(2))
#ifndef XEN_VIRT_SIZE
#define XEN_VIRT_SIZE		MB(8)
#endif
#elif BBM_XEN_RELEASE >= 418
/* L0 slots 0..3 are reserved for the identity map; Xen lives in slot 4: its image
 * at +2 MiB (2 MiB in the early 4.18 cycle), then the fixmap (2 MiB). */
#define IDENTITY_MAPPING_AREA_NR_L0	4
#define XEN_VIRT_START		(SLOT0(4) + MB(2))
#ifndef XEN_VIRT_SIZE
#define XEN_VIRT_SIZE		MB(2)
#endif
#else
/* Xen 4.12-4.17: the image at 2 MiB, the fixmap at 4 MiB. */
#define XEN_VIRT_START		0x00200000
#ifndef XEN_VIRT_SIZE
#define XEN_VIRT_SIZE		MB(2)
#endif
#endif

#define FIXMAP_VIRT_START	(XEN_VIRT_START + XEN_VIRT_SIZE)
#define FIXMAP_VIRT_SIZE	MB(2)
/* FIXMAP_ADDR(n): the virtual address of fixmap slot n (4 KiB each) */
#define FIXMAP_ADDR(n)		(FIXMAP_VIRT_START + (n) * PAGE_SIZE)
/* fixmap slot of the early UART */
#define FIXMAP_CONSOLE		0
#define BOOT_FDT_VIRT_START	(FIXMAP_VIRT_START + FIXMAP_VIRT_SIZE)
#define BOOT_FDT_VIRT_SIZE	MB(4)
#define HYPERVISOR_VIRT_START	XEN_VIRT_START

/* XEN_NR_ENTRIES(lvl): how many level-lvl entries map the image area */
#define XEN_NR_ENTRIES(lvl)	(XEN_VIRT_SIZE / XEN_PT_LEVEL_SIZE(lvl))

/* 8 pages of stack per CPU */
#define STACK_ORDER		3
#define STACK_SIZE		(PAGE_SIZE << STACK_ORDER)

#if defined(__ASSEMBLY__)
#include <asm/asm_defns.h>
#include <asm/macros.h>
#endif

#endif
