/* bbmcheck: <linux/export.h> — symbol exports are module metadata with no effect on
 * the code, so EXPORT_SYMBOL* expand to nothing here. */
#ifndef __BBM_LINUX_EXPORT_H
#define __BBM_LINUX_EXPORT_H
#define EXPORT_SYMBOL(name)
#define EXPORT_SYMBOL_GPL(name)
#define EXPORT_SYMBOL_NS(name, ns)
#define EXPORT_SYMBOL_NS_GPL(name, ns)
#endif
