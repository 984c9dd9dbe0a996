/* bbmcheck tf-a-aarch64: <lib/spinlock.h>.  Spinlocks are C-side only here:
 * nothing is defined for assembly. */
