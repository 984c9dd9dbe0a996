/* bbmcheck tf-a-aarch64: <lib/xlat_tables/xlat_tables_v2.h> — for assembly, the
 * MMU-enable flags and the layout of the mmu_cfg_params array (see
 * <lib/xlat_tables/xlat_mmu_helpers.h>). */
#ifndef __BBM_TFA_XLAT_TABLES_V2_H
#define __BBM_TFA_XLAT_TABLES_V2_H
#include <lib/utils_def.h>
#include <lib/xlat_tables/xlat_mmu_helpers.h>
#endif
