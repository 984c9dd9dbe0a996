"""Conditional select and conditional compare (Arm ARM C6: CSEL, CSINC, CSINV, CSNEG
and the aliases CSET, CSETM, CINC, CINV, CNEG; CCMP, CCMN (immediate, register)).

    CSEL family:  if ConditionHolds(cond) then result = X[n]
                  else result = X[m]; if else_inv then NOT; if else_inc then +1
                  (CSNEG: both, i.e. NOT(X[m]) + 1)
    CCMP/CCMN:    if ConditionHolds(cond) then
                      operand2 = imm5 | X[m]; if sub_op then NOT(operand2), carry_in = 1
                      (-, flags) = AddWithCarry(operand1, operand2, carry_in)
                  else flags = nzcv
                  PSTATE.<N,Z,C,V> = flags
"""
from __future__ import annotations

import z3

from .. import values as V
from .operands import DecodeError, Imm, Op, Reg, cond_num, handles, imm_value, reader, writer
from .pseudocode import add_with_carry, condition_holds, invert_cond

_ELSE = {"csel": (False, False), "csinc": (False, True), "csinv": (True, False),
         "csneg": (True, True)}


def build_csel(instr, kind: str, rd: Reg, rn: Reg, rm: Reg, cond: int) -> Op:
    width = rd.width
    if rn.width != width or rm.width != width:
        raise DecodeError("register widths differ")
    inv, inc = _ELSE[kind]
    rn_r, rm_r, wr = reader(rn), reader(rm), writer(rd)

    def other(ctx):
        r = rm_r(ctx)
        if inv:
            r = V.not_(r)
        if inc:
            r = V.add(r, 1)
        return r

    def run(ctx):
        c = condition_holds(cond, ctx.read_nzcv())
        if c is True:
            wr(ctx, rn_r(ctx))
        elif c is False:
            wr(ctx, other(ctx))
        else:
            a, b = rn_r(ctx), other(ctx)
            if V.is_concrete(a) and V.is_concrete(b) and V.as_int(a) == V.as_int(b):
                # the result still depends on the condition (herd7: a "pick"
                # dependency, iico_ctrl from the flags; Arm orders it by pob): keep the
                # condition in the term, whose value-set is the one value
                wr(ctx, z3.If(c, V.to_z3(a), V.to_z3(b)))
            else:
                wr(ctx, V.ite(c, a, b))
    return Op(run, "alu", instr)


@handles("csel", "csinc", "csinv", "csneg")
def dec_csel(instr) -> Op:
    o = instr.operands
    if len(o) != 4 or not all(isinstance(a, Reg) for a in o[:3]):
        raise DecodeError("expected Rd, Rn, Rm, cond")
    return build_csel(instr, instr.mnemonic, o[0], o[1], o[2], cond_num(o[3]))


def _alias_cond(x) -> int:
    c = cond_num(x)
    if c >= 14:
        raise DecodeError("al/nv not allowed in this alias")
    return invert_cond(c)


@handles("cset", "csetm")
def dec_cset(instr) -> Op:
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rd, cond")
    rd = o[0]
    zr = Reg("xzr" if rd.width == 64 else "wzr", 31, rd.width)
    kind = "csinc" if instr.mnemonic == "cset" else "csinv"
    return build_csel(instr, kind, rd, zr, zr, _alias_cond(o[1]))


@handles("cinc", "cinv", "cneg")
def dec_cinc(instr) -> Op:
    o = instr.operands
    if len(o) != 3 or not isinstance(o[0], Reg) or not isinstance(o[1], Reg):
        raise DecodeError("expected Rd, Rn, cond")
    kind = {"cinc": "csinc", "cinv": "csinv", "cneg": "csneg"}[instr.mnemonic]
    return build_csel(instr, kind, o[0], o[1], o[1], _alias_cond(o[2]))


@handles("ccmp", "ccmn")
def dec_ccmp(instr) -> Op:
    o = instr.operands
    if len(o) != 4 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rn, <Rm|#imm5>, #nzcv, cond")
    rn, y, nz, cond = o
    width = rn.width
    sub = instr.mnemonic == "ccmp"
    nzcv_imm = imm_value(nz)
    if not 0 <= nzcv_imm <= 15:
        raise DecodeError(f"nzcv #{nzcv_imm} out of range")
    nzcv_c = V.const(nzcv_imm, 4)
    c_num = cond_num(cond)
    rn_r = reader(rn)
    if isinstance(y, Imm):
        v = imm_value(y)
        if not 0 <= v <= 31:
            raise DecodeError(f"immediate #{v} out of range 0..31")
        yc = V.const(v, width)

        def y_r(ctx):
            return yc
    elif isinstance(y, Reg):
        if y.width != width:
            raise DecodeError("register widths differ")
        y_r = reader(y)
    else:
        raise DecodeError(f"bad operand {y}")

    def compare(ctx):
        op2 = y_r(ctx)
        if sub:
            return add_with_carry(rn_r(ctx), V.not_(op2), 1)[1]
        return add_with_carry(rn_r(ctx), op2, 0)[1]

    def run(ctx):
        c = condition_holds(c_num, ctx.read_nzcv())
        if c is True:
            ctx.write_nzcv(compare(ctx))
        elif c is False:
            ctx.write_nzcv(nzcv_c)
        else:
            ctx.write_nzcv(V.ite(c, compare(ctx), nzcv_c))
    return Op(run, "alu", instr)
