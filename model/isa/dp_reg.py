"""Data-processing (register): one source, two source and three source (Arm ARM C6:
CLZ, CLS, RBIT, REV, REV16, REV32 (REV64 alias); UDIV, SDIV; MADD, MSUB (MUL, MNEG),
SMADDL, SMSUBL, UMADDL, UMSUBL (SMULL, SMNEGL, UMULL, UMNEGL), SMULH, UMULH).
The variable shifts (LSLV, ...) live in shifts.py.

    CLZ:   result = CountLeadingZeroBits(X[n])
    CLS:   result = CountLeadingSignBits(X[n])
    REV*:  reverse the bytes within each container of 16/32/64 bits
    UDIV:  result = if UInt(m) == 0 then 0 else RoundTowardsZero(UInt(n) / UInt(m))
    SDIV:  same with SInt
    MADD:  result = X[a] + X[n] * X[m];   MSUB: X[a] - X[n] * X[m]
    xMADDL: result = X[a] + Int(W[n], unsigned) * Int(W[m], unsigned)  (64 bits)
    xMULH: result = (Int(X[n]) * Int(X[m]))<127:64>
"""
from __future__ import annotations

from .. import values as V
from .operands import DecodeError, Op, Reg, handles, reader, writer
from .pseudocode import count_leading_sign_bits


def _regs(instr, n):
    o = instr.operands
    if len(o) != n or not all(isinstance(a, Reg) for a in o):
        raise DecodeError(f"expected {n} registers")
    return o


def _same(*rs):
    w = rs[0].width
    if any(r.width != w for r in rs):
        raise DecodeError("register widths differ")
    return w


# --------------------------------------------------------------------------- one source

def _rev_containers(x, container: int):
    w = V.width(x)
    if container == w:
        return V.rev_bytes(x)
    parts = [V.rev_bytes(V.extract(x, i + container - 1, i))
             for i in range(w - container, -1, -container)]
    return V.concat(*parts)


_ONE = {
    "clz": lambda x: V.clz(x),
    "cls": count_leading_sign_bits,
    "rbit": lambda x: V.rbit(x),
    "rev16": lambda x: _rev_containers(x, 16),
    "rev32": lambda x: _rev_containers(x, 32),
    "rev": lambda x: V.rev_bytes(x),
    "rev64": lambda x: V.rev_bytes(x),
}


@handles(*_ONE)
def dec_one_source(instr) -> Op:
    rd, rn = _regs(instr, 2)
    w = _same(rd, rn)
    m = instr.mnemonic
    if m in ("rev32", "rev64") and w != 64:
        raise DecodeError(f"{m} takes X registers")
    f = _ONE[m]
    rn_r, wr = reader(rn), writer(rd)

    def run(ctx):
        wr(ctx, f(rn_r(ctx)))
    return Op(run, "alu", instr)


# --------------------------------------------------------------------------- two source

@handles("udiv", "sdiv")
def dec_div(instr) -> Op:
    rd, rn, rm = _regs(instr, 3)
    _same(rd, rn, rm)
    f = V.udiv if instr.mnemonic == "udiv" else V.sdiv
    rn_r, rm_r, wr = reader(rn), reader(rm), writer(rd)

    def run(ctx):
        wr(ctx, f(rn_r(ctx), rm_r(ctx)))
    return Op(run, "alu", instr)


# --------------------------------------------------------------------------- three source

def build_madd(instr, sub: bool, rd: Reg, rn: Reg, rm: Reg, ra: Reg) -> Op:
    _same(rd, rn, rm, ra)
    rn_r, rm_r, ra_r, wr = reader(rn), reader(rm), reader(ra), writer(rd)
    f = V.sub if sub else V.add

    def run(ctx):
        wr(ctx, f(ra_r(ctx), V.mul(rn_r(ctx), rm_r(ctx))))
    return Op(run, "alu", instr)


@handles("madd", "msub")
def dec_madd(instr) -> Op:
    return build_madd(instr, instr.mnemonic == "msub", *_regs(instr, 4))


@handles("mul", "mneg")
def dec_mul(instr) -> Op:
    rd, rn, rm = _regs(instr, 3)
    zr = Reg("xzr" if rd.width == 64 else "wzr", 31, rd.width)
    return build_madd(instr, instr.mnemonic == "mneg", rd, rn, rm, zr)


def build_maddl(instr, signed: bool, sub: bool, rd: Reg, rn: Reg, rm: Reg, ra: Reg) -> Op:
    if rd.width != 64 or ra.width != 64 or rn.width != 32 or rm.width != 32:
        raise DecodeError("expected Xd, Wn, Wm, Xa")
    rn_r, rm_r, ra_r, wr = reader(rn), reader(rm), reader(ra), writer(rd)
    ext = V.sext if signed else V.zext
    f = V.sub if sub else V.add

    def run(ctx):
        prod = V.mul(ext(rn_r(ctx), 64), ext(rm_r(ctx), 64))
        wr(ctx, f(ra_r(ctx), prod))
    return Op(run, "alu", instr)


@handles("smaddl", "smsubl", "umaddl", "umsubl")
def dec_maddl(instr) -> Op:
    m = instr.mnemonic
    return build_maddl(instr, m[0] == "s", "sub" in m, *_regs(instr, 4))


@handles("smull", "smnegl", "umull", "umnegl")
def dec_mull(instr) -> Op:
    rd, rn, rm = _regs(instr, 3)
    m = instr.mnemonic
    return build_maddl(instr, m[0] == "s", "neg" in m, rd, rn, rm, Reg("xzr", 31, 64))


@handles("smulh", "umulh")
def dec_mulh(instr) -> Op:
    rd, rn, rm = _regs(instr, 3)
    if _same(rd, rn, rm) != 64:
        raise DecodeError("expected X registers")
    ext = V.sext if instr.mnemonic == "smulh" else V.zext
    rn_r, rm_r, wr = reader(rn), reader(rm), writer(rd)

    def run(ctx):
        prod = V.mul(ext(rn_r(ctx), 128), ext(rm_r(ctx), 128))
        wr(ctx, V.extract(prod, 127, 64))
    return Op(run, "alu", instr)
