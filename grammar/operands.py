"""Turning parsed operands (grammar/syntax.py nodes) into Program operands.

What a NAME means depends on the assembler's state and on the mnemonic:
a register or `.req` alias -> Reg/VReg; a condition (csel, ccmp, ...) -> Cond; a
system register / TLBI / DC / barrier / prefetch operation -> Name; otherwise an
expression -> Imm (absolute) or SymRef (a label or an external symbol, only where the
instruction takes an address: branch targets, adr/adrp, ldr literal, or with a
relocation operator such as `:lo12:`).

Expressions that use symbols defined later in the file cannot be evaluated yet: the
operand is then a `Later`, which the assembler completes once every label is known.
"""
from __future__ import annotations

import re
from typing import Callable

from ..errors import FrontEndError
from .expr import ExprError, Val, show
from .program import (Cond, ExtendedReg, FloatImm, Imm, Instruction, Mem, Name, Reg,
                      RegList, ShiftedReg, SymRef, VReg)
from .syntax import OpExpr, OpFloat, OpIndexed, OpLiteral, OpMem, OpRegList, OpShift


class OperandError(Exception):
    """A bad operand; the assembler adds the location."""


# --------------------------------------------------------------------------- registers

def _gprs() -> dict[str, Reg]:
    t: dict[str, Reg] = {}
    for n in range(31):
        t[f"x{n}"] = Reg(f"x{n}", n, 64)
        t[f"w{n}"] = Reg(f"w{n}", n, 32)
    t["xzr"] = Reg("xzr", 31, 64)
    t["wzr"] = Reg("wzr", 31, 32)
    t["sp"] = Reg("sp", 31, 64, True)
    t["wsp"] = Reg("wsp", 31, 32, True)
    t["lr"] = t["x30"]
    t["fp"] = t["x29"]
    t["ip0"] = t["x16"]
    t["ip1"] = t["x17"]
    return t


GPRS = _gprs()

_VREG = re.compile(
    r"(?:(v)([0-9]|[12][0-9]|3[01])(?:\.(?:[1-9][0-9]?)?[bhsdq])?"
    r"|([bhsdq])([0-9]|[12][0-9]|3[01])"
    r"|(z)([0-9]|[12][0-9]|3[01])(?:\.[bhsdq])?"
    r"|(p)([0-9]|1[0-5])(?:\.[bhsdq])?)$")


def builtin_register(name: str):
    """A built-in register name (all lower or all upper case, as gas accepts)."""
    if not (name.islower() or name.isupper()) and not name[1:].isdigit():
        # gas knows `x0` and `X0`, not `Xzr`; digits-only tails are fine either way
        return None
    low = name.lower()
    r = GPRS.get(low)
    if r is not None:
        return r
    m = _VREG.match(low)
    if m:
        g = m.groups()
        for k in range(0, 8, 2):
            if g[k]:
                return VReg(low, g[k], int(g[k + 1]))
    return None


# --------------------------------------------------------------------------- mnemonic classes

COND_CODES = {"eq", "ne", "cs", "hs", "cc", "lo", "mi", "pl", "vs", "vc", "hi", "ls",
              "ge", "lt", "gt", "le", "al", "nv"}
COND_ALIAS = {"cs": "hs", "cc": "lo"}
COND_MNEMONICS = {"csel", "csinc", "csinv", "csneg", "cset", "csetm", "cinc", "cinv",
                  "cneg", "ccmp", "ccmn", "fcsel", "fccmp", "fccmpe"}
# Mnemonics whose bare-name operands are operation / register names.
NAME_MNEMONICS = {"msr", "mrs", "sys", "sysl", "sysp", "tlbi", "tlbip", "dc", "ic", "at",
                  "dsb", "dmb", "isb", "prfm", "prfum", "bti", "psb", "tsb", "hint",
                  "sb", "ssbb", "pssbb", "clrex", "cfp", "dvp", "cpp", "brb", "gcsb",
                  "wfet", "wfit", "dgh", "csdb", "apas", "gcspushm", "gcspopm", "mrrs",
                  "msrr", "trcit", "stshh", "clrbhb", "chkfeat", "sme", "smstart",
                  "smstop", "pacm", "stilp"}
