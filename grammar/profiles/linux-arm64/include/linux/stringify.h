/* bbmcheck: <linux/stringify.h> — __stringify(x) turns x, macro-expanded, into "x". */
#ifndef __BBM_LINUX_STRINGIFY_H
#define __BBM_LINUX_STRINGIFY_H
#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)
#endif
