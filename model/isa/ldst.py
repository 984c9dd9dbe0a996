"""Loads and stores of one register (Arm ARM C6: LDR/STR (immediate: unsigned offset,
pre-index, post-index; register; literal), LDRB/LDRH/LDRSB/LDRSH/LDRSW, STRB/STRH,
LDUR/STUR and their byte/halfword/signed forms, PRFM/PRFUM, and the `ldr Rt, =value`
pseudo-instruction).

    if n == 31 then address = SP[] else address = X[n]
    if !postindex then address = address + offset
    LOAD:  data = Mem[address, datasize/8]
           X[t] = if signed then SignExtend(data, regsize) else ZeroExtend(data, regsize)
    STORE: Mem[address, datasize/8] = X[t]<datasize-1:0>
    if wback then
        if postindex then address = address + offset
        if n == 31 then SP[] = address else X[n] = address

offset is: an immediate (scaled or unscaled), X[m] shifted left by 0 or log2(size),
ExtendReg(m, UXTW|SXTW|SXTX, 0|log2(size)), or `:lo12:sym`.

CONSTRAINED UNPREDICTABLE cases, as chosen here (docs/semantics.md):
- load with writeback and t == n: the write-back is suppressed (Constraint_WBSUPPRESS),
  X[t] holds the loaded value;
- store with writeback and t == n: the value stored is the register before the
  write-back (Constraint_NONE).

`ldr Rt, =value` loads a constant from a literal pool the assembler emits; the model
moves the constant (the pool is read-only data nobody writes) and makes no access.
PRFM is a hint: no architectural effect in the model (translations may be filled
speculatively at any time anyway).
"""
from __future__ import annotations

from .. import values as V
from .operands import (DecodeError, ExtendedReg, Imm, Literal, Mem, Name, Op, Reg,
                       ShiftedReg, SymRef, address_operand, handles, reader, symref_value,
                       writer)
from .pseudocode import extend_reg

# mnemonic -> (size in bytes or None for "by register width", signed, load?)
SINGLE = {
    "ldr": (None, False, True), "str": (None, False, False),
    "ldrb": (1, False, True), "ldrh": (2, False, True),
    "ldrsb": (1, True, True), "ldrsh": (2, True, True), "ldrsw": (4, True, True),
    "strb": (1, False, False), "strh": (2, False, False),
    "ldur": (None, False, True), "stur": (None, False, False),
    "ldurb": (1, False, True), "ldurh": (2, False, True),
    "ldursb": (1, True, True), "ldursh": (2, True, True), "ldursw": (4, True, True),
    "sturb": (1, False, False), "sturh": (2, False, False),
}

_LOG2 = {1: 0, 2: 1, 4: 2, 8: 3, 16: 4}


class Address:
    """A decoded memory operand: `compute(ctx)` -> (address, writeback value or None),
    and the base register to write back."""
    __slots__ = ("compute", "wb", "base")

    def __init__(self, compute, wb, base):
        self.compute = compute
        self.wb = wb
        self.base = base


