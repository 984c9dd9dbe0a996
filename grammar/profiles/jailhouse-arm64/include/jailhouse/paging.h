/* bbmcheck jailhouse-arm64: <jailhouse/paging.h> — for assembly, the arm64 paging
 * constants of <asm/paging.h> and the system-register bits of <asm/sysregs.h>. */
#ifndef __BBM_JH_PAGING_H
#define __BBM_JH_PAGING_H
#include <asm/paging.h>
#include <asm/sysregs.h>
#endif
