/* bbmcheck tf-a-aarch64: <lib/cpus/cpu_ops.h>.  The per-CPU operations table
 * (reset handlers, errata reporting) is not modelled: nothing is defined here. */