def decode_address(mem, size: int, *, unscaled: bool = False, pair: bool = False,
                   allow_reg: bool = True, allow_index: bool = True) -> Address:
    """Decode a Mem operand for an access of `size` bytes.

    unscaled: the LDUR/STUR form (simm9 only); pair: LDP/STP (simm7 scaled by size);
    allow_reg: register offsets allowed; allow_index: pre/post-index allowed."""
    if not isinstance(mem, Mem):
        raise DecodeError(f"{mem} is not a memory operand")
    base = mem.base
    if not isinstance(base, Reg) or base.width != 64:
        raise DecodeError(f"base {base} must be an X register or SP")
    rn = reader(base, sp=True)
    off = mem.offset
    mode = mem.mode
    if mode in ("pre", "post"):
        if not allow_index:
            raise DecodeError("pre/post-index not allowed here")
        if not isinstance(off, Imm) or off.shift:
            raise DecodeError(f"{mode}-index offset must be an immediate")
        _check_imm(off.value, size, index=True, pair=pair, unscaled=unscaled)
        k = off.value
        wb_w = writer(base, sp=True)
        if mode == "pre":
            def comp_pre(ctx):
                a = V.add(rn(ctx), k)
                return a, a
            return Address(comp_pre, wb_w, base)

        def comp_post(ctx):
            a = rn(ctx)
            return a, V.add(a, k)
        return Address(comp_post, wb_w, base)
    if mode != "offset":
        raise DecodeError(f"bad addressing mode {mode}")
    if off is None:
        return Address(lambda ctx: (rn(ctx), None), None, base)
    if isinstance(off, Imm):
        if off.shift:
            raise DecodeError("bad offset")
        _check_imm(off.value, size, index=False, pair=pair, unscaled=unscaled)
        k = off.value
        if k == 0:
            return Address(lambda ctx: (rn(ctx), None), None, base)
        return Address(lambda ctx: (V.add(rn(ctx), k), None), None, base)
    if isinstance(off, SymRef):
        if off.reloc not in ("lo12", "lo12_nc") or pair or unscaled:
            raise DecodeError(f"{off}: only :lo12: offsets are allowed here")
        s = off

        def comp_lo12(ctx):
            return V.add(rn(ctx), V.and_(symref_value(ctx, s), 0xFFF)), None
        return Address(comp_lo12, None, base)
    if not allow_reg or unscaled or pair:
        raise DecodeError(f"register offset {off} not allowed here")
    if isinstance(off, Reg):
        if off.width != 64:
            raise DecodeError(f"{off}: a W index needs uxtw/sxtw")
        rm = reader(off)
        return Address(lambda ctx: (V.add(rn(ctx), rm(ctx)), None), None, base)
    if isinstance(off, ShiftedReg):
        m, ext, amount = off.reg, off.op, off.amount
        if ext != "lsl":
            raise DecodeError(f"{ext} not allowed in an address")
        ext = "uxtx"
    elif isinstance(off, ExtendedReg):
        m, ext, amount = off.reg, off.op, off.amount
        if ext == "lsl":
            ext = "uxtx"
        if amount is None:
            amount = 0
    else:
        raise DecodeError(f"bad offset {off}")
    if ext not in ("uxtw", "sxtw", "sxtx", "uxtx"):
        raise DecodeError(f"extend {ext} not allowed in an address")
    if ext in ("uxtw", "sxtw") and m.width != 32:
        raise DecodeError(f"{m}: {ext} takes a W register")
    if ext in ("sxtx", "uxtx") and m.width != 64:
        raise DecodeError(f"{m}: {ext} takes an X register")
    if amount not in (0, _LOG2[size]):
        raise DecodeError(f"shift #{amount} must be 0 or {_LOG2[size]}")
    rm = reader(m)
    if ext == "uxtx":
        if amount == 0:
            return Address(lambda ctx: (V.add(rn(ctx), rm(ctx)), None), None, base)
        return Address(lambda ctx: (V.add(rn(ctx), V.shl(rm(ctx), amount)), None), None, base)

    def comp_ext(ctx):
        return V.add(rn(ctx), extend_reg(rm(ctx), ext, amount, 64)), None
    return Address(comp_ext, None, base)


def _check_imm(v: int, size: int, *, index: bool, pair: bool, unscaled: bool):
    if pair:
        if v % size or not -64 <= v // size <= 63:
            raise DecodeError(f"offset {v} not encodable for a pair of {size}-byte registers")
        return
    if index or unscaled:
        if not -256 <= v <= 255:
            raise DecodeError(f"offset {v} out of range -256..255")
        return
    # LDR/STR (immediate, unsigned offset) or, failing that, the unscaled LDUR/STUR form
    if (0 <= v <= 4095 * size and v % size == 0) or -256 <= v <= 255:
        return
    raise DecodeError(f"offset {v} not encodable")


