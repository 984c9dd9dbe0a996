/* bbmcheck: <asm/image.h> — the arm64 Image header: magic "ARM\x64" at offset 56,
 * and the flag bits of its flags field. */
#ifndef __BBM_ASM_IMAGE_H
#define __BBM_ASM_IMAGE_H
#define ARM64_IMAGE_MAGIC	"ARM\x64"
#define ARM64_IMAGE_FLAG_BE_SHIFT		0
#define ARM64_IMAGE_FLAG_PAGE_SIZE_SHIFT	(ARM64_IMAGE_FLAG_BE_SHIFT + 1)
#define ARM64_IMAGE_FLAG_PHYS_BASE_SHIFT	(ARM64_IMAGE_FLAG_PAGE_SIZE_SHIFT + 2)
#define ARM64_IMAGE_FLAG_LE			0
#define ARM64_IMAGE_FLAG_PAGE_SIZE_4K		1
#define ARM64_IMAGE_FLAG_PHYS_BASE		1
#endif
