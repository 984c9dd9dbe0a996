"""Logical: immediate and shifted register (Arm ARM C6: AND/ORR/EOR/ANDS (immediate),
AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS (shifted register), and the aliases TST, MVN).

    operand1 = X[n]                       (31 = ZR)
    operand2 = imm (DecodeBitMasks) | ShiftReg(m, shift, amount)
    if invert then operand2 = NOT(operand2)
    result = operand1 AND|OR|EOR operand2
    if setflags then PSTATE.<N,Z,C,V> = result<N-1>:IsZeroBit(result):'00'
    if d == 31 && !setflags && immediate form then SP[] = result else X[d] = result
"""
from __future__ import annotations

from .. import values as V
from .operands import DecodeError, Imm, Op, Reg, ShiftedReg, handles, reader, writer
from .pseudocode import is_bitmask_imm, nz_flags, shift_reg

_OPS = {"and": (V.and_, False, False), "ands": (V.and_, False, True),
        "bic": (V.and_, True, False), "bics": (V.and_, True, True),
        "orr": (V.or_, False, False), "orn": (V.or_, True, False),
        "eor": (V.xor, False, False), "eon": (V.xor, True, False)}


def logical_imm_value(value: int, width: int) -> int:
    """The immediate as a width-bit pattern, checked to be a valid bitmask immediate."""
    if width == 32 and not (-(1 << 31) <= value < (1 << 32)):
        raise DecodeError(f"immediate {value:#x} does not fit in 32 bits")
    v = value & ((1 << width) - 1)
    if not is_bitmask_imm(v, width):
        raise DecodeError(f"{value:#x} is not a valid logical (bitmask) immediate")
    return v


def shifted_operand(x, width: int, *, allow_ror: bool = True):
    """Decode a (shifted) register operand of the logical/add-sub shifted forms."""
    if isinstance(x, ShiftedReg):
        m, op, amount = x.reg, x.op, x.amount
    elif isinstance(x, Reg):
        m, op, amount = x, "lsl", 0
    else:
        raise DecodeError(f"{x} is not a (shifted) register")
    if op not in ("lsl", "lsr", "asr", "ror") or (op == "ror" and not allow_ror):
        raise DecodeError(f"shift {op} not allowed here")
    if not 0 <= amount < width:
        raise DecodeError(f"shift amount {amount} out of range")
    if m.width != width:
        raise DecodeError(f"register widths differ: {m}")
    rm = reader(m)
    if amount == 0:
        return rm
    return lambda ctx: shift_reg(rm(ctx), op, amount)


def build_logical(instr, mnemonic: str, rd: Reg | None, rn: Reg, x) -> Op:
    f, invert, setflags = _OPS[mnemonic]
    width = rn.width
    if rd is not None and rd.width != width:
        raise DecodeError("register widths differ")
    rn_r = reader(rn)
    if isinstance(x, Imm):
        if x.shift:
            raise DecodeError("a logical immediate takes no shift")
        v = x.value if not invert else ~x.value
        c = V.const(logical_imm_value(v, width), width)
        wr = writer(rd, sp=not setflags) if rd is not None else None

        def run_imm(ctx):
            result = f(rn_r(ctx), c)
            if setflags:
                ctx.write_nzcv(nz_flags(result))
            if wr is not None:
                wr(ctx, result)
        return Op(run_imm, "alu", instr)
    y = shifted_operand(x, width)
    wr = writer(rd) if rd is not None else None

    def run(ctx):
        op2 = y(ctx)
        if invert:
            op2 = V.not_(op2)
        result = f(rn_r(ctx), op2)
        if setflags:
            ctx.write_nzcv(nz_flags(result))
        if wr is not None:
            wr(ctx, result)
    return Op(run, "alu", instr)


def _r(x) -> Reg:
    if not isinstance(x, Reg):
        raise DecodeError(f"{x} is not a register")
    return x


@handles(*_OPS)
def dec_logical(instr) -> Op:
    o = instr.operands
    if len(o) != 3:
        raise DecodeError(f"expected 3 operands, got {len(o)}")
    return build_logical(instr, instr.mnemonic, _r(o[0]), _r(o[1]), o[2])


@handles("tst")
def dec_tst(instr) -> Op:
    o = instr.operands
    if len(o) != 2:
        raise DecodeError(f"expected 2 operands, got {len(o)}")
    return build_logical(instr, "ands", None, _r(o[0]), o[1])


@handles("mvn")
def dec_mvn(instr) -> Op:
    o = instr.operands
    if len(o) != 2:
        raise DecodeError(f"expected 2 operands, got {len(o)}")
    rd = _r(o[0])
    if isinstance(o[1], Imm):
        raise DecodeError("mvn takes a register")
    zr = Reg("xzr" if rd.width == 64 else "wzr", 31, rd.width)
    return build_logical(instr, "orn", rd, zr, o[1])