def _reg_size(m: str, size, rt: Reg, signed: bool, load: bool) -> int:
    if size is None:
        return rt.width // 8
    if signed and size == 4 and rt.width != 64:
        raise DecodeError(f"{m} takes an X register")
    if not signed and rt.width != 32:
        raise DecodeError(f"{m} takes a W register")
    return size


@handles(*SINGLE)
def dec_single(instr) -> Op:
    m = instr.mnemonic
    size, signed, load = SINGLE[m]
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rt, <address>")
    rt, mem = o
    size = _reg_size(m, size, rt, signed, load)
    if load and isinstance(mem, Literal):
        if m not in ("ldr",):
            raise DecodeError(f"{m} has no =literal form")
        return _ldr_const(instr, rt, mem)
    if load and isinstance(mem, (SymRef, Imm)) and m in ("ldr", "ldrsw"):
        return _ldr_literal(instr, rt, mem, size, signed)
    addr = decode_address(mem, size, unscaled=m[2] == "u" or m[:4] == "stur")
    return build_single(instr, rt, addr, size, signed, load)


def build_single(instr, rt: Reg, addr: Address, size: int, signed: bool, load: bool) -> Op:
    compute, wb = addr.compute, addr.wb
    bits = size * 8
    rw = rt.width
    if load:
        wr = writer(rt)
        suppress_wb = wb is not None and addr.base.num == rt.num and rt.num != 31
        if suppress_wb:
            wb = None

        def run_load(ctx):
            a, new_base = compute(ctx)
            data = ctx.load(a, size)
            if bits < rw:
                data = V.sext(data, rw) if signed else V.zext(data, rw)
            if wb is not None:
                wb(ctx, new_base)
            wr(ctx, data)
        return Op(run_load, "load", instr)
    rd = reader(rt)

    def run_store(ctx):
        a, new_base = compute(ctx)
        data = rd(ctx)
        if bits < rw:
            data = V.extract(data, bits - 1, 0)
        ctx.store(a, size, data)
        if wb is not None:
            wb(ctx, new_base)
    return Op(run_store, "store", instr)


def _ldr_literal(instr, rt: Reg, x, size: int, signed: bool) -> Op:
    """LDR (literal): data = Mem[PC + offset] where the assembler chose the offset for
    the label; LDRSW (literal) sign-extends."""
    target = address_operand(x)
    wr = writer(rt)
    rw = rt.width
    bits = size * 8

    def run(ctx):
        data = ctx.load(target(ctx), size)
        if bits < rw:
            data = V.sext(data, rw) if signed else V.zext(data, rw)
        wr(ctx, data)
    return Op(run, "load", instr)


def _ldr_const(instr, rt: Reg, lit: Literal) -> Op:
    wr = writer(rt)
    w = rt.width
    v = lit.value
    if isinstance(v, SymRef):
        if v.reloc is not None:
            raise DecodeError(f"=:{v.reloc}: not supported")

        def run_sym(ctx):
            val = symref_value(ctx, v)
            wr(ctx, val if w == 64 else V.extract(val, 31, 0))
        return Op(run_sym, "alu", instr)
    if not isinstance(v, int):
        raise DecodeError(f"bad literal {v}")
    if w == 32 and not -(1 << 31) <= v < (1 << 32):
        raise DecodeError(f"literal {v:#x} does not fit in 32 bits")
    c = V.const(v, w)

    def run(ctx):
        wr(ctx, c)
    return Op(run, "alu", instr)


@handles("prfm", "prfum")
def dec_prfm(instr) -> Op:
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], (Name, Imm)):
        raise DecodeError("expected <prfop>, <address>")
    if isinstance(o[1], Mem):
        decode_address(o[1], 8, unscaled=instr.mnemonic == "prfum", allow_index=False)
    else:
        address_operand(o[1])
    return Op(lambda ctx: None, "nop", instr)