# Mnemonics whose last operand is a PC-relative target.
BRANCHES = {"b", "bl", "cbz", "cbnz", "tbz", "tbnz", "bc"}
# Mnemonics whose second operand may be a PC-relative address (adr, ldr literal).
PCREL_SECOND = {"adr", "adrp", "ldr", "ldrsw", "prfm"}
# Base integer instructions: an undefined name in an immediate position is an error
# here (GNU as rejects it too) rather than an unknown operand.
STRICT = {"add", "adds", "sub", "subs", "cmp", "cmn", "mov", "movz", "movn", "movk",
          "and", "ands", "orr", "orn", "eor", "eon", "bic", "bics", "tst", "lsl", "lsr",
          "asr", "ror", "ubfx", "sbfx", "bfi", "bfxil", "bfc", "ubfiz", "sbfiz", "bfm",
          "ubfm", "sbfm", "extr", "ccmp", "ccmn", "ldr", "str", "ldrb", "strb", "ldrh",
          "strh", "ldrsb", "ldrsh", "ldrsw", "ldp", "stp", "ldnp", "stnp", "ldur",
          "stur", "ldxr", "stxr", "ldaxr", "stlxr", "ldar", "stlr", "mul", "madd",
          "msub", "udiv", "sdiv", "neg", "negs", "mvn", "adc", "sbc", "adr", "adrp",
          "b", "bl", "cbz", "cbnz", "tbz", "tbnz", "svc", "hvc", "smc", "brk", "hlt",
          "udf", "ret", "br", "blr", "eret", "csel", "csinc", "csinv", "csneg", "cset",
          "csetm", "cinc", "cinv", "cneg", "wfe", "wfi", "sev", "sevl", "nop", "yield"}
SHIFTS = {"lsl", "lsr", "asr", "ror"}
EXTENDS = {"uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"}

_RELOC_GROUP = re.compile(r"abs_g([0-3])(_nc|_s)?$")


def split_mnemonic(m: str) -> tuple[str, str | None]:
    """`b.NE` -> ('b', 'ne'); `bc.eq` -> ('bc', 'eq'); others lower-cased.

    GNU as also takes the condition without the dot (`beq`, `bne`, ... — not `bal`
    or `bnv`), as Xen's head.S writes it."""
    low = m.lower()
    if "." in low:
        base, _, c = low.partition(".")
        if base in ("b", "bc") and c in COND_CODES:
            return base, COND_ALIAS.get(c, c)
    elif len(low) == 3 and low[0] == "b" and low[1:] in COND_CODES \
            and low[1:] not in ("al", "nv"):
        return "b", COND_ALIAS.get(low[1:], low[1:])
    return low, None


# --------------------------------------------------------------------------- deferred

class Later:
    """An operand whose expression needs symbols defined further down the file.

    `expr` is the frozen expression (grammar/expr.freeze); `make(val, instr)` builds
    the operand from its value once known (and may change instr, e.g. movz->movn)."""
    __slots__ = ("expr", "make")

    def __init__(self, expr, make: Callable):
        self.expr = expr
        self.make = make

    def then(self, f: Callable) -> "Later":
        inner = self.make
        return Later(self.expr, lambda v, ins: f(inner(v, ins), ins))


def _map(x, f: Callable):
    """Apply f(operand, instr) now, or after x is known."""
    if isinstance(x, Later):
        return x.then(f)
    return f(x, None)


class Context:
    """What operand resolution needs from the assembler (gas.Assembler implements it).

    register(name) -> Reg | VReg | None    (built-in registers and `.req` aliases)
    value(expr)    -> Val, or Later-able: raises Deferred(frozen) when undefined now
    literal(expr, size, make_value) -> operand or Later   (pool entry)
    """


class Deferred(Exception):
    def __init__(self, frozen):
        super().__init__()
        self.frozen = frozen


# --------------------------------------------------------------------------- conversion

def _check_imm(v: Val, what: str) -> int:
    if not v.is_abs:
        raise OperandError(f"symbol `{v.sym}` used as an immediate value ({what})")
    return v.const


