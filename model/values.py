"""The bit-vector value domain the instruction semantics run over.

One small interface, two implementations:

* **concrete** values are `Bits(value, width)`: an unsigned integer `0 <= value < 2**width`
  and its width in bits (immutable, hashable);
* **symbolic** values are Z3 bit-vector terms (`z3.BitVecRef`).

Conditions (`Bool`) are Python `bool` or Z3 `BoolRef`.

Every operation folds to a concrete result when all of its arguments are concrete and
builds a Z3 term only otherwise: most values of a real routine stay concrete, and the
verifier depends on that for speed.  A plain Python `int` is accepted wherever a
bit-vector is expected next to another bit-vector and takes that one's width (so
`add(x, 4)` works); shift and rotate amounts may be an `int` or a bit-vector.

This is the only module of the model that imports z3: the semantics (model/isa) and
everything written against values use these functions only.

Arm conventions baked in (documented per function): `udiv`/`sdiv` by zero give 0 (as
the A64 UDIV/SDIV instructions do), shifts by at least the width give 0 (or the sign
fill for `ashr`), rotates take the amount modulo the width.
"""
from __future__ import annotations

from typing import Union

import z3

__all__ = [
    "Bits", "BV", "Bool", "const", "fresh", "var", "width", "is_concrete", "as_int", "lift",
    "add", "sub", "mul", "neg", "and_", "or_", "xor", "not_",
    "shl", "lshr", "ashr", "ror", "udiv", "sdiv", "urem", "srem",
    "extract", "zext", "sext", "concat", "replicate", "clz", "rbit", "rev_bytes",
    "eq", "ne", "ult", "ule", "ugt", "uge", "slt", "sle", "sgt", "sge",
    "bit", "bool_and", "bool_or", "bool_not", "bool_xor", "ite", "from_bool",
    "concrete_bool", "to_z3", "simplify", "substitute", "to_signed",
]


# --------------------------------------------------------------------------- Bits

class Bits:
    """A concrete bit-vector: `value` (unsigned, already reduced mod 2**width) and
    `width` (>= 1).  Immutable and hashable; equality is by (value, width).
    `Bits(-1, 8)` is `Bits(0xff, 8)`: the constructor reduces modulo 2**width."""

    __slots__ = ("value", "width")

    def __new__(cls, value: int, width: int):
        if width < 1:
            raise ValueError(f"bit-vector width must be >= 1, not {width}")
        o = _new(cls)
        _set_value(o, int(value) & ((1 << width) - 1))
        _set_width(o, width)
        return o

    def __setattr__(self, name, value):
        raise AttributeError("Bits is immutable")

    def __delattr__(self, name):
        raise AttributeError("Bits is immutable")

    def __eq__(self, other):
        return (type(other) is Bits and other.value == self.value
                and other.width == self.width)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash((self.value, self.width))

    def __repr__(self):
        return f"Bits({self.value:#x}, {self.width})"

    def __reduce__(self):
        return (Bits, (self.value, self.width))

    @property
    def signed(self) -> int:
        """The value read as a two's complement integer."""
        v, w = self.value, self.width
        return v - (1 << w) if v >> (w - 1) else v

    def __bool__(self):
        raise TypeError("a bit-vector has no truth value; compare it (eq/ne) instead")


_new = object.__new__
_set_value = Bits.value.__set__
_set_width = Bits.width.__set__


def _mk(value: int, width: int) -> Bits:
    """Fast constructor: `value` must already be in range."""
    o = _new(Bits)
    _set_value(o, value)
    _set_width(o, width)
    return o


BV = Union[Bits, z3.BitVecRef]
Bool = Union[bool, z3.BoolRef]

_MASKS = [(1 << w) - 1 for w in range(257)]


def _mask(w: int) -> int:
    return _MASKS[w] if w < 257 else (1 << w) - 1


# --------------------------------------------------------------------------- basics

def const(value: int, width: int) -> Bits:
    """The concrete bit-vector `value mod 2**width`."""
    return Bits(value, width)


def fresh(name: str, width: int) -> z3.BitVecRef:
    """A new Z3 bit-vector variable.  The name is made unique (Z3's FreshConst), so two
    calls with the same `name` give two different variables."""
    return z3.FreshConst(z3.BitVecSort(width), name)


def var(name: str, width: int) -> z3.BitVecRef:
    """The Z3 bit-vector variable called `name` (the same name gives the same
    variable).  The verifier names its variables itself and finds them again by name."""
    return z3.BitVec(name, width)


