/* bbmcheck: <asm-generic/export.h> (older kernels) — see <linux/export.h>. */
#include <linux/export.h>
