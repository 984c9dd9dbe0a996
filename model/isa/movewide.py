"""Move wide immediate (Arm ARM C6: MOVZ, MOVN, MOVK) and every form of the MOV alias:
MOV (wide immediate) = MOVZ, MOV (inverted wide immediate) = MOVN, MOV (bitmask
immediate) = ORR (immediate) with ZR, MOV (register) = ORR (shifted register) with ZR,
MOV (to/from SP) = ADD (immediate) #0.

    MOVZ: result = Zeros(); result<pos+15:pos> = imm16
    MOVN: result = NOT(that)
    MOVK: result = X[d]; result<pos+15:pos> = imm16
"""
from __future__ import annotations

from .. import values as V
from .operands import (DecodeError, Imm, Op, Reg, SymRef, handles, reader, symref_value,
                       writer)
from .pseudocode import is_bitmask_imm


def _hw_imm16(x: Imm, width: int):
    """(imm16, pos) from an immediate operand `#imm{, lsl #shift}`."""
    value, shift = x.value, x.shift
    if shift:
        if shift % 16 or shift >= width:
            raise DecodeError(f"lsl #{shift} not allowed (0, 16{', 32, 48' if width == 64 else ''})")
        if not 0 <= value <= 0xFFFF:
            raise DecodeError(f"immediate {value:#x} does not fit in 16 bits")
        return value, shift
    if not 0 <= value < (1 << width):
        raise DecodeError(f"immediate {value:#x} out of range")
    for pos in range(0, width, 16):
        if value & ~(0xFFFF << pos) == 0:
            return value >> pos, pos
    raise DecodeError(f"immediate {value:#x} is not a 16-bit field")


def _reloc_group(reloc: str):
    """abs_gN[_nc|_s] -> (N, kind)."""
    if not reloc.startswith("abs_g"):
        raise DecodeError(f":{reloc}: not allowed in a move-wide instruction")
    rest = reloc[5:]
    g = int(rest[0])
    kind = rest[1:].lstrip("_") or "plain"
    return g, kind


@handles("movz", "movn", "movk")
def dec_movewide(instr) -> Op:
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rd, #imm")
    rd, x = o
    width = rd.width
    m = instr.mnemonic
    wr = writer(rd)
    if isinstance(x, SymRef):
        g, kind = _reloc_group(x.reloc or "")
        pos = 16 * g
        if pos >= width:
            raise DecodeError(f":{x.reloc}: needs a 64-bit register")
        if kind == "s":
            if m == "movk":
                raise DecodeError("movk takes no signed relocation")

            def run_s(ctx):
                # the linker picks MOVZ or MOVN by the sign of S+A (R_AARCH64_MOVW_SABS_G*)
                s = symref_value(ctx, x)
                neg = V.bit(s, 63)
                field = V.extract(V.lshr(V.ite(neg, V.not_(s), s), pos), 15, 0)
                val = V.shl(V.zext(field, width), pos)
                wr(ctx, V.ite(neg, V.not_(val), val))
            return Op(run_s, "alu", instr)

        def field_of(ctx):
            return V.extract(V.lshr(symref_value(ctx, x), pos), 15, 0)
    else:
        if not isinstance(x, Imm):
            raise DecodeError(f"{x} is not an immediate")
        imm16, pos = _hw_imm16(x, width)
        c = V.const(imm16, 16)

        def field_of(ctx):
            return c
    if m == "movk":
        rd_r = reader(rd)
        mask = V.const(~(0xFFFF << pos), width)

        def run_k(ctx):
            old = V.and_(rd_r(ctx), mask)
            wr(ctx, V.or_(old, V.shl(V.zext(field_of(ctx), width), pos)))
        return Op(run_k, "alu", instr)
    if isinstance(x, Imm):
        v = imm16 << pos
        c = V.const(~v if m == "movn" else v, width)

        def run_c(ctx):
            wr(ctx, c)
        return Op(run_c, "alu", instr)
    inv = m == "movn"

    def run(ctx):
        val = V.shl(V.zext(field_of(ctx), width), pos)
        wr(ctx, V.not_(val) if inv else val)
    return Op(run, "alu", instr)


def mov_imm_encodable(value: int, width: int, *, to_sp: bool = False) -> bool:
    """Is `mov Rd, #value` assemblable (as MOVZ, MOVN or ORR bitmask)?"""
    v = value & ((1 << width) - 1)
    if to_sp:
        return is_bitmask_imm(v, width)
    for cand in (v, ~v & ((1 << width) - 1)):
        for pos in range(0, width, 16):
            if cand & ~(0xFFFF << pos) == 0:
                return True
    return is_bitmask_imm(v, width)


@handles("mov")
def dec_mov(instr) -> Op:
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rd, <Rm|#imm>")
    rd, x = o
    width = rd.width
    if isinstance(x, Imm):
        if x.shift:
            raise DecodeError("mov #imm takes no shift (use movz)")
        value = x.value
        if width == 32 and not (-(1 << 31) <= value < (1 << 32)):
            raise DecodeError(f"immediate {value:#x} does not fit in 32 bits")
        if width == 64 and not (-(1 << 63) <= value < (1 << 64)):
            raise DecodeError(f"immediate {value:#x} does not fit in 64 bits")
        if not mov_imm_encodable(value, width, to_sp=rd.is_sp):
            raise DecodeError(f"immediate {value:#x} cannot be moved in one instruction")
        c = V.const(value, width)
        wr = writer(rd, sp=rd.is_sp)

        def run_c(ctx):
            wr(ctx, c)
        return Op(run_c, "alu", instr)
    if isinstance(x, Reg):
        if x.width != width:
            raise DecodeError("register widths differ")
        if rd.is_sp or x.is_sp:
            # MOV (to/from SP) = ADD Rd|SP, Rn|SP, #0
            rn_r, wr = reader(x, sp=True), writer(rd, sp=True)
        else:
            # MOV (register) = ORR Rd, ZR, Rm
            rn_r, wr = reader(x), writer(rd)

        def run_r(ctx):
            wr(ctx, rn_r(ctx))
        return Op(run_r, "alu", instr)
    if isinstance(x, SymRef) and x.reloc and x.reloc.startswith("abs_g"):
        from ...grammar.program import Instruction
        return dec_movewide(Instruction("movz", (rd, x), instr.loc, text=instr.text))
    raise DecodeError(f"mov: bad source operand {x}")