def reloc_operand(v: Val, reloc: str, text: str, ins: Instruction | None) -> object:
    """Apply a relocation operator (`:lo12:`, `:abs_g1_s:`...) to a value."""
    if not v.is_abs:
        return SymRef(v.sym, v.const, reloc, text)
    c = v.const
    if reloc in ("lo12", "lo12_nc"):
        return Imm(c & 0xFFF)
    m = _RELOC_GROUP.match(reloc)
    if m is None:
        raise OperandError(f"`:{reloc}:` of a constant is not supported")
    g = int(m.group(1))
    kind = m.group(2) or ""
    lo = 16 * g
    if kind == "" and not 0 <= c < (1 << (lo + 16)) and not (g == 3 and c < 0):
        raise OperandError(f"`:{reloc}:{c:#x}`: value out of range")
    if kind == "_s":
        if not -(1 << (lo + 16)) <= c < (1 << (lo + 16)):
            raise OperandError(f"`:{reloc}:{c:#x}`: value out of range")
        if c < 0 and ins is not None and ins.mnemonic == "movz":
            # gas turns `movz x, #:abs_gN_s:negative` into movn
            ins.mnemonic = "movn"
            return Imm(((~c) >> lo) & 0xFFFF, lo)
    return Imm((c >> lo) & 0xFFFF, lo)


