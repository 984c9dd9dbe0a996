/* bbmcheck xen-arm64: <efi/efierr.h>.  EFI status codes are C-only; head.S
 * includes the header but uses nothing from it in assembly. */
