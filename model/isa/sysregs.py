"""System register names and encodings (op0, op1, CRn, CRm, op2), and the PSTATE
fields `msr <field>, #imm` writes.

The semantics pass system registers to the context by lower-case name.  A generic
`s<op0>_<op1>_c<n>_c<m>_<op2>` name of a register in this table is canonicalised to its
architectural name (`s3_0_c2_c0_0` -> `ttbr0_el1`), so the machine sees one name per
register whichever spelling the source used; other generic names are kept (normalised
to lower case, no leading zeros).  The encodings are checked against GNU as in
tests/test_isa_sysregs.py.
"""
from __future__ import annotations

import re

#: name -> (op0, op1, CRn, CRm, op2)
SYSREGS: dict[str, tuple[int, int, int, int, int]] = {
    # identification
    "midr_el1": (3, 0, 0, 0, 0), "mpidr_el1": (3, 0, 0, 0, 5), "revidr_el1": (3, 0, 0, 0, 6),
    "id_aa64pfr0_el1": (3, 0, 0, 4, 0), "id_aa64pfr1_el1": (3, 0, 0, 4, 1),
    "id_aa64zfr0_el1": (3, 0, 0, 4, 4), "id_aa64smfr0_el1": (3, 0, 0, 4, 5),
    "id_aa64dfr0_el1": (3, 0, 0, 5, 0), "id_aa64dfr1_el1": (3, 0, 0, 5, 1),
    "id_aa64isar0_el1": (3, 0, 0, 6, 0), "id_aa64isar1_el1": (3, 0, 0, 6, 1),
    "id_aa64isar2_el1": (3, 0, 0, 6, 2),
    "id_aa64mmfr0_el1": (3, 0, 0, 7, 0), "id_aa64mmfr1_el1": (3, 0, 0, 7, 1),
    "id_aa64mmfr2_el1": (3, 0, 0, 7, 2), "id_aa64mmfr3_el1": (3, 0, 0, 7, 3),
    "ccsidr_el1": (3, 1, 0, 0, 0), "clidr_el1": (3, 1, 0, 0, 1), "csselr_el1": (3, 2, 0, 0, 0),
    "ctr_el0": (3, 3, 0, 0, 1), "dczid_el0": (3, 3, 0, 0, 7),
    # EL1&0 translation and control
    "sctlr_el1": (3, 0, 1, 0, 0), "actlr_el1": (3, 0, 1, 0, 1), "cpacr_el1": (3, 0, 1, 0, 2),
    "ttbr0_el1": (3, 0, 2, 0, 0), "ttbr1_el1": (3, 0, 2, 0, 1), "tcr_el1": (3, 0, 2, 0, 2),
    "tcr2_el1": (3, 0, 2, 0, 3),
    "spsr_el1": (3, 0, 4, 0, 0), "elr_el1": (3, 0, 4, 0, 1), "sp_el0": (3, 0, 4, 1, 0),
    "spsel": (3, 0, 4, 2, 0), "currentel": (3, 0, 4, 2, 2), "pan": (3, 0, 4, 2, 3),
    "uao": (3, 0, 4, 2, 4),
    "afsr0_el1": (3, 0, 5, 1, 0), "afsr1_el1": (3, 0, 5, 1, 1), "esr_el1": (3, 0, 5, 2, 0),
    "far_el1": (3, 0, 6, 0, 0), "par_el1": (3, 0, 7, 4, 0),
    "mair_el1": (3, 0, 10, 2, 0), "pire0_el1": (3, 0, 10, 2, 2), "pir_el1": (3, 0, 10, 2, 3),
    "amair_el1": (3, 0, 10, 3, 0),
    "vbar_el1": (3, 0, 12, 0, 0), "isr_el1": (3, 0, 12, 1, 0),
    "icc_iar1_el1": (3, 0, 12, 12, 0), "icc_eoir1_el1": (3, 0, 12, 12, 1),
    "contextidr_el1": (3, 0, 13, 0, 1), "tpidr_el1": (3, 0, 13, 0, 4),
    "cntkctl_el1": (3, 0, 14, 1, 0),
    # EL0-accessible
    "nzcv": (3, 3, 4, 2, 0), "daif": (3, 3, 4, 2, 1), "dit": (3, 3, 4, 2, 5),
    "ssbs": (3, 3, 4, 2, 6), "tco": (3, 3, 4, 2, 7),
    "fpcr": (3, 3, 4, 4, 0), "fpsr": (3, 3, 4, 4, 1),
    "tpidr_el0": (3, 3, 13, 0, 2), "tpidrro_el0": (3, 3, 13, 0, 3),
    "pmuserenr_el0": (3, 3, 9, 14, 0),
    "cntfrq_el0": (3, 3, 14, 0, 0), "cntpct_el0": (3, 3, 14, 0, 1),
    "cntvct_el0": (3, 3, 14, 0, 2),
    # debug
    "mdscr_el1": (2, 0, 0, 2, 2), "oslar_el1": (2, 0, 1, 0, 4), "oslsr_el1": (2, 0, 1, 1, 4),
    "osdlr_el1": (2, 0, 1, 3, 4), "mdcr_el2": (3, 4, 1, 1, 1),
    # EL2
    "vpidr_el2": (3, 4, 0, 0, 0), "vmpidr_el2": (3, 4, 0, 0, 5),
    "sctlr_el2": (3, 4, 1, 0, 0), "actlr_el2": (3, 4, 1, 0, 1), "hcr_el2": (3, 4, 1, 1, 0),
    "cptr_el2": (3, 4, 1, 1, 2), "hstr_el2": (3, 4, 1, 1, 3), "hacr_el2": (3, 4, 1, 1, 7),
    "ttbr0_el2": (3, 4, 2, 0, 0), "ttbr1_el2": (3, 4, 2, 0, 1), "tcr_el2": (3, 4, 2, 0, 2),
    "vttbr_el2": (3, 4, 2, 1, 0), "vtcr_el2": (3, 4, 2, 1, 2),
    "spsr_el2": (3, 4, 4, 0, 0), "elr_el2": (3, 4, 4, 0, 1), "sp_el1": (3, 4, 4, 1, 0),
    "esr_el2": (3, 4, 5, 2, 0), "far_el2": (3, 4, 6, 0, 0), "hpfar_el2": (3, 4, 6, 0, 4),
    "mair_el2": (3, 4, 10, 2, 0), "amair_el2": (3, 4, 10, 3, 0),
    "vbar_el2": (3, 4, 12, 0, 0), "contextidr_el2": (3, 4, 13, 0, 1),
    "tpidr_el2": (3, 4, 13, 0, 2),
    "cntvoff_el2": (3, 4, 14, 0, 3), "cnthctl_el2": (3, 4, 14, 1, 0),
    # EL3
    "sctlr_el3": (3, 6, 1, 0, 0), "actlr_el3": (3, 6, 1, 0, 1), "scr_el3": (3, 6, 1, 1, 0),
    "cptr_el3": (3, 6, 1, 1, 2), "mdcr_el3": (3, 6, 1, 3, 1),
    "ttbr0_el3": (3, 6, 2, 0, 0), "tcr_el3": (3, 6, 2, 0, 2),
    "spsr_el3": (3, 6, 4, 0, 0), "elr_el3": (3, 6, 4, 0, 1), "sp_el2": (3, 6, 4, 1, 0),
    "esr_el3": (3, 6, 5, 2, 0), "far_el3": (3, 6, 6, 0, 0),
    "mair_el3": (3, 6, 10, 2, 0), "amair_el3": (3, 6, 10, 3, 0),
    "vbar_el3": (3, 6, 12, 0, 0), "tpidr_el3": (3, 6, 13, 0, 2),
}

