/* bbmcheck: <linux/cfi_types.h>.  With kCFI (CONFIG_CFI_CLANG, clang only) off — as
 * in every gcc build — a typed function start is an ordinary SYM_FUNC_START: no
 * type hash word precedes the function. */
#ifndef __BBM_LINUX_CFI_TYPES_H
#define __BBM_LINUX_CFI_TYPES_H
#include <linux/linkage.h>
#ifdef CONFIG_CFI_CLANG
#error "bbmcheck linux profiles do not model CONFIG_CFI_CLANG (type-hash prefixes)"
#endif
#define SYM_TYPED_ENTRY(name, linkage, align...)	SYM_ENTRY(name, linkage, align)
#define SYM_TYPED_START(name, linkage, align...)	SYM_TYPED_ENTRY(name, linkage, align)
#define SYM_TYPED_FUNC_START(name)			SYM_FUNC_START(name)
#endif
