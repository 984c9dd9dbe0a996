/* bbmcheck: <asm/sparsemem.h> — memory sections of 128 MiB with 4 KiB pages. */
#ifndef __BBM_ASM_SPARSEMEM_H
#define __BBM_ASM_SPARSEMEM_H
#define MAX_PHYSMEM_BITS	CONFIG_ARM64_PA_BITS
#define SECTION_SIZE_BITS	27
#endif
