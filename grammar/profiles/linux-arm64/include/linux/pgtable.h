/* bbmcheck: <linux/pgtable.h> — in assembly it only pulls in <asm/pgtable.h>. */
#ifndef __BBM_LINUX_PGTABLE_H
#define __BBM_LINUX_PGTABLE_H
#include <asm/pgtable.h>
#endif
