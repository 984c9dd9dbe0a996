/* bbmcheck linux-arm64 profile: <linux/kconfig.h>, force-included like Kbuild does.
 *
 * IS_ENABLED(CONFIG_X) is 1 when CONFIG_X is defined to 1 (built in) or
 * CONFIG_X_MODULE is defined to 1, else 0; IS_BUILTIN / IS_MODULE / IS_REACHABLE
 * split that up.  Written for bbmcheck; the technique (pasting a placeholder that
 * turns into an extra macro argument) is the standard preprocessor idiom.
 *
 * It also refuses configurations the Linux profiles do not model, so that a
 * -D on the command line cannot silently produce code for another kernel.
 */
#ifndef __BBM_LINUX_KCONFIG_H
#define __BBM_LINUX_KCONFIG_H

#define __BBM_ARG_PLACEHOLDER_1 0,
#define __bbm_take_second(ignored, val, ...) val
#define __bbm_is_defined_1(arg1_or_junk) __bbm_take_second(arg1_or_junk 1, 0, 0)
#define __bbm_is_defined_0(x) __bbm_is_defined_1(__BBM_ARG_PLACEHOLDER_##x)
#define __bbm_is_defined(x) __bbm_is_defined_0(x)

#define IS_BUILTIN(option)	__bbm_is_defined(option)
#define IS_MODULE(option)	__bbm_is_defined(option##_MODULE)
#define IS_ENABLED(option)	(IS_BUILTIN(option) || IS_MODULE(option))
#define IS_REACHABLE(option)	IS_ENABLED(option)

#ifdef CONFIG_ARM64
# if defined(CONFIG_ARM64_16K_PAGES) || defined(CONFIG_ARM64_64K_PAGES)
#  error "bbmcheck linux-arm64 profiles model the 4 KiB granule only (CONFIG_ARM64_4K_PAGES)"
# endif
# if defined(CONFIG_ARM64_PA_BITS_52) || defined(CONFIG_ARM64_VA_BITS_52) || defined(CONFIG_ARM64_LPA2)
#  error "bbmcheck linux-arm64 profiles do not model 52-bit addresses (PA_BITS_52/VA_BITS_52/LPA2)"
# endif
# ifdef CONFIG_CPU_BIG_ENDIAN
#  error "bbmcheck linux-arm64 profiles model little-endian kernels only"
# endif
# ifndef CONFIG_ARM64_4K_PAGES
#  error "no granule configured: use a linux-arm64-4k-* profile (or -D CONFIG_ARM64_4K_PAGES)"
# endif
# if !defined(CONFIG_ARM64_VA_BITS) || !defined(CONFIG_PGTABLE_LEVELS)
#  error "CONFIG_ARM64_VA_BITS and CONFIG_PGTABLE_LEVELS must be defined by the profile"
# endif
#endif

#endif /* __BBM_LINUX_KCONFIG_H */
