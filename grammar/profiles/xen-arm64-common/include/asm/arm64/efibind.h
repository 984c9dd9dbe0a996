/* bbmcheck xen-arm64: <asm/arm64/efibind.h>.  EFI type bindings are C-only;
 * head.S includes the header but uses nothing from it in assembly. */
