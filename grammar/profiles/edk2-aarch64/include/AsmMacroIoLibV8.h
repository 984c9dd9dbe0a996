/* bbmcheck edk2-aarch64: <AsmMacroIoLibV8.h> (ArmPkg/Include, until 2023): the
 * same macros as <AsmMacroLib.h>; see __bbm_edk2_aarch64_asm.h. */
#include <__bbm_edk2_aarch64_asm.h>
