/* bbmcheck u-boot-arm64: <config.h>.  The board configuration; the cache, TLB
 * and MMU code depends on no board value, so nothing is defined here. */