def width(x) -> int:
    """The width in bits of a bit-vector (concrete or Z3)."""
    if type(x) is Bits:
        return x.width
    if isinstance(x, z3.BitVecRef):
        return x.size()
    raise TypeError(f"not a bit-vector: {x!r}")


def is_concrete(x) -> bool:
    """True for Bits, Python bools/ints and Z3 numerals (`BitVecVal`, `BoolVal`)."""
    t = type(x)
    if t is Bits or t is bool or t is int:
        return True
    return z3.is_bv_value(x) or z3.is_true(x) or z3.is_false(x)


def as_int(x) -> int:
    """The unsigned integer of a concrete bit-vector; raises ValueError on a symbolic one."""
    t = type(x)
    if t is Bits:
        return x.value
    if t is int:
        return x
    if z3.is_bv_value(x):
        return x.as_long()
    raise ValueError(f"value is symbolic: {x}")


def to_signed(x) -> int:
    """The two's complement integer of a concrete bit-vector."""
    x = lift(x)
    if type(x) is not Bits:
        raise ValueError(f"value is symbolic: {x}")
    return x.signed


def lift(x):
    """Z3 numerals become Bits / bool; anything else is returned unchanged."""
    if type(x) is Bits or type(x) is bool:
        return x
    if z3.is_bv_value(x):
        return _mk(x.as_long(), x.size())
    if z3.is_true(x):
        return True
    if z3.is_false(x):
        return False
    return x


def to_z3(x):
    """A Z3 term for a bit-vector or condition (Bits -> BitVecVal, bool -> BoolVal)."""
    t = type(x)
    if t is Bits:
        return z3.BitVecVal(x.value, x.width)
    if t is bool:
        return z3.BoolVal(x)
    if isinstance(x, (z3.BitVecRef, z3.BoolRef)):
        return x
    raise TypeError(f"not a value: {x!r}")


def simplify(x):
    """Z3-simplify a value; a result that is a numeral comes back concrete
    (Bits / bool).  Concrete values are returned unchanged."""
    t = type(x)
    if t is Bits or t is bool:
        return x
    return lift(z3.simplify(x))


def substitute(x, pairs):
    """Replace Z3 sub-terms: `pairs` is an iterable of (term, value) where value may be
    concrete.  Returns the simplified result (concrete when it folds)."""
    t = type(x)
    if t is Bits or t is bool:
        return x
    zs = [(a, to_z3(b)) for a, b in pairs]
    return simplify(z3.substitute(x, *zs) if zs else x)


# --------------------------------------------------------------------------- coercion

def _pair(a, b):
    """Coerce two operands; returns (a, b, width, concrete?)."""
    ta, tb = type(a), type(b)
    if ta is Bits:
        if tb is Bits:
            if a.width != b.width:
                raise ValueError(f"width mismatch: {a.width} vs {b.width}")
            return a, b, a.width, True
        if tb is int:
            return a, _mk(b & _mask(a.width), a.width), a.width, True
        w = b.size()
        if w != a.width:
            raise ValueError(f"width mismatch: {a.width} vs {w}")
        return z3.BitVecVal(a.value, w), b, w, False
    if ta is int:
        if tb is Bits:
            return _mk(a & _mask(b.width), b.width), b, b.width, True
        if tb is int:
            raise TypeError("at least one operand must be a bit-vector")
        w = b.size()
        return z3.BitVecVal(a, w), b, w, False
    w = a.size()
    if tb is Bits:
        if b.width != w:
            raise ValueError(f"width mismatch: {w} vs {b.width}")
        return a, z3.BitVecVal(b.value, w), w, False
    if tb is int:
        return a, z3.BitVecVal(b, w), w, False
    if b.size() != w:
        raise ValueError(f"width mismatch: {w} vs {b.size()}")
    return a, b, w, False


def _z(x):
    return z3.BitVecVal(x.value, x.width) if type(x) is Bits else x


# --------------------------------------------------------------------------- arithmetic

def add(a, b):
    if type(a) is Bits and type(b) is Bits and a.width == b.width:
        w = a.width
        return _mk((a.value + b.value) & _MASKS[w], w)
    a, b, w, c = _pair(a, b)
    if c:
        return _mk((a.value + b.value) & _mask(w), w)
    return a + b


