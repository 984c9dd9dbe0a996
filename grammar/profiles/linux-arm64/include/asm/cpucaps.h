/* bbmcheck: <asm/cpucaps.h> — capability names are not numbers here; see
 * <asm/cpufeature.h> and <asm/alternative.h>. */
#ifndef __BBM_ASM_CPUCAPS_H
#define __BBM_ASM_CPUCAPS_H
#endif
