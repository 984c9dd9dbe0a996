/* bbmcheck u-boot-arm64: <asm-offsets.h>.  U-Boot generates it from its C
 * structures (global data offsets); the cache, TLB and MMU code uses none of
 * them, so nothing is defined here. */
