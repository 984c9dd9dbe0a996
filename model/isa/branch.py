"""Branches (Arm ARM C6: B, B.cond, BC.cond, BL, BR, BLR, RET, CBZ, CBNZ, TBZ, TBNZ).

    B/BL:      if BL then X[30] = PC[] + 4;  BranchTo(label)
    B.cond:    if ConditionHolds(cond) then BranchTo(label)
    BR/BLR:    target = X[n]; if BLR then X[30] = PC[] + 4; BranchTo(target)
    RET:       BranchTo(X[n])      (n = 30 by default)
    CBZ/CBNZ:  if IsZero(X[t]) == (op == CBZ) then BranchTo(label)
    TBZ/TBNZ:  if X[t]<bit_pos> == op then BranchTo(label)

Every branch reports itself through ctx.branch(cond, target, link=, kind=); the
semantics write X30 themselves.  The pointer-authentication forms (BRAA, RETAA, ...)
have no semantics here (Unsupported).
"""
from __future__ import annotations

from .. import values as V
from .operands import (DecodeError, Imm, Op, Reg, address_operand, cond_num, handles,
                       reader)
from .pseudocode import condition_holds


def _link(ctx):
    ctx.write_gpr(30, V.const(ctx.pc + 4, 64))


@handles("b", "bc")
def dec_b(instr) -> Op:
    o = instr.operands
    if len(o) != 1:
        raise DecodeError("expected a label")
    target = address_operand(o[0])
    if instr.cond is not None:
        c = cond_num(instr.cond)
        if c >= 14:
            def run_al(ctx):
                ctx.branch(True, target(ctx), kind="b")
            return Op(run_al, "branch", instr)

        def run_c(ctx):
            ctx.branch(condition_holds(c, ctx.read_nzcv()), target(ctx), kind="b")
        return Op(run_c, "branch", instr)
    if instr.mnemonic == "bc":
        raise DecodeError("bc needs a condition")

    def run(ctx):
        ctx.branch(True, target(ctx), kind="b")
    return Op(run, "branch", instr)


@handles("bl")
def dec_bl(instr) -> Op:
    o = instr.operands
    if len(o) != 1:
        raise DecodeError("expected a label")
    target = address_operand(o[0])

    def run(ctx):
        t = target(ctx)
        _link(ctx)
        ctx.branch(True, t, link=True, kind="b")
    return Op(run, "branch", instr)


@handles("br", "blr")
def dec_br(instr) -> Op:
    o = instr.operands
    if len(o) != 1 or not isinstance(o[0], Reg) or o[0].width != 64:
        raise DecodeError("expected Xn")
    rn = reader(o[0])
    if instr.mnemonic == "blr":
        def run_l(ctx):
            t = rn(ctx)
            _link(ctx)
            ctx.branch(True, t, link=True, kind="blr")
        return Op(run_l, "branch", instr)

    def run(ctx):
        ctx.branch(True, rn(ctx), kind="br")
    return Op(run, "branch", instr)


@handles("ret")
def dec_ret(instr) -> Op:
    o = instr.operands
    if len(o) == 0:
        n = Reg("x30", 30, 64)
    elif len(o) == 1 and isinstance(o[0], Reg) and o[0].width == 64:
        n = o[0]
    else:
        raise DecodeError("expected {Xn}")
    rn = reader(n)

    def run(ctx):
        ctx.branch(True, rn(ctx), kind="ret")
    return Op(run, "branch", instr)


@handles("cbz", "cbnz")
def dec_cbz(instr) -> Op:
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rt, label")
    rt = reader(o[0])
    target = address_operand(o[1])
    if instr.mnemonic == "cbz":
        def run(ctx):
            ctx.branch(V.eq(rt(ctx), 0), target(ctx), kind="b")
    else:
        def run(ctx):
            ctx.branch(V.ne(rt(ctx), 0), target(ctx), kind="b")
    return Op(run, "branch", instr)


@handles("tbz", "tbnz")
def dec_tbz(instr) -> Op:
    o = instr.operands
    if len(o) != 3 or not isinstance(o[0], Reg) or not isinstance(o[1], Imm):
        raise DecodeError("expected Rt, #bit, label")
    pos = o[1].value
    if not 0 <= pos < o[0].width:
        raise DecodeError(f"bit #{pos} out of range for {o[0]}")
    rt = reader(o[0])
    target = address_operand(o[2])
    if instr.mnemonic == "tbz":
        def run(ctx):
            ctx.branch(V.bool_not(V.bit(rt(ctx), pos)), target(ctx), kind="b")
    else:
        def run(ctx):
            ctx.branch(V.bit(rt(ctx), pos), target(ctx), kind="b")
    return Op(run, "branch", instr)
