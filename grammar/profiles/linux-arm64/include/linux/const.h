/* bbmcheck: <linux/const.h> (uapi/linux/const.h + vdso/const.h).
 * In assembly, integer-suffix helpers drop the C suffix: _AC(1, UL) is 1 and
 * _AT(type, x) is x.  gas evaluates all expressions in 64 bits. */
#ifndef __BBM_LINUX_CONST_H
#define __BBM_LINUX_CONST_H
#define _AC(X, Y)	X
#define _AT(T, X)	X
#define _UL(x)		(_AC(x, UL))
#define _ULL(x)		(_AC(x, ULL))
#define _BITUL(x)	(_UL(1) << (x))
#define _BITULL(x)	(_ULL(1) << (x))
#define UL(x)		(_UL(x))
#define ULL(x)		(_ULL(x))
#endif
