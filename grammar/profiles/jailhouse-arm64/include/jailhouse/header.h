/* bbmcheck jailhouse-arm64: <jailhouse/header.h> — for assembly, where the
 * hypervisor is linked (its virtual base). */
#ifndef __BBM_JH_HEADER_H
#define __BBM_JH_HEADER_H
#define JAILHOUSE_BASE		0xffffc0200000
#endif