class Resolver:
    """Resolve one instruction's operands against an assembler context."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.ins: Instruction | None = None

    def resolve(self, mnemonic: str, nodes: tuple, ins: Instruction | None = None) -> list:
        """The operands of `ins` (whose mnemonic a relocation operator may change)."""
        self.ins = ins
        n = len(nodes)
        out: list = []
        for i, node in enumerate(nodes):
            pcrel = ((mnemonic in BRANCHES and i == n - 1)
                     or (mnemonic in PCREL_SECOND and i == 1))
            out.append(self.operand(mnemonic, node, pcrel, out))
        return self._merge(mnemonic, out)

    # -- single operands
    def operand(self, mn: str, node, pcrel: bool, before: list):
        ctx = self.ctx
        if isinstance(node, OpExpr):
            e = node.expr
            if not node.hash and node.reloc is None and e[0] == "sym":
                name = e[1]
                r = ctx.register(name)
                if r is not None:
                    return r
                low = name.lower()
                if mn in COND_MNEMONICS and low in COND_CODES:
                    return Cond(COND_ALIAS.get(low, low))
                if low in SHIFTS or low in EXTENDS:
                    return OpShift(low, None)
                if mn in NAME_MNEMONICS and not pcrel:
                    return Name(low)
                if not pcrel and mn not in STRICT and not ctx.is_defined(name):
                    return Name(low)
            if e[0] == "bin" and e[1] == "/" and e[2][0] == "sym" and e[3][0] == "sym":
                # SVE predicate qualifier p0/z, p1/m
                r = ctx.register(e[2][1])
                if isinstance(r, VReg) and r.kind == "p" and e[3][1].lower() in "zm":
                    return VReg(f"{r.name}/{e[3][1].lower()}", "p", r.num)
            return self.value_operand(e, node.reloc, pcrel, mn)
        if isinstance(node, OpMem):
            return self.mem(mn, node)
        if isinstance(node, OpLiteral):
            size = 8
            if before and isinstance(before[0], Reg):
                size = before[0].width // 8
            elif before and isinstance(before[0], VReg):
                size = {"s": 4, "d": 8, "q": 16}.get(before[0].kind, 8)
            return ctx.literal(node.expr, size)
        if isinstance(node, OpShift):
            if node.word is not None:
                return Name(f"{node.op} {node.word}")
            if node.reloc is not None:
                raise OperandError(f"relocation operator in `{node.op}` amount")
            amount = self.const(node.amount, f"{node.op} amount")
            return OpShift(node.op, amount)
        if isinstance(node, OpRegList):
            regs = []
            for x in node.items:
                r = self.operand(mn, x, False, [])
                if not isinstance(r, (VReg, Reg)):
                    raise OperandError(f"`{_node_text(x)}` is not a register in a register list")
                regs.append(r)
            idx = None if node.index is None else self.const(node.index, "element index")
            return RegList(tuple(regs), idx)
        if isinstance(node, OpIndexed):
            base = node.expr
            r = ctx.register(base[1]) if base[0] == "sym" else None
            if not isinstance(r, VReg):
                raise OperandError(f"`{show(base)}[...]`: not a vector register")
            idx = self.const(node.index, "element index")
            return VReg(f"{r.name}[{idx}]", r.kind, r.num)
        if isinstance(node, OpFloat):
            return FloatImm(node.text)
        raise OperandError(f"unsupported operand {node!r}")  # pragma: no cover

    def const(self, e, what: str) -> int:
        try:
            v = self.ctx.value(e)
        except Deferred:
            raise OperandError(f"{what} must be a constant known here") from None
        return _check_imm(v, what)

    def value_operand(self, e, reloc: str | None, pcrel: bool, mn: str):
        text = show(e) if e[0] in ("sym", "local") else ""

        def make(v: Val, ins):
            if reloc is not None:
                return reloc_operand(v, reloc, text, ins)
            if v.is_abs:
                return Imm(v.const)
            if pcrel or mn not in STRICT:
                return SymRef(v.sym, v.const, None, text)
            raise OperandError(f"symbol `{v.sym}` used as an immediate value")

        try:
            v = self.ctx.value(e)
        except Deferred as d:
            return Later(d.frozen, make)
        return make(v, self.ins)

    def mem(self, mn: str, node: OpMem):
        items = node.items
        base = items[0]
        b = None
        if isinstance(base, OpExpr) and not base.hash and base.reloc is None \
                and base.expr[0] == "sym":
            b = self.ctx.register(base.expr[1])
        if not isinstance(b, Reg) or (b.width != 64):
            raise OperandError(f"`[{_node_text(base)}`: the base must be a 64-bit "
                               "general-purpose register or sp")
        mode = "pre" if node.pre else "offset"
        if len(items) == 1:
            if node.pre:
                raise OperandError("pre-index `[...]!` needs an offset")
            return Mem(b, None, mode)
        off = self.operand(mn, items[1], False, [])
        if isinstance(off, OpShift):
            raise OperandError(f"unexpected `{off.op}` as a memory offset")
        if len(items) == 3:
            sh = self.operand(mn, items[2], False, [])
            if not isinstance(sh, OpShift) or not isinstance(off, Reg):
                raise OperandError("expected `[base, reg, extend #amount]`")
            if sh.op in ("lsl", *EXTENDS):
                off = ExtendedReg(off, sh.op, sh.amount)
            else:
                raise OperandError(f"`{sh.op}` is not allowed in an address")
        elif len(items) > 3:
            raise OperandError("too many items in a memory operand")
        if isinstance(off, (Name, Cond)):
            raise OperandError(f"`{off}` is not a valid address offset")
        return _map(off, lambda o, ins: Mem(b, o, mode))

    # -- combining `reg, lsl #n`, `#imm, lsl #n`, `[xn], #imm`
    def _merge(self, mn: str, ops: list) -> list:
        out: list = []
        for x in ops:
            if isinstance(x, OpShift):
                if not out:
                    raise OperandError(f"`{x.op}` without an operand before it")
                prev = out.pop()
                out.append(_map(prev, lambda p, ins, x=x: _shifted(p, x)))
                continue
            if out and isinstance(x, (Imm, Reg, Later)) and _is_postable(out[-1]):
                prev = out.pop()
                out.append(_post(prev, x))
                continue
            out.append(x)
        return out


def _is_postable(m) -> bool:
    return isinstance(m, Mem) and m.offset is None and m.mode == "offset"


def _post(m: Mem, x):
    return _map(x, lambda o, ins: _post_check(m, o))


def _post_check(m: Mem, o):
    if not isinstance(o, (Imm, Reg)):
        raise OperandError(f"`{o}` is not a valid post-index offset")
    return Mem(m.base, o, "post")


def _shifted(p, x: OpShift):
    if isinstance(p, Reg):
        if x.op in SHIFTS:
            if x.amount is None:
                raise OperandError(f"`{x.op}` needs an amount")
            return ShiftedReg(p, x.op, x.amount)
        return ExtendedReg(p, x.op, x.amount)
    if isinstance(p, Imm) and x.op == "lsl" and not p.shift and x.amount is not None:
        return Imm(p.value, x.amount)
    if isinstance(p, (VReg, Imm)) and x.amount is not None:
        return Name(f"{p}, {x.op} #{x.amount}")
    raise OperandError(f"`{x.op}` cannot follow `{p}`")


def _node_text(n) -> str:
    if isinstance(n, OpExpr):
        return ("#" if n.hash else "") + (f":{n.reloc}:" if n.reloc else "") + show(n.expr)
    return str(n)


def ensure(exc: Exception, loc) -> FrontEndError:
    return FrontEndError(str(exc), loc)


__all__ = ["Resolver", "Later", "Deferred", "OperandError", "builtin_register",
           "split_mnemonic", "GPRS", "COND_CODES", "ExprError"]
