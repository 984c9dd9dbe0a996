/* bbmcheck xen-arm64: <xen/const.h> — constant helpers usable from C and asm.
 * In assembly a type suffix or cast is dropped. */
#ifndef __BBM_XEN_CONST_H
#define __BBM_XEN_CONST_H

#ifdef __ASSEMBLY__
#define _AC(x, y)	x
#define _AT(t, x)	x
#else
#define _AC(x, y)	(x##y)
#define _AT(t, x)	((t)(x))
#endif

/* BIT(n, sfx): bit n set */
#define BIT(n, sfx)	(_AC(1, sfx) << (n))

#define KB(x)		((x) << 10)
#define MB(x)		((x) << 20)
#define GB(x)		((x) << 30)

#endif
