"""Decode-time helpers shared by the instruction classes: the decoded-op object, the
registry of mnemonics, operand checks, and register readers/writers.

Register 31 means SP or the zero register depending on the encoding; the front end
tells which one the source named (`Reg.is_sp`), and every decoder states which one
its encoding allows (`sp=True` for the SP positions).  A register the encoding cannot
hold is a decode error (GNU as rejects it too), which the op turns into Unsupported.
"""
from __future__ import annotations

from typing import Callable

from ...grammar.program import (Cond, ExtendedReg, Imm, Instruction, Literal, Mem, Name,
                                Reg, ShiftedReg, SymRef)
from .. import values as V
from ..effects import Unsupported
from .pseudocode import COND_NUM


class DecodeError(Exception):
    """The operands do not form an instruction we have semantics for."""


class Op:
    """A decoded instruction: `run(ctx)` executes it.

    kind: what it may do, for the machine's scheduling decisions:
      'alu'       registers and flags only (including adr/adrp, mrs nzcv)
      'branch'    may change the PC (may also write X30)
      'load' / 'store' / 'exclusive' / 'atomic'   memory accesses (plus registers)
      'sysreg'    reads or writes a system register (msr/mrs)
      'effect'    barriers, TLBI, DC/IC, events, exceptions (via ctx.effect)
      'nop'       no architectural effect in the model (nop, bti, prfm, ...)
      'unsupported'
    reason: for 'unsupported', why.
    """
    __slots__ = ("run", "kind", "instr", "reason")

    def __init__(self, run: Callable, kind: str, instr: Instruction | None = None,
                 reason: str = ""):
        self.run = run
        self.kind = kind
        self.instr = instr
        self.reason = reason

    def __call__(self, ctx):
        self.run(ctx)

    def __repr__(self):
        return f"<Op {self.kind} {self.instr}>"


def unsupported(instr: Instruction | None, reason: str) -> Op:
    text = str(instr) if instr is not None else ""
    msg = f"{text}: {reason}" if text else reason
    eff = Unsupported(msg)

    def run(ctx):
        ctx.effect(eff)
    return Op(run, "unsupported", instr, msg)


# --------------------------------------------------------------------------- registry

#: mnemonic -> decoder(instr) -> Op
DECODERS: dict[str, Callable[[Instruction], Op]] = {}


def handles(*mnemonics: str):
    def deco(f):
        for m in mnemonics:
            if m in DECODERS:
                raise RuntimeError(f"two decoders for {m}")
            DECODERS[m] = f
        return f
    return deco


# --------------------------------------------------------------------------- operand checks

def ops(instr: Instruction, *types, n: int | None = None):
    """The operands, after checking their number (and, if given, types)."""
    o = instr.operands
    if types and len(o) == len(types):
        for a, t in zip(o, types):
            if t is not None and not isinstance(a, t):
                raise DecodeError(f"operand {a} is not a {_tname(t)}")
    elif types:
        raise DecodeError(f"expected {len(types)} operands, got {len(o)}")
    if n is not None and len(o) != n:
        raise DecodeError(f"expected {n} operands, got {len(o)}")
    return o


def _tname(t):
    if isinstance(t, tuple):
        return "/".join(x.__name__ for x in t)
    return t.__name__


def shape(instr: Instruction) -> tuple:
    """The operand kinds as a tuple of class names, for pattern matching."""
    return tuple(type(a).__name__ for a in instr.operands)


def reg(x, *, sp: bool = False, width: int | None = None) -> Reg:
    """Check a register operand: sp=True for positions where 31 is SP (else ZR)."""
    if not isinstance(x, Reg):
        raise DecodeError(f"{x} is not a general-purpose register")
    if x.num == 31:
        if x.is_sp and not sp:
            raise DecodeError(f"{x} not allowed here (this encoding reads 31 as the zero register)")
        if not x.is_sp and sp:
            raise DecodeError(f"{x} not allowed here (this encoding reads 31 as SP)")
    if width is not None and x.width != width:
        raise DecodeError(f"{x}: expected a {width}-bit register")
    return x


