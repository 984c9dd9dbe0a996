/* bbmcheck xen-arm64: <asm/asm_defns.h> — for assembly, the structure offsets of
 * <asm/asm-offsets.h>. */
#ifndef __BBM_XEN_ASM_DEFNS_H
#define __BBM_XEN_ASM_DEFNS_H
#include <asm/asm-offsets.h>
#endif
