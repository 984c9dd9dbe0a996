/* bbmcheck optee-arm64: <arm64.h> — AArch64 register fields OP-TEE's core
 * assembly uses, from the Arm ARM register descriptions. */
#ifndef __BBM_OPTEE_ARM64_H
#define __BBM_OPTEE_ARM64_H

#include <util.h>

/* TLBI operands: VA[55:12] in bits 43:0, the ASID in bits 63:48 */
#define TLBI_VA_SHIFT		12
#define TLBI_ASID_SHIFT		48

/* SCTLR_EL1 */
#define SCTLR_M			BIT64(0)
#define SCTLR_A			BIT64(1)
#define SCTLR_C			BIT64(2)
#define SCTLR_SA		BIT64(3)
#define SCTLR_I			BIT64(12)
#define SCTLR_WXN		BIT64(19)

/* DAIF bits for msr daifset/daifclr */
#define DAIFBIT_FIQ		BIT32(0)
#define DAIFBIT_IRQ		BIT32(1)
#define DAIFBIT_ABT		BIT32(2)
#define DAIFBIT_DBG		BIT32(3)
#define DAIFBIT_ALL		(DAIFBIT_FIQ | DAIFBIT_IRQ | DAIFBIT_ABT | DAIFBIT_DBG)

#endif
