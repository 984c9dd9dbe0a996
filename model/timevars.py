"""The sort of the encoding's times and selectors.

Times (`t`, `p`, `q`, `pi`, `u`, `inv`, `r`, ...) and small selectors are Z3 Ints or
16-bit bit-vectors; a read's choice of store and a walk's choice of system-register
write are one-hot Booleans (`Choice`).  With bit-vectors the whole formula is pure QF_BV (the
descriptors are bit-vectors anyway) and Z3's bit-blasting engine decides it; every
time variable is then kept in [0, LIMIT] so that `t + 1` never wraps and the signed
comparisons Python's operators build on bit-vectors are the plain order.
"""
from __future__ import annotations

import z3

WIDTH = 16
LIMIT = 1 << 14

_kind = "int"
_vars: list = []


def set_kind(kind: str) -> None:
    global _kind
    if kind not in ("int", "bv"):
        raise ValueError("time sort is 'int' or 'bv'")
    _kind = kind


def kind() -> str:
    return _kind


def var(name: str):
    """A time or selector variable, registered for its range constraint."""
    v = z3.Int(name) if _kind == "int" else z3.BitVec(name, WIDTH)
    _vars.append(v)
    return v


def num(n: int):
    return z3.IntVal(n) if _kind == "int" else z3.BitVecVal(n, WIDTH)


def take_registered() -> list:
    """The variables created since the last call (for range constraints)."""
    global _vars
    out, _vars = _vars, []
    return out


def in_range(v):
    if _kind == "int":
        return z3.And(v >= 0, v <= LIMIT)
    return z3.And(v >= 0, v <= LIMIT)


def count(bools):
    """Number of true conditions, as a term comparable with Python ints."""
    if _kind == "int":
        return z3.Sum([z3.If(b, 1, 0) for b in bools]) if bools else z3.IntVal(0)
    if not bools:
        return z3.BitVecVal(0, WIDTH)
    return z3.Sum([z3.If(b, z3.BitVecVal(1, WIDTH), z3.BitVecVal(0, WIDTH)) for b in bools])


class Choice:
    """A choice among 0..n (which store a read returns, which system-register write
    is in effect), as one Boolean per value instead of an integer: `c == i` is a Bool,
    `c.domain(n)` says exactly one of 0..n holds.  Keeps the choices out of the
    arithmetic solver, which then only orders times."""

    __hash__ = object.__hash__

    def __init__(self, name: str):
        self.name = name
        self._b: dict[int, z3.BoolRef] = {}
        self.n: int | None = None

    def __eq__(self, i):                       # noqa: D105 (a Z3 Bool, as for Ints)
        if not isinstance(i, int):
            return NotImplemented
        if self.n is not None and not 0 <= i <= self.n:
            return z3.BoolVal(False)
        b = self._b.get(i)
        if b is None:
            b = self._b[i] = z3.Bool(f"{self.name}={i}")
        return b

    def domain(self, n: int):
        """Exactly one of 0..n."""
        self.n = n
        bs = [self == i for i in range(n + 1)]
        if len(bs) == 1:
            return bs[0]
        return z3.And(z3.Or(bs), z3.AtMost(*bs, 1))

    def between(self, lo: int, hi: int):
        """lo <= choice <= hi (after domain)."""
        return z3.Or([self == i for i in range(lo, hi + 1)]) if lo <= hi else z3.BoolVal(False)
