/* bbmcheck: <asm/page.h> — in assembly only the granule constants of <asm/page-def.h>. */
#ifndef __BBM_ASM_PAGE_H
#define __BBM_ASM_PAGE_H
#include <asm/page-def.h>
#endif
