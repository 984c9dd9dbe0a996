/* bbmcheck: <asm/asm-bug.h> — ASM_BUG(): a BRK #0x800 (BUG_BRK_IMM), which the
 * kernel's debug exception handler reports as a BUG.  The kernel also records the
 * site in the __bug_table section; that metadata is left out here (it is data in
 * another section and changes no instruction). */
#ifndef __BBM_ASM_ASM_BUG_H
#define __BBM_ASM_ASM_BUG_H
#include <asm/brk-imm.h>
#define ASM_BUG_FLAGS(flags)	brk	BUG_BRK_IMM
#define ASM_BUG()		ASM_BUG_FLAGS(0)
#endif
