/* bbmcheck: <asm/memory.h> — kernel virtual memory layout and memory types.
 *
 * VA_BITS is CONFIG_ARM64_VA_BITS.  The linear map starts at PAGE_OFFSET =
 * -(1 << VA_BITS) (the bottom of the TTBR1 range); the kernel image is linked at
 * KIMAGE_VADDR, 128 MiB above the middle of that range (after the modules area):
 * 0xffff800008000000 for 48-bit VA, 0xffffffc008000000 for 39-bit VA.
 *
 * Memory types are MAIR_EL1 attribute indices (the AttrIndx of a descriptor):
 * NORMAL 0, NORMAL_TAGGED 1, NORMAL_NC 2, DEVICE_nGnRnE 3, DEVICE_nGnRE 4 — the
 * v5.11+ numbering.  The pre-v5.11 names MT_DEVICE_GRE and MT_NORMAL_WT, still used
 * by old proc.S files, get the otherwise unused indices 5 and 6 so that a MAIR value
 * built from all names has no overlapping fields. */
#ifndef __BBM_ASM_MEMORY_H
#define __BBM_ASM_MEMORY_H
#include <linux/const.h>
#include <linux/sizes.h>
#include <asm/page-def.h>

#define VA_BITS			(CONFIG_ARM64_VA_BITS)
#define VA_BITS_MIN		(VA_BITS)
#define vabits_actual_is_const	1
#define _PAGE_OFFSET(va)	(-(UL(1) << (va)))
#define _PAGE_END(va)		(-(UL(1) << ((va) - 1)))
#define PAGE_OFFSET		(_PAGE_OFFSET(VA_BITS))
#define PAGE_END		(_PAGE_END(VA_BITS_MIN))
#define MODULES_VSIZE		(SZ_128M)
#define MODULES_VADDR		(_PAGE_END(VA_BITS_MIN))
#define MODULES_END		(MODULES_VADDR + MODULES_VSIZE)
#define KIMAGE_VADDR		(MODULES_END)

#define KERNEL_START		_text
#define KERNEL_END		_end

/* per-task kernel stacks: 16 KiB (no KASAN), aligned to twice their size */
#define KASAN_THREAD_SHIFT	0
#define MIN_THREAD_SHIFT	(14 + KASAN_THREAD_SHIFT)
#define THREAD_SHIFT		MIN_THREAD_SHIFT
#define THREAD_SIZE		(UL(1) << THREAD_SHIFT)
#define THREAD_ALIGN		(2 * THREAD_SIZE)
#define IRQ_STACK_SIZE		THREAD_SIZE
#define OVERFLOW_STACK_SIZE	SZ_4K

/* MAIR_EL1 attribute indices */
#define MT_NORMAL		0
#define MT_NORMAL_TAGGED	1
#define MT_NORMAL_NC		2
#define MT_DEVICE_nGnRnE	3
#define MT_DEVICE_nGnRE		4
#define MT_DEVICE_GRE		5	/* pre-v5.11 name, see above */
#define MT_NORMAL_WT		6	/* pre-v5.11 name, see above */

/* stage-2 memory attributes (MemAttr[3:0]) */
#define MT_S2_NORMAL		0xf
#define MT_S2_NORMAL_NC		0x5
#define MT_S2_DEVICE_nGnRE	0x1
#define MT_S2_FWB_NORMAL	6
#define MT_S2_FWB_NORMAL_NC	5
#define MT_S2_FWB_DEVICE_nGnRE	1

#endif
