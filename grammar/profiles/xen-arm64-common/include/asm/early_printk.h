/* bbmcheck xen-arm64: <asm/early_printk.h>.  Early printk is not modelled
 * (<xen/config.h> refuses CONFIG_EARLY_PRINTK), so nothing is defined here. */
