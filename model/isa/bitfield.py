"""Bitfield and extract (Arm ARM C6: BFM, SBFM, UBFM, EXTR, and their aliases BFI,
BFXIL, BFC, SBFX, SBFIZ, UBFX, UBFIZ, SXTB, SXTH, SXTW, UXTB, UXTH, and the immediate
shifts LSL/LSR/ASR (UBFM/SBFM) and ROR (EXTR), which shifts.py routes here).

    (wmask, tmask) = DecodeBitMasks(N, imms, immr, FALSE, datasize)
    BFM:  dst = X[d]; bot = (dst AND NOT(wmask)) OR (ROR(src, R) AND wmask)
          result = (dst AND NOT(tmask)) OR (bot AND tmask)
    SBFM: bot = ROR(src, R) AND wmask; top = Replicate(src<S>)
          result = (top AND NOT(tmask)) OR (bot AND tmask)
    UBFM: bot = ROR(src, R) AND wmask; result = bot AND tmask
    EXTR: concat = X[n]:X[m]; result = concat<lsb+datasize-1:lsb>
"""
from __future__ import annotations

from .. import values as V
from ..values import Bits, _mk
from .operands import DecodeError, Imm, Op, Reg, handles, imm_value, reader, writer
from .pseudocode import decode_bit_masks


def build_bfm(instr, kind: str, rd: Reg, rn: Reg, immr: int, imms: int) -> Op:
    """kind: 'bfm' | 'sbfm' | 'ubfm'.  rn may be given at a different width (sxtb x0, w1):
    the encoding reads the register at the operation's width."""
    width = rd.width
    N = 1 if width == 64 else 0
    if not (0 <= immr < width and 0 <= imms < width):
        raise DecodeError(f"immr/imms out of range ({immr}, {imms})")
    try:
        wmask, tmask = decode_bit_masks(N, imms, immr, False, width)
    except ValueError as e:
        raise DecodeError(str(e)) from None
    if rn.width != width:
        rn = Reg(("x" if width == 64 else "w") + (str(rn.num) if rn.num < 31 else "zr"),
                 rn.num, width)
    src_r = reader(rn)
    wr = writer(rd)
    R, S = immr, imms
    full = (1 << width) - 1
    wm, tm = V.const(wmask, width), V.const(tmask, width)
    nwm, ntm = V.const(~wmask & full, width), V.const(~tmask & full, width)
    if kind == "ubfm":
        both = wmask & tmask

        def run_u(ctx):
            src = src_r(ctx)
            if type(src) is Bits:
                v = src.value
                rot = ((v >> R) | (v << (width - R))) & full if R else v
                wr(ctx, _mk(rot & both, width))
                return
            bot = V.and_(V.ror(src, R), wm)
            wr(ctx, V.and_(bot, tm))
        return Op(run_u, "alu", instr)
    if kind == "sbfm":
        def run_s(ctx):
            src = src_r(ctx)
            bot = V.and_(V.ror(src, R), wm)
            top = V.ite(V.bit(src, S), V.const(full, width), V.const(0, width))
            wr(ctx, V.or_(V.and_(top, ntm), V.and_(bot, tm)))
        return Op(run_s, "alu", instr)
    dst_r = reader(rd)

    def run_b(ctx):
        dst = dst_r(ctx)
        src = src_r(ctx)
        bot = V.or_(V.and_(dst, nwm), V.and_(V.ror(src, R), wm))
        wr(ctx, V.or_(V.and_(dst, ntm), V.and_(bot, tm)))
    return Op(run_b, "alu", instr)


def _regs(instr, n):
    o = instr.operands
    if len(o) < n or not all(isinstance(a, Reg) for a in o[:n]):
        raise DecodeError(f"expected {n} registers")
    return o


@handles("bfm", "sbfm", "ubfm")
def dec_bfm(instr) -> Op:
    o = _regs(instr, 2)
    if len(o) != 4:
        raise DecodeError("expected Rd, Rn, #immr, #imms")
    if o[0].width != o[1].width:
        raise DecodeError("register widths differ")
    return build_bfm(instr, instr.mnemonic, o[0], o[1], imm_value(o[2]), imm_value(o[3]))


