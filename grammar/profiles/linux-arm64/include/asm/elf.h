/* bbmcheck: <asm/elf.h> — the ELF relocation types the kernel's self-relocation
 * code handles. */
#ifndef __BBM_ASM_ELF_H
#define __BBM_ASM_ELF_H
#define R_AARCH64_NONE		256
#define R_AARCH64_ABS64		257
#define R_AARCH64_ABS32		258
#define R_AARCH64_RELATIVE	1027
#endif
