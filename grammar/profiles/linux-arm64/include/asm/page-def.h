/* bbmcheck: <asm/page-def.h> — the translation granule: PAGE_SHIFT (12 for 4 KiB),
 * PAGE_SIZE = 1 << PAGE_SHIFT, PAGE_MASK = ~(PAGE_SIZE - 1). */
#ifndef __BBM_ASM_PAGE_DEF_H
#define __BBM_ASM_PAGE_DEF_H
#include <linux/const.h>
#define PAGE_SHIFT		CONFIG_ARM64_PAGE_SHIFT
#define PAGE_SIZE		(_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#endif