def sub(a, b):
    if type(a) is Bits and type(b) is Bits and a.width == b.width:
        w = a.width
        return _mk((a.value - b.value) & _MASKS[w], w)
    a, b, w, c = _pair(a, b)
    if c:
        return _mk((a.value - b.value) & _mask(w), w)
    return a - b


def mul(a, b):
    a, b, w, c = _pair(a, b)
    if c:
        return _mk((a.value * b.value) & _mask(w), w)
    return a * b


def neg(a):
    if type(a) is Bits:
        return _mk((-a.value) & _mask(a.width), a.width)
    return -a


def udiv(a, b):
    """Unsigned division rounding toward zero; x / 0 = 0 (the A64 UDIV rule)."""
    a, b, w, c = _pair(a, b)
    if c:
        return _mk(a.value // b.value if b.value else 0, w)
    return z3.If(b == 0, z3.BitVecVal(0, w), z3.UDiv(a, b))


def sdiv(a, b):
    """Signed division rounding toward zero; x / 0 = 0 (the A64 SDIV rule);
    INT_MIN / -1 = INT_MIN."""
    a, b, w, c = _pair(a, b)
    if c:
        if b.value == 0:
            return _mk(0, w)
        x, y = a.signed, b.signed
        q = abs(x) // abs(y)
        if (x < 0) != (y < 0):
            q = -q
        return _mk(q & _mask(w), w)
    return z3.If(b == 0, z3.BitVecVal(0, w), a / b)


def urem(a, b):
    """Unsigned remainder; x % 0 = x (so that a == udiv(a,b)*b + urem(a,b))."""
    a, b, w, c = _pair(a, b)
    if c:
        return _mk(a.value % b.value if b.value else a.value, w)
    return z3.If(b == 0, a, z3.URem(a, b))


def srem(a, b):
    """Signed remainder with the sign of the dividend; x % 0 = x."""
    a, b, w, c = _pair(a, b)
    if c:
        if b.value == 0:
            return a
        x, y = a.signed, b.signed
        r = abs(x) % abs(y)
        if x < 0:
            r = -r
        return _mk(r & _mask(w), w)
    return z3.If(b == 0, a, z3.SRem(a, b))


# --------------------------------------------------------------------------- logic

def and_(a, b):
    if type(a) is Bits and type(b) is Bits and a.width == b.width:
        return _mk(a.value & b.value, a.width)
    a, b, w, c = _pair(a, b)
    if c:
        return _mk(a.value & b.value, w)
    return a & b


def or_(a, b):
    if type(a) is Bits and type(b) is Bits and a.width == b.width:
        return _mk(a.value | b.value, a.width)
    a, b, w, c = _pair(a, b)
    if c:
        return _mk(a.value | b.value, w)
    return a | b


def xor(a, b):
    if type(a) is Bits and type(b) is Bits and a.width == b.width:
        return _mk(a.value ^ b.value, a.width)
    a, b, w, c = _pair(a, b)
    if c:
        return _mk(a.value ^ b.value, w)
    return a ^ b


def not_(a):
    if type(a) is Bits:
        return _mk(a.value ^ _mask(a.width), a.width)
    return ~a


# --------------------------------------------------------------------------- shifts

def _amount(x, n, w):
    """Shift amount as a Z3 term of width w (n is an int or a bit-vector)."""
    if type(n) is int:
        return z3.BitVecVal(min(n, (1 << w) - 1) if n >= 0 else 0, w)
    n = _z(n)
    nw = n.size()
    if nw < w:
        return z3.ZeroExt(w - nw, n)
    if nw > w:
        # saturate: an amount that does not fit in w bits is at least w
        hi = z3.Extract(nw - 1, w, n)
        return z3.If(hi == 0, z3.Extract(w - 1, 0, n), z3.BitVecVal((1 << w) - 1, w))
    return n


def _concrete_amount(n):
    if type(n) is int:
        if n < 0:
            raise ValueError("negative shift amount")
        return n
    if type(n) is Bits:
        return n.value
    return None


def shl(x, n):
    """Logical shift left; amounts >= width give 0."""
    k = _concrete_amount(n)
    if type(x) is Bits and k is not None:
        w = x.width
        return _mk((x.value << k) & _MASKS[w], w) if k < w else _mk(0, w)
    w = width(x)
    return _z(x) << _amount(x, n, w)


def lshr(x, n):
    """Logical shift right; amounts >= width give 0."""
    k = _concrete_amount(n)
    if type(x) is Bits and k is not None:
        return _mk(x.value >> k, x.width)
    w = width(x)
    return z3.LShR(_z(x), _amount(x, n, w))


def ashr(x, n):
    """Arithmetic shift right; amounts >= width give the sign fill."""
    k = _concrete_amount(n)
    if type(x) is Bits and k is not None:
        w = x.width
        return _mk((x.signed >> min(k, w)) & _MASKS[w], w)
    w = width(x)
    return _z(x) >> _amount(x, n, w)


def ror(x, n):
    """Rotate right by n modulo the width."""
    k = _concrete_amount(n)
    w = width(x)
    if type(x) is Bits and k is not None:
        k %= w
        v = x.value
        return _mk(((v >> k) | (v << (w - k))) & _MASKS[w], w) if k else x
    if k is not None:
        return z3.RotateRight(_z(x), k % w)
    n = _z(n)
    nw = n.size()
    if nw != w:
        if w & (w - 1) == 0:
            # power-of-two width: the amount modulo w is its low log2(w) bits
            lb = w.bit_length() - 1
            if nw >= lb:
                n = z3.ZeroExt(w - lb, z3.Extract(lb - 1, 0, n)) if lb else z3.BitVecVal(0, w)
            else:
                n = z3.ZeroExt(w - nw, n)
        else:
            big = max(nw, w)
            n = z3.URem(z3.ZeroExt(big - nw, n), z3.BitVecVal(w, big))
            n = z3.Extract(w - 1, 0, n) if big > w else n
    return z3.RotateRight(_z(x), n)


# --------------------------------------------------------------------------- structure

def extract(x, hi: int, lo: int):
    """Bits hi..lo (inclusive) of x, a bit-vector of width hi-lo+1."""
    if type(x) is Bits:
        if not (0 <= lo <= hi < x.width):
            raise ValueError(f"extract({hi}, {lo}) of a {x.width}-bit value")
        return _mk((x.value >> lo) & _MASKS[hi - lo + 1], hi - lo + 1)
    if hi == x.size() - 1 and lo == 0:
        return x
    return z3.Extract(hi, lo, x)


def zext(x, w: int):
    """Zero-extend x to w bits (w >= width(x))."""
    if type(x) is Bits:
        if w < x.width:
            raise ValueError(f"zext to {w} bits of a {x.width}-bit value")
        return _mk(x.value, w)
    k = w - x.size()
    if k < 0:
        raise ValueError(f"zext to {w} bits of a {x.size()}-bit value")
    return z3.ZeroExt(k, x) if k else x


def sext(x, w: int):
    """Sign-extend x to w bits (w >= width(x))."""
    if type(x) is Bits:
        if w < x.width:
            raise ValueError(f"sext to {w} bits of a {x.width}-bit value")
        return _mk(x.signed & _mask(w), w)
    k = w - x.size()
    if k < 0:
        raise ValueError(f"sext to {w} bits of a {x.size()}-bit value")
    return z3.SignExt(k, x) if k else x


def concat(*parts):
    """concat(hi, ..., lo): the first argument ends up in the most significant bits."""
    if len(parts) == 1:
        return parts[0]
    if all(type(p) is Bits for p in parts):
        v, w = 0, 0
        for p in parts:
            v = (v << p.width) | p.value
            w += p.width
        return _mk(v, w)
    return z3.Concat(*[_z(p) for p in parts])


def replicate(x, n: int):
    """n copies of x concatenated."""
    return concat(*([x] * n))


def clz(x):
    """Count of leading zero bits (the width for 0), as a bit-vector of x's width."""
    if type(x) is Bits:
        return _mk(x.width - x.value.bit_length(), x.width)
    w = x.size()
    r = z3.BitVecVal(w, w)
    for i in range(w):                # the highest set bit wins: build from the bottom
        r = z3.If(z3.Extract(i, i, x) == 1, z3.BitVecVal(w - 1 - i, w), r)
    return r


def rbit(x):
    """Reverse the order of the bits."""
    if type(x) is Bits:
        w = x.width
        return _mk(int(format(x.value, f"0{w}b")[::-1], 2), w)
    w = x.size()
    return z3.Concat(*[z3.Extract(i, i, x) for i in range(w)]) if w > 1 else x


def rev_bytes(x):
    """Reverse the order of the bytes (width a multiple of 8)."""
    w = width(x)
    if w % 8:
        raise ValueError("rev_bytes needs a whole number of bytes")
    if type(x) is Bits:
        return _mk(int.from_bytes(x.value.to_bytes(w // 8, "little"), "big"), w)
    if w == 8:
        return x
    return z3.Concat(*[z3.Extract(8 * i + 7, 8 * i, x) for i in range(w // 8)])


# --------------------------------------------------------------------------- compare

def eq(a, b) -> Bool:
    if type(a) is Bits and type(b) is Bits and a.width == b.width:
        return a.value == b.value
    a, b, w, c = _pair(a, b)
    if c:
        return a.value == b.value
    return a == b


def ne(a, b) -> Bool:
    if type(a) is Bits and type(b) is Bits and a.width == b.width:
        return a.value != b.value
    a, b, w, c = _pair(a, b)
    if c:
        return a.value != b.value
    return a != b


def ult(a, b) -> Bool:
    a, b, w, c = _pair(a, b)
    return a.value < b.value if c else z3.ULT(a, b)


def ule(a, b) -> Bool:
    a, b, w, c = _pair(a, b)
    return a.value <= b.value if c else z3.ULE(a, b)


def ugt(a, b) -> Bool:
    a, b, w, c = _pair(a, b)
    return a.value > b.value if c else z3.UGT(a, b)


def uge(a, b) -> Bool:
    a, b, w, c = _pair(a, b)
    return a.value >= b.value if c else z3.UGE(a, b)


def slt(a, b) -> Bool:
    a, b, w, c = _pair(a, b)
    return a.signed < b.signed if c else a < b


def sle(a, b) -> Bool:
    a, b, w, c = _pair(a, b)
    return a.signed <= b.signed if c else a <= b


def sgt(a, b) -> Bool:
    a, b, w, c = _pair(a, b)
    return a.signed > b.signed if c else a > b


def sge(a, b) -> Bool:
    a, b, w, c = _pair(a, b)
    return a.signed >= b.signed if c else a >= b


def bit(x, i: int) -> Bool:
    """Bit i of x as a condition."""
    if type(x) is Bits:
        return bool((x.value >> i) & 1)
    return z3.Extract(i, i, x) == 1


# --------------------------------------------------------------------------- conditions

def _zb(c):
    return z3.BoolVal(c) if type(c) is bool else c


def bool_and(*cs) -> Bool:
    rest = []
    for c in cs:
        if c is True:
            continue
        if c is False:
            return False
        if type(c) is not bool:
            if z3.is_false(c):
                return False
            if z3.is_true(c):
                continue
        rest.append(c)
    if not rest:
        return True
    return rest[0] if len(rest) == 1 else z3.And(*rest)


def bool_or(*cs) -> Bool:
    rest = []
    for c in cs:
        if c is False:
            continue
        if c is True:
            return True
        if type(c) is not bool:
            if z3.is_true(c):
                return True
            if z3.is_false(c):
                continue
        rest.append(c)
    if not rest:
        return False
    return rest[0] if len(rest) == 1 else z3.Or(*rest)


def bool_not(c) -> Bool:
    if type(c) is bool:
        return not c
    return z3.Not(c)


def bool_xor(a, b) -> Bool:
    if type(a) is bool and type(b) is bool:
        return a != b
    return z3.Xor(_zb(a), _zb(b))


def concrete_bool(c):
    """True / False when the condition is known without a solver, else None."""
    if c is True or c is False:
        return c
    if type(c) is bool:
        return bool(c)
    if z3.is_true(c):
        return True
    if z3.is_false(c):
        return False
    return None


def ite(c, a, b):
    """If-then-else: c a condition; a and b both bit-vectors (of one width, or ints next
    to a bit-vector) or both conditions."""
    if c is True:
        return a
    if c is False:
        return b
    k = concrete_bool(c)
    if k is not None:
        return a if k else b
    ta, tb = type(a), type(b)
    if ta is bool or tb is bool or isinstance(a, z3.BoolRef) or isinstance(b, z3.BoolRef):
        return z3.If(c, _zb(a), _zb(b))
    if ta is Bits and tb is Bits and a == b:
        return a
    a, b, w, _ = _pair(a, b)
    return z3.If(c, _z(a), _z(b))


def from_bool(c, w: int = 1):
    """A condition as a w-bit value: 1 if true, 0 if false."""
    if type(c) is bool:
        return _mk(1 if c else 0, w)
    return z3.If(c, z3.BitVecVal(1, w), z3.BitVecVal(0, w))
