/* bbmcheck xen-arm64: <xen/config.h>, force-included into every file as Xen's
 * build does.  Written for bbmcheck (docs/profiles.md, "xen-arm64").
 *
 * It checks that the configuration is one the profiles model, then pulls in the
 * architecture's configuration (<asm/config.h>: linkage macros, memory layout,
 * and for assembly the gas macros of <asm/macros.h>).
 */
#ifndef __BBM_XEN_CONFIG_H
#define __BBM_XEN_CONFIG_H

#ifndef CONFIG_ARM_64
# error "bbmcheck xen-arm64 profiles model 64-bit Xen only (CONFIG_ARM_64)"
#endif
#ifdef CONFIG_EARLY_PRINTK
# error "bbmcheck xen-arm64 profiles do not model early printk (CONFIG_EARLY_PRINTK): the UART code is not part of any BBM sequence"
#endif
#if !defined(BBM_XEN_RELEASE) || (BBM_XEN_RELEASE != 412 && BBM_XEN_RELEASE != 418 && BBM_XEN_RELEASE != 419)
# error "BBM_XEN_RELEASE must be 412, 418 or 419 (use one of the xen-arm64* profiles)"
#endif

#include <asm/config.h>

#endif
