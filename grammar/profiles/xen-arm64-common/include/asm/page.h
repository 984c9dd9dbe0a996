/* bbmcheck xen-arm64: <asm/page.h> — memory attribute indices and the MAIR value
 * Xen programs, plus (through its includes) the LPAE geometry and the processor
 * control bits.  Written for bbmcheck from the documented encodings. */
#ifndef __BBM_XEN_ASM_PAGE_H
#define __BBM_XEN_ASM_PAGE_H

#include <xen/const.h>
#include <asm/lpae.h>
#include <asm/processor.h>

/* AttrIndx values of Xen's descriptors (indices into MAIR_EL2) */
#define MT_DEVICE_nGnRnE	0x0
#define MT_NORMAL_NC		0x1
#define MT_NORMAL_WT		0x2
#define MT_NORMAL_WB		0x3
#define MT_DEVICE_nGnRE		0x4
#define MT_NORMAL		0x7

/* The attribute byte of each index: Device-nGnRnE 0x00, Normal non-cacheable
 * 0x44, write-through 0xaa, write-back 0xee, Device-nGnRE 0x04, Normal
 * write-back write-allocate 0xff.  MAIR0VAL holds indices 0-3, MAIR1VAL 4-7. */
#define __BBM_MAIR_BYTE(attr, idx)	((attr) << (((idx) % 4) * 8))
#define MAIR0VAL	(__BBM_MAIR_BYTE(0x00, MT_DEVICE_nGnRnE) | \
			 __BBM_MAIR_BYTE(0x44, MT_NORMAL_NC) | \
			 __BBM_MAIR_BYTE(0xaa, MT_NORMAL_WT) | \
			 __BBM_MAIR_BYTE(0xee, MT_NORMAL_WB))
#define MAIR1VAL	(__BBM_MAIR_BYTE(0x04, MT_DEVICE_nGnRE) | \
			 __BBM_MAIR_BYTE(0xff, MT_NORMAL))
#define MAIRVAL		((MAIR1VAL << 32) | MAIR0VAL)

#endif
