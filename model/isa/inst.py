"""`.inst <word>`: decode a raw A64 instruction word into the instruction it encodes
and give it that instruction's semantics.

Linux and other projects emit instructions the assembler may not know as `.inst`
words (msr_s/mrs_s with generic system register encodings, SB, new TLBI forms, ...).
Decoded here (Arm ARM C4 encoding index): the whole "branches, exception generating
and system instructions" group that has semantics elsewhere: hints, barriers, CLREX,
MSR (immediate), MSR/MRS (register), SYS (TLBI/DC/IC/AT), SVC/HVC/SMC/BRK/HLT/UDF,
BR/BLR/RET/ERET.  Any other word is Unsupported with its hex value.

The front end may hand `.inst` over as Instruction('.inst', (Imm(word),)); `disassemble`
is public so that it can also turn words into Instructions itself.
"""
from __future__ import annotations

from ...grammar.program import Imm, Instruction, Name, Reg
from .barriers import barrier_of
from .operands import DecodeError, Op, handles, unsupported
from . import sysregs as SR


def _x(n: int) -> Reg:
    return Reg("xzr" if n == 31 else f"x{n}", n, 64)


def _field(w: int, hi: int, lo: int) -> int:
    return (w >> lo) & ((1 << (hi - lo + 1)) - 1)


_BARRIER_NAME = {0b1111: "sy", 0b1110: "st", 0b1101: "ld", 0b1011: "ish", 0b1010: "ishst",
                 0b1001: "ishld", 0b0111: "nsh", 0b0110: "nshst", 0b0101: "nshld",
                 0b0011: "osh", 0b0010: "oshst", 0b0001: "oshld"}


def disassemble(word: int, template: Instruction | None = None) -> Instruction | None:
    """The Instruction a word encodes (operands as the front end would produce them),
    or None when the word is outside the decoded subset."""
    w = word & 0xFFFFFFFF
    loc = template.loc if template is not None else None

    def mk(m, *ops, cond=None):
        text = m + (" " + ", ".join(map(str, ops)) if ops else "")
        ins = Instruction(m, tuple(ops), loc, text=f"{text}  // .inst {w:#010x}",
                          source=template.source if template else "", cond=cond)
        if template is not None:
            ins.section, ins.offset, ins.address = (template.section, template.offset,
                                                    template.address)
        return ins

    # exception generation: 1101 0100 opc:3 imm16 op2:3 LL:2
    if w & 0xFF000000 == 0xD4000000:
        opc, imm16, op2, ll = _field(w, 23, 21), _field(w, 20, 5), _field(w, 4, 2), _field(w, 1, 0)
        if op2 != 0:
            return None
        name = {(0, 1): "svc", (0, 2): "hvc", (0, 3): "smc", (1, 0): "brk",
                (2, 0): "hlt"}.get((opc, ll))
        return mk(name, Imm(imm16)) if name else None
    # UDF: 0000 0000 0000 0000 imm16
    if w & 0xFFFF0000 == 0:
        return mk("udf", Imm(w & 0xFFFF))
    # unconditional branch (register)
    if w & 0xFFFFFC1F == 0xD61F0000:
        return mk("br", _x(_field(w, 9, 5)))
    if w & 0xFFFFFC1F == 0xD63F0000:
        return mk("blr", _x(_field(w, 9, 5)))
    if w & 0xFFFFFC1F == 0xD65F0000:
        return mk("ret", _x(_field(w, 9, 5)))
    if w == 0xD69F03E0:
        return mk("eret")
    # system: 1101 0101 00 L op0:2 op1:3 CRn:4 CRm:4 op2:3 Rt:5
    if w & 0xFFC00000 != 0xD5000000:
        return None
    L, op0, op1 = _field(w, 21, 21), _field(w, 20, 19), _field(w, 18, 16)
    crn, crm, op2, rt = _field(w, 15, 12), _field(w, 11, 8), _field(w, 7, 5), _field(w, 4, 0)
    if op0 == 0 and L == 0:
        if crn == 2 and op1 == 3 and rt == 31:          # hints
            return mk("hint", Imm((crm << 3) | op2))
        if crn == 3 and op1 == 3 and rt == 31:          # barriers
            if op2 == 2:
                return mk("clrex", Imm(crm)) if crm != 15 else mk("clrex")
            if op2 == 4:
                if crm == 0:
                    return mk("ssbb")
                if crm == 4:
                    return mk("pssbb")
                return mk("dsb", Name(_BARRIER_NAME[crm]) if crm in _BARRIER_NAME else Imm(crm))
            if op2 == 5:
                return mk("dmb", Name(_BARRIER_NAME[crm]) if crm in _BARRIER_NAME else Imm(crm))
            if op2 == 6:
                return mk("isb") if crm == 15 else mk("isb", Imm(crm))
            if op2 == 7 and crm == 0:
                return mk("sb")
            return None
        if crn == 4 and rt == 31:                        # MSR (immediate)
            field = SR.PSTATE_BY_ENCODING.get((op1, op2))
            return mk("msr", Name(field), Imm(crm)) if field else None
        return None
    if op0 == 1:                                        # SYS / SYSL
        if L == 1:
            return mk("sysl", _x(rt), Imm(op1), Name(f"c{crn}"), Name(f"c{crm}"), Imm(op2))
        return mk("sys", Imm(op1), Name(f"c{crn}"), Name(f"c{crm}"), Imm(op2), _x(rt))
    # MSR/MRS (register)
    name = SR.canonical(SR.generic_name((op0, op1, crn, crm, op2)))
    if L == 1:
        return mk("mrs", _x(rt), Name(name))
    return mk("msr", Name(name), _x(rt))


@handles(".inst", "inst")
def dec_inst(instr) -> Op:
    from . import decode_uncached
    o = instr.operands
    if len(o) != 1 or not isinstance(o[0], Imm):
        raise DecodeError("expected .inst <word>")
    word = o[0].value & 0xFFFFFFFF
    ins = disassemble(word, instr)
    if ins is None:
        return unsupported(instr, f".inst {word:#010x}: word not decoded")
    op = decode_uncached(ins)
    return Op(op.run, op.kind, instr, op.reason)


__all__ = ["disassemble", "barrier_of"]
