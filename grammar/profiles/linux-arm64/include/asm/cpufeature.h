/* bbmcheck: <asm/cpufeature.h> — in assembly: the capability machinery.
 *
 * In the kernel, capability names (ARM64_HAS_VA52, ...) are numbers from the
 * generated <asm/cpucaps.h>.  Here they stay names: the alternative_* macros of
 * <asm/alternative.h> compare them against the profile's capability list.  Any
 * name is accepted; a capability not in the list is absent. */
#ifndef __BBM_ASM_CPUFEATURE_H
#define __BBM_ASM_CPUFEATURE_H
#include <asm/alternative.h>
#include <asm/hwcap.h>
#include <asm/sysreg.h>
#define ARM64_SW_FEATURE_OVERRIDE_NOKASLR	0
#define ARM64_SW_FEATURE_OVERRIDE_HVHE		4
#define ARM64_SW_FEATURE_OVERRIDE_RODATA_OFF	8
#endif
