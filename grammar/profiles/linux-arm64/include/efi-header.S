/* bbmcheck: arch/arm64/kernel/efi-header.S, as head.S includes it ("efi-header.S").
 *
 * This profile builds without CONFIG_EFI (the PE/COFF header is boot-loader data,
 * not translation code):
 *   efi_signature_nop: a NOP as the Image's first instruction (with CONFIG_EFI the
 *       kernel uses "ccmp x18, #0, #0xd, pl", whose encoding starts with "MZ");
 *   __EFI_PE_HEADER: no PE header; .Lpe_header_offset is 0.
 */
#ifndef __BBM_USER_MACRO_efi_signature_nop
	.macro	efi_signature_nop
#ifdef CONFIG_EFI
.L_head:
	ccmp	x18, #0, #0xd, pl
#else
	nop
#endif
	.endm
#endif

#ifndef __BBM_USER_MACRO___EFI_PE_HEADER
	.macro	__EFI_PE_HEADER
#ifdef CONFIG_EFI
	.error	"the bbmcheck profile has no PE/COFF header (build without CONFIG_EFI)"
#else
	.set	.Lpe_header_offset, 0x0
#endif
	.endm
#endif
