/* bbmcheck: <asm/bug.h> — see <asm/asm-bug.h>. */
#ifndef __BBM_ASM_BUG_H
#define __BBM_ASM_BUG_H
#include <asm/asm-bug.h>
#endif