def same_width(*regs: Reg) -> int:
    w = regs[0].width
    for r in regs[1:]:
        if r.width != w:
            raise DecodeError(f"register widths differ: {', '.join(map(str, regs))}")
    return w


def imm_value(x, *, allow_shift: bool = False) -> int:
    if not isinstance(x, Imm):
        raise DecodeError(f"{x} is not an immediate")
    if x.shift and not allow_shift:
        raise DecodeError(f"{x}: shift not allowed here")
    return x.value


def cond_num(x) -> int:
    if isinstance(x, str):
        name = x
    elif isinstance(x, Cond):
        name = x.code
    elif isinstance(x, Name):
        name = x.name
    else:
        raise DecodeError(f"{x} is not a condition")
    try:
        return COND_NUM[name.lower()]
    except KeyError:
        raise DecodeError(f"unknown condition {name}") from None


# --------------------------------------------------------------------------- registers

def reader(r: Reg, *, sp: bool = False) -> Callable:
    """A function ctx -> value of the register at its own width (32 or 64)."""
    reg(r, sp=sp)
    w = r.width
    if r.num == 31:
        if r.is_sp:
            if w == 64:
                return _read_sp
            return _read_wsp
        z = V.const(0, w)
        return lambda ctx: z
    n = r.num
    if w == 64:
        return lambda ctx: ctx.read_gpr(n)
    return lambda ctx: V.extract(ctx.read_gpr(n), 31, 0)


def _read_sp(ctx):
    return ctx.read_sp()


def _read_wsp(ctx):
    return V.extract(ctx.read_sp(), 31, 0)


def writer(r: Reg, *, sp: bool = False) -> Callable:
    """A function (ctx, value) writing the register; 32-bit values are zero-extended
    to 64 bits (writes to a W register clear the upper half), the zero register
    discards."""
    reg(r, sp=sp)
    w = r.width
    if r.num == 31:
        if r.is_sp:
            if w == 64:
                return lambda ctx, v: ctx.write_sp(v)
            return lambda ctx, v: ctx.write_sp(V.zext(v, 64))
        return _discard
    n = r.num
    if w == 64:
        return lambda ctx, v: ctx.write_gpr(n, v)
    return lambda ctx, v: ctx.write_gpr(n, V.zext(v, 64))


def _discard(ctx, v):
    pass


# --------------------------------------------------------------------------- symbols

def symref_value(ctx, s: SymRef):
    """The 64-bit address a plain SymRef names (symbol + addend)."""
    base = ctx.symbol(s.name)
    if type(base) is int:
        return V.const(base + s.addend, 64)
    return V.add(base, s.addend)


def reloc_value(s: SymRef) -> Callable:
    """ctx -> the value a relocated SymRef denotes as an immediate, by its operator."""
    if s.reloc is None:
        return lambda ctx: symref_value(ctx, s)
    if s.reloc in ("lo12", "lo12_nc"):
        return lambda ctx: V.and_(symref_value(ctx, s), 0xFFF)
    raise DecodeError(f"relocation :{s.reloc}: not supported here")


def address_operand(x) -> Callable:
    """A branch/adr target: SymRef or an absolute Imm."""
    if isinstance(x, SymRef):
        if x.reloc is not None:
            raise DecodeError(f"relocation :{x.reloc}: not allowed in a target")
        return lambda ctx: symref_value(ctx, x)
    if isinstance(x, Imm) and not x.shift:
        v = V.const(x.value, 64)
        return lambda ctx: v
    raise DecodeError(f"{x} is not a label")


__all__ = ["DecodeError", "Op", "unsupported", "DECODERS", "handles", "ops", "shape",
           "reg", "same_width", "imm_value", "cond_num", "reader", "writer",
           "symref_value", "reloc_value", "address_operand",
           "Reg", "Imm", "SymRef", "ShiftedReg", "ExtendedReg", "Mem", "Literal", "Cond",
           "Name", "Instruction"]