BY_ENCODING = {enc: name for name, enc in SYSREGS.items()}

#: registers that only MRS may access (writes are UNDEFINED)
READ_ONLY = {"midr_el1", "mpidr_el1", "revidr_el1", "ccsidr_el1", "clidr_el1", "ctr_el0",
             "dczid_el0", "currentel", "isr_el1", "oslsr_el1", "icc_iar1_el1",
             "cntpct_el0", "cntvct_el0"} | {n for n in SYSREGS if n.startswith("id_")}
#: registers that only MSR may access
WRITE_ONLY = {"oslar_el1", "icc_eoir1_el1"}

#: MSR (immediate) PSTATE fields: name -> (op1, op2)
PSTATE_FIELDS = {"uao": (0, 3), "pan": (0, 4), "spsel": (0, 5), "ssbs": (3, 1),
                 "dit": (3, 2), "tco": (3, 4), "daifset": (3, 6), "daifclr": (3, 7)}
PSTATE_BY_ENCODING = {enc: name for name, enc in PSTATE_FIELDS.items()}

_GENERIC = re.compile(r"^s([0-3])_([0-7])_c([0-9]+)_c([0-9]+)_([0-7])$")


def parse_generic(name: str):
    """(op0, op1, CRn, CRm, op2) of an `s3_0_c2_c0_3` name, or None."""
    m = _GENERIC.match(name.lower())
    if not m:
        return None
    op0, op1, crn, crm, op2 = (int(g) for g in m.groups())
    if crn > 15 or crm > 15:
        return None
    return op0, op1, crn, crm, op2


def generic_name(enc) -> str:
    op0, op1, crn, crm, op2 = enc
    return f"s{op0}_{op1}_c{crn}_c{crm}_{op2}"


def canonical(name: str) -> str:
    """The name the semantics hand to the context."""
    n = name.lower()
    enc = parse_generic(n)
    if enc is not None:
        return BY_ENCODING.get(enc, generic_name(enc))
    return n


def encoding(name: str):
    """(op0, op1, CRn, CRm, op2) for a known or generic name, else None."""
    n = name.lower()
    return SYSREGS.get(n) or parse_generic(n)
