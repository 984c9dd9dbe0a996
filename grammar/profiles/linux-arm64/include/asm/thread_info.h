/* bbmcheck: <asm/thread_info.h> — thread flag bit numbers used from assembly. */
#ifndef __BBM_ASM_THREAD_INFO_H
#define __BBM_ASM_THREAD_INFO_H
#include <asm/memory.h>
#define TIF_SIGPENDING		0
#define TIF_NEED_RESCHED	1
#define TIF_NOTIFY_RESUME	2
#define TIF_FOREIGN_FPSTATE	3
#define TIF_UPROBE		4
#define TIF_MTE_ASYNC_FAULT	5
#define TIF_NOTIFY_SIGNAL	6
#define TIF_SYSCALL_TRACE	8
#define TIF_SYSCALL_AUDIT	9
#define TIF_SYSCALL_TRACEPOINT	10
#define TIF_SECCOMP		11
#define TIF_SYSCALL_EMU		12
#define TIF_MEMDIE		18
#define TIF_FREEZE		19
#define TIF_RESTORE_SIGMASK	20
#define TIF_SINGLESTEP		21
#define TIF_32BIT		22
#define TIF_SVE			23
#define TIF_SVE_VL_INHERIT	24
#define TIF_SSBD		25
#define TIF_TAGGED_ADDR		26
#endif
