/* bbmcheck: <linux/bits.h>.  BIT(n) is 1 << n; GENMASK(h, l) has bits h..l set.
 * Assembly form (no C types); valid for 0 <= l <= h <= 63. */
#ifndef __BBM_LINUX_BITS_H
#define __BBM_LINUX_BITS_H
#include <linux/const.h>
#define BITS_PER_LONG		64
#define BIT(nr)			(UL(1) << (nr))
#define BIT_ULL(nr)		(ULL(1) << (nr))
/* all ones from bit l up to bit h: (~0 << l) with everything above h cleared */
#define GENMASK(h, l)		((~UL(0) << (l)) & (~UL(0) >> (63 - (h))))
#define GENMASK_ULL(h, l)	GENMASK(h, l)
#endif
