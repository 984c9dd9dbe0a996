/* bbmcheck tf-a-aarch64: <lib/xlat_tables/xlat_mmu_helpers.h>.
 *
 * Flags of enable_mmu_*(): DISABLE_DCACHE leaves SCTLR_ELx.C clear;
 * XLAT_TABLE_NC makes the table walks non-cacheable (a TCR setting).
 * mmu_cfg_params[] is an array of 64-bit values set up by setup_mmu_cfg():
 * MAIR at index 0, TCR at 1, TTBR0 at 2.
 */
#ifndef __BBM_TFA_XLAT_MMU_HELPERS_H
#define __BBM_TFA_XLAT_MMU_HELPERS_H
#include <lib/utils_def.h>

#define DISABLE_DCACHE		(U(1) << 0)
#define XLAT_TABLE_NC		(U(1) << 1)

#define MMU_CFG_MAIR		0
#define MMU_CFG_TCR		1
#define MMU_CFG_TTBR0		2
#define MMU_CFG_PARAM_MAX	3

#endif
