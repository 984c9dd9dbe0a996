/* bbmcheck: <asm/cache.h> — CTR_EL0 fields and the cache line size the kernel
 * aligns to (L1_CACHE_BYTES = 64). */
#ifndef __BBM_ASM_CACHE_H
#define __BBM_ASM_CACHE_H
#define L1_CACHE_SHIFT		(6)
#define L1_CACHE_BYTES		(1 << L1_CACHE_SHIFT)
#define ARCH_DMA_MINALIGN	(128)
#define CTR_EL0_IminLine_SHIFT	0
#define CTR_EL0_L1Ip_SHIFT	14
#define CTR_EL0_DminLine_SHIFT	16
#define CTR_EL0_ERG_SHIFT	20
#define CTR_EL0_CWG_SHIFT	24
#define CTR_EL0_IDC_SHIFT	28
#define CTR_EL0_DIC_SHIFT	29
#endif
