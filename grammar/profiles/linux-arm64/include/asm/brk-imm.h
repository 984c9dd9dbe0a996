/* bbmcheck: <asm/brk-imm.h> — BRK immediates the kernel's handlers recognise. */
#ifndef __BBM_ASM_BRK_IMM_H
#define __BBM_ASM_BRK_IMM_H
#define KPROBES_BRK_IMM		0x004
#define UPROBES_BRK_IMM		0x005
#define KPROBES_BRK_SS_IMM	0x006
#define FAULT_BRK_IMM		0x100
#define KGDB_DYN_DBG_BRK_IMM	0x400
#define KGDB_COMPILED_DBG_BRK_IMM 0x401
#define BUG_BRK_IMM		0x800
#define KASAN_BRK_IMM		0x900
#define KASAN_BRK_MASK		0x0ff
#endif
