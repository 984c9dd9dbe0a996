/* bbmcheck optee-arm64: <util.h> — bit helpers for assembly. */
#ifndef __BBM_OPTEE_UTIL_H
#define __BBM_OPTEE_UTIL_H
#ifdef __ASSEMBLER__
#define BIT32(n)	(1 << (n))
#define BIT64(n)	(1 << (n))
#define BIT(n)		BIT32(n)
#define SHIFT_U32(v, s)	((v) << (s))
#define SHIFT_U64(v, s)	((v) << (s))
#endif
#endif
