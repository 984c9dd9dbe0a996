"""Add/subtract: immediate, shifted register, extended register and with carry
(Arm ARM C6: ADD/ADDS/SUB/SUBS (immediate, shifted register, extended register),
ADC/ADCS/SBC/SBCS, and the aliases CMP, CMN, NEG, NEGS, NGC, NGCS, MOV (to/from SP)).

Pseudocode shape (shared by all forms):

    operand1 = if n == 31 then SP[] else X[n]          (ZR in the shifted forms)
    operand2 = imm | ShiftReg(m, shift, amount) | ExtendReg(m, extend, shift)
    if sub_op then operand2 = NOT(operand2); carry_in = 1 else carry_in = 0
    (result, nzcv) = AddWithCarry(operand1, operand2, carry_in)
    if setflags then PSTATE.<N,Z,C,V> = nzcv
    if d == 31 && !setflags then SP[] = result else X[d] = result
"""
from __future__ import annotations

from .. import values as V
from .operands import (DecodeError, ExtendedReg, Imm, Op, Reg, ShiftedReg, SymRef,
                       handles, reader, reg, reloc_value, writer)
from .pseudocode import add_with_carry, extend_reg, shift_reg


def _imm12(value: int, shift: int):
    """Split an add/sub immediate into (imm12, shift) as the encoding requires."""
    total = value << shift
    if shift not in (0, 12):
        raise DecodeError(f"immediate shift must be 0 or 12, not {shift}")
    if 0 <= total <= 0xFFF:
        return total
    if 0 <= total <= 0xFFF000 and total & 0xFFF == 0:
        return total
    raise DecodeError(f"immediate {total:#x} is not encodable in add/sub")


def operand2(instr, rd: Reg | None, rn: Reg, x, width: int):
    """Decode the second source operand into (fn ctx -> value, kind, const_or_None).

    kind: 'imm' (the SP-capable immediate form), 'shifted', 'extended'."""
    sp_involved = (rd is not None and rd.is_sp) or rn.is_sp
    if isinstance(x, Imm):
        v = _imm12(x.value, x.shift) if x.value >= 0 else None
        if v is None:
            raise DecodeError("negative immediate")   # handled by the caller (flip op)
        c = V.const(v, width)
        return (lambda ctx: c), "imm", c
    if isinstance(x, SymRef):
        if x.reloc not in ("lo12", "lo12_nc"):
            raise DecodeError(f"{x}: only :lo12: is allowed as an add/sub immediate")
        f = reloc_value(x)
        if width == 64:
            return f, "imm", None
        return (lambda ctx: V.extract(f(ctx), 31, 0)), "imm", None
    if isinstance(x, ExtendedReg) or (sp_involved and isinstance(x, (Reg, ShiftedReg))):
        if isinstance(x, ExtendedReg):
            m, ext, amount = x.reg, x.op, x.amount or 0
        elif isinstance(x, ShiftedReg):
            if x.op != "lsl":
                raise DecodeError(f"{x.op} not allowed with SP (extended-register form)")
            m, ext, amount = x.reg, "lsl", x.amount
        else:
            m, ext, amount = x, "lsl", 0
        if ext == "lsl":
            ext = "uxtx" if width == 64 else "uxtw"
        if ext not in ("uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"):
            raise DecodeError(f"bad extend {ext}")
        if not 0 <= amount <= 4:
            raise DecodeError(f"extend shift {amount} out of range 0..4")
        if width == 32 and m.width != 32:
            raise DecodeError(f"{m}: a 32-bit operation takes a W register")
        rm = reader(reg(m))
        return (lambda ctx: extend_reg(rm(ctx), ext, amount, width)), "extended", None
    if isinstance(x, (Reg, ShiftedReg)):
        if isinstance(x, ShiftedReg):
            m, op, amount = x.reg, x.op, x.amount
        else:
            m, op, amount = x, "lsl", 0
        if op not in ("lsl", "lsr", "asr"):
            raise DecodeError(f"shift {op} not allowed in add/sub")
        if not 0 <= amount < width:
            raise DecodeError(f"shift amount {amount} out of range")
        if reg(m).width != width:
            raise DecodeError(f"register widths differ: {m}")
        rm = reader(m)
        if amount == 0:
            return rm, "shifted", None
        return (lambda ctx: shift_reg(rm(ctx), op, amount)), "shifted", None
    raise DecodeError(f"bad operand {x}")