def _lsb_width(instr, rd: Reg, *, insert: bool):
    o = instr.operands
    lsb, w = imm_value(o[-2]), imm_value(o[-1])
    datasize = rd.width
    if not (0 <= lsb < datasize) or not (1 <= w <= datasize - lsb):
        raise DecodeError(f"bitfield #{lsb}, #{w} out of range for {datasize} bits")
    if insert:      # bfi / sbfiz / ubfiz / bfc
        return (-lsb) % datasize, w - 1
    return lsb, lsb + w - 1   # bfxil / sbfx / ubfx


@handles("ubfx", "sbfx", "bfxil", "ubfiz", "sbfiz", "bfi")
def dec_bf_alias(instr) -> Op:
    o = _regs(instr, 2)
    if len(o) != 4:
        raise DecodeError("expected Rd, Rn, #lsb, #width")
    rd, rn = o[0], o[1]
    if rd.width != rn.width:
        raise DecodeError("register widths differ")
    m = instr.mnemonic
    immr, imms = _lsb_width(instr, rd, insert=m in ("ubfiz", "sbfiz", "bfi"))
    kind = {"u": "ubfm", "s": "sbfm", "b": "bfm"}[m[0]]
    return build_bfm(instr, kind, rd, rn, immr, imms)


@handles("bfc")
def dec_bfc(instr) -> Op:
    o = _regs(instr, 1)
    if len(o) != 3:
        raise DecodeError("expected Rd, #lsb, #width")
    rd = o[0]
    zr = Reg("xzr" if rd.width == 64 else "wzr", 31, rd.width)
    immr, imms = _lsb_width(instr, rd, insert=True)
    return build_bfm(instr, "bfm", rd, zr, immr, imms)


@handles("uxtb", "uxth", "sxtb", "sxth", "sxtw")
def dec_extend(instr) -> Op:
    o = _regs(instr, 2)
    if len(o) != 2:
        raise DecodeError("expected Rd, Rn")
    rd, rn = o
    m = instr.mnemonic
    if m.startswith("u") and rd.width != 32:
        raise DecodeError(f"{m} takes a W destination")
    if m == "sxtw" and rd.width != 64:
        raise DecodeError("sxtw takes an X destination")
    if rn.width != 32:
        raise DecodeError(f"{m} takes a W source")
    imms = {"b": 7, "h": 15, "w": 31}[m[-1]]
    return build_bfm(instr, "ubfm" if m[0] == "u" else "sbfm", rd, rn, 0, imms)


def build_extr(instr, rd: Reg, rn: Reg, rm: Reg, lsb: int) -> Op:
    width = rd.width
    if rn.width != width or rm.width != width:
        raise DecodeError("register widths differ")
    if not 0 <= lsb < width:
        raise DecodeError(f"lsb {lsb} out of range")
    rn_r, rm_r, wr = reader(rn), reader(rm), writer(rd)

    def run(ctx):
        cat = V.concat(rn_r(ctx), rm_r(ctx))
        wr(ctx, V.extract(cat, lsb + width - 1, lsb))
    return Op(run, "alu", instr)


@handles("extr")
def dec_extr(instr) -> Op:
    o = _regs(instr, 3)
    if len(o) != 4:
        raise DecodeError("expected Rd, Rn, Rm, #lsb")
    return build_extr(instr, o[0], o[1], o[2], imm_value(o[3]))


def build_shift_imm(instr, op: str, rd: Reg, rn: Reg, amount: int) -> Op:
    """LSL/LSR/ASR/ROR (immediate) as the aliases of UBFM/SBFM/EXTR they are."""
    width = rd.width
    if rn.width != width:
        raise DecodeError("register widths differ")
    if not 0 <= amount < width:
        raise DecodeError(f"shift amount {amount} out of range")
    if op == "lsl":
        return build_bfm(instr, "ubfm", rd, rn, (-amount) % width, width - 1 - amount)
    if op == "lsr":
        return build_bfm(instr, "ubfm", rd, rn, amount, width - 1)
    if op == "asr":
        return build_bfm(instr, "sbfm", rd, rn, amount, width - 1)
    if op == "ror":
        return build_extr(instr, rd, rn, rn, amount)
    raise DecodeError(op)


__all__ = ["build_bfm", "build_extr", "build_shift_imm", "Imm"]
