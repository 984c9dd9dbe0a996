/* bbmcheck edk2-aarch64: <AsmMacroLib.h> (MdePkg/Include/AArch64): see
 * __bbm_edk2_aarch64_asm.h for the macros and what they produce. */
#include <__bbm_edk2_aarch64_asm.h>
