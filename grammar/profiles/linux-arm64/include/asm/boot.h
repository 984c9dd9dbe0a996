/* bbmcheck: <asm/boot.h> — boot protocol limits: the FDT is at most 2 MiB and the
 * kernel image is placed on a 2 MiB boundary. */
#ifndef __BBM_ASM_BOOT_H
#define __BBM_ASM_BOOT_H
#include <linux/bits.h>
#include <linux/sizes.h>
#define FDT_MAGIC		0xd00dfeed
#define MAX_FDT_SIZE		SZ_2M
#define MIN_KIMG_ALIGN		SZ_2M
#define BOOT_CPU_FLAG_E2H	BIT_ULL(32)
#endif
