/* bbmcheck: <linux/init.h> — section switches for boot-time code and data.
 *   __HEAD  -> .head.text (ax)      __INIT -> .init.text (ax)   __FINIT -> .previous
 *   __INITDATA -> .init.data (aw)   __INITRODATA -> .init.rodata (a)
 *   __FINITDATA -> .previous        __REF / __REFDATA / __REFCONST -> .ref.*  */
#ifndef __BBM_LINUX_INIT_H
#define __BBM_LINUX_INIT_H
#define __HEAD		.section	".head.text","ax"
#define __INIT		.section	".init.text","ax"
#define __FINIT		.previous
#define __INITDATA	.section	".init.data","aw",%progbits
#define __INITRODATA	.section	".init.rodata","a",%progbits
#define __FINITDATA	.previous
#define __REF		.section	".ref.text", "ax"
#define __REFDATA	.section	".ref.data", "aw"
#define __REFCONST	.section	".ref.rodata", "a"
#endif
