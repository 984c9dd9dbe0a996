/* bbmcheck tf-a-aarch64: <lib/utils_def.h> — integer-constant helpers.  In
 * assembly the C suffixes are dropped. */
#ifndef __BBM_TFA_UTILS_DEF_H
#define __BBM_TFA_UTILS_DEF_H

#ifdef __ASSEMBLER__
#define U(x)		(x)
#define UL(x)		(x)
#define ULL(x)		(x)
#define L(x)		(x)
#define LL(x)		(x)
#else
#define U(x)		(x##U)
#define UL(x)		(x##UL)
#define ULL(x)		(x##ULL)
#define L(x)		(x##L)
#define LL(x)		(x##LL)
#endif

/* BIT(n): bit n of a 64-bit value (AArch64) */
#define BIT_32(n)	(U(1) << (n))
#define BIT_64(n)	(ULL(1) << (n))
#define BIT(n)		BIT_64(n)

#endif
