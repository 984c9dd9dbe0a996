/* bbmcheck: <asm/debug-monitors.h> — MDSCR_EL1 bits (SS: software step 0,
 * KDE: local debug enable 13, MDE: monitor debug enable 15) and the BRK
 * immediates. */
#ifndef __BBM_ASM_DEBUG_MONITORS_H
#define __BBM_ASM_DEBUG_MONITORS_H
#include <asm/brk-imm.h>
#define DBG_MDSCR_SS		(1 << 0)
#define DBG_SPSR_SS		(1 << 21)
#define DBG_MDSCR_KDE		(1 << 13)
#define DBG_MDSCR_MDE		(1 << 15)
#define DBG_MDSCR_MASK		~(DBG_MDSCR_KDE | DBG_MDSCR_MDE)
#endif
