/* bbmcheck: <asm/pgtable.h> — in assembly: the layout, descriptor and protection
 * constants (<asm/memory.h>, <asm/pgtable-hwdef.h>, <asm/pgtable-prot.h>). */
#ifndef __BBM_ASM_PGTABLE_H
#define __BBM_ASM_PGTABLE_H
#include <asm/memory.h>
#include <asm/pgtable-hwdef.h>
#include <asm/pgtable-prot.h>
#endif