def build_addsub(instr, sub: bool, setflags: bool, rd: Reg | None, rn: Reg, x) -> Op:
    """ADD/ADDS/SUB/SUBS with destination rd (None: the zero register, for CMP/CMN)."""
    # A negative immediate is assembled as the opposite operation (add #-1 == sub #1);
    # the flags agree too (see docs/semantics.md).
    if isinstance(x, Imm) and x.value < 0 and not x.shift:
        x = Imm(-x.value)
        sub = not sub
    width = rn.width
    if rd is not None and rd.width != width:
        raise DecodeError("register widths differ")
    y, kind, _ = operand2(instr, rd, rn, x, width)
    sp_ok = kind in ("imm", "extended")
    rn_r = reader(rn, sp=sp_ok)
    if rd is None:
        wr = None
    else:
        wr = writer(rd, sp=sp_ok and not setflags)

    if not setflags:
        f = V.sub if sub else V.add

        def run(ctx):
            wr(ctx, f(rn_r(ctx), y(ctx)))
        return Op(run, "alu", instr)

    def run_flags(ctx):
        op2 = y(ctx)
        if sub:
            result, nzcv = add_with_carry(rn_r(ctx), V.not_(op2), 1)
        else:
            result, nzcv = add_with_carry(rn_r(ctx), op2, 0)
        ctx.write_nzcv(nzcv)
        if wr is not None:
            wr(ctx, result)
    return Op(run_flags, "alu", instr)


@handles("add", "adds", "sub", "subs")
def dec_addsub(instr) -> Op:
    o = instr.operands
    if len(o) != 3:
        raise DecodeError(f"expected 3 operands, got {len(o)}")
    rd, rn, x = o
    m = instr.mnemonic
    return build_addsub(instr, m.startswith("sub"), m.endswith("s"), reg_any(rd),
                        reg_any(rn), x)


def reg_any(x) -> Reg:
    if not isinstance(x, Reg):
        raise DecodeError(f"{x} is not a register")
    return x


@handles("cmp", "cmn")
def dec_cmp(instr) -> Op:
    o = instr.operands
    if len(o) != 2:
        raise DecodeError(f"expected 2 operands, got {len(o)}")
    rn, x = o
    return build_addsub(instr, instr.mnemonic == "cmp", True, None, reg_any(rn), x)


@handles("neg", "negs")
def dec_neg(instr) -> Op:
    o = instr.operands
    if len(o) != 2:
        raise DecodeError(f"expected 2 operands, got {len(o)}")
    rd, x = o
    rd = reg_any(rd)
    if not isinstance(x, (Reg, ShiftedReg)):
        raise DecodeError(f"{x}: neg takes a (shifted) register")
    zr = Reg("xzr" if rd.width == 64 else "wzr", 31, rd.width)
    return build_addsub(instr, True, instr.mnemonic == "negs", rd, zr, x)


# --------------------------------------------------------------------------- with carry

def build_adc(instr, sub: bool, setflags: bool, rd: Reg, rn: Reg, rm: Reg) -> Op:
    """ADC/ADCS/SBC/SBCS:  if sub_op then operand2 = NOT(operand2);
    (result, nzcv) = AddWithCarry(operand1, operand2, PSTATE.C)."""
    width = rd.width
    if rn.width != width or rm.width != width:
        raise DecodeError("register widths differ")
    rn_r, rm_r, wr = reader(rn), reader(rm), writer(rd)

    def run(ctx):
        op2 = rm_r(ctx)
        if sub:
            op2 = V.not_(op2)
        carry = V.extract(ctx.read_nzcv(), 1, 1)
        result, nzcv = add_with_carry(rn_r(ctx), op2, carry)
        if setflags:
            ctx.write_nzcv(nzcv)
        wr(ctx, result)
    return Op(run, "alu", instr)


@handles("adc", "adcs", "sbc", "sbcs")
def dec_adc(instr) -> Op:
    o = instr.operands
    if len(o) != 3 or not all(isinstance(a, Reg) for a in o):
        raise DecodeError("expected three registers")
    m = instr.mnemonic
    return build_adc(instr, m.startswith("sbc"), m.endswith("s"), *o)


@handles("ngc", "ngcs")
def dec_ngc(instr) -> Op:
    o = instr.operands
    if len(o) != 2 or not all(isinstance(a, Reg) for a in o):
        raise DecodeError("expected two registers")
    rd, rm = o
    zr = Reg("xzr" if rd.width == 64 else "wzr", 31, rd.width)
    return build_adc(instr, True, instr.mnemonic == "ngcs", rd, zr, rm)
