/* bbmcheck: <linux/kexec.h> — the kexec page-list entry flags (bit numbers and
 * masks) that arm64_relocate_new_kernel tests: an entry is a page address with one
 * of these flags in its low bits. */
#ifndef __BBM_LINUX_KEXEC_H
#define __BBM_LINUX_KEXEC_H
#include <asm/kexec.h>
#define IND_DESTINATION_BIT	0
#define IND_INDIRECTION_BIT	1
#define IND_DONE_BIT		2
#define IND_SOURCE_BIT		3
#define IND_DESTINATION		(1 << IND_DESTINATION_BIT)
#define IND_INDIRECTION		(1 << IND_INDIRECTION_BIT)
#define IND_DONE		(1 << IND_DONE_BIT)
#define IND_SOURCE		(1 << IND_SOURCE_BIT)
#define IND_FLAGS		(IND_DESTINATION | IND_INDIRECTION | IND_DONE | IND_SOURCE)
#endif
