"""Shifts (Arm ARM C6: LSL/LSR/ASR/ROR (immediate) -> UBFM/SBFM/EXTR aliases in
bitfield.py; LSLV/LSRV/ASRV/RORV and their LSL/LSR/ASR/ROR (register) aliases).

    Variable shift:  result = ShiftReg(n, shift_type, UInt(X[m]) MOD datasize)
"""
from __future__ import annotations

from .. import values as V
from ..values import Bits
from .bitfield import build_shift_imm
from .operands import DecodeError, Imm, Op, Reg, handles, reader, writer
from .pseudocode import shift_reg


def build_shift_reg(instr, op: str, rd: Reg, rn: Reg, rm: Reg) -> Op:
    width = rd.width
    if rn.width != width or rm.width != width:
        raise DecodeError("register widths differ")
    rn_r, rm_r, wr = reader(rn), reader(rm), writer(rd)
    lb = width.bit_length() - 1          # amount MOD datasize = low log2(datasize) bits

    def run(ctx):
        amt = rm_r(ctx)
        if type(amt) is Bits:
            n = amt.value & (width - 1)
        else:
            n = V.zext(V.extract(amt, lb - 1, 0), width)
        wr(ctx, shift_reg(rn_r(ctx), op, n))
    return Op(run, "alu", instr)


@handles("lsl", "lsr", "asr", "ror")
def dec_shift(instr) -> Op:
    o = instr.operands
    if len(o) != 3 or not isinstance(o[0], Reg) or not isinstance(o[1], Reg):
        raise DecodeError("expected Rd, Rn, <Rm|#imm>")
    if isinstance(o[2], Imm):
        if o[2].shift:
            raise DecodeError("bad immediate")
        return build_shift_imm(instr, instr.mnemonic, o[0], o[1], o[2].value)
    if isinstance(o[2], Reg):
        return build_shift_reg(instr, instr.mnemonic, o[0], o[1], o[2])
    raise DecodeError(f"bad shift amount {o[2]}")


@handles("lslv", "lsrv", "asrv", "rorv")
def dec_shiftv(instr) -> Op:
    o = instr.operands
    if len(o) != 3 or not all(isinstance(a, Reg) for a in o):
        raise DecodeError("expected three registers")
    return build_shift_reg(instr, instr.mnemonic[:3], *o)
