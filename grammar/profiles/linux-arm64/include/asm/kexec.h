/* bbmcheck: <asm/kexec.h> — kexec limits. */
#ifndef __BBM_ASM_KEXEC_H
#define __BBM_ASM_KEXEC_H
#define KEXEC_SOURCE_MEMORY_LIMIT	(-1)
#define KEXEC_DESTINATION_MEMORY_LIMIT	(-1)
#define KEXEC_CONTROL_MEMORY_LIMIT	(-1)
#define KEXEC_CONTROL_PAGE_SIZE		4096
#define KEXEC_ARCH			KEXEC_ARCH_AARCH64
#endif
