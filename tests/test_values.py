"""bbmcheck.model.values: the concrete domain (Bits) and the Z3 domain agree op by op,
concrete arguments fold to concrete results, and the Arm conventions hold."""
from __future__ import annotations

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from bbmcheck.model import values as V
from bbmcheck.model.values import Bits

WIDTHS = [1, 4, 8, 13, 32, 64]


@st.composite
def bv(draw, w=None):
    w = draw(st.sampled_from(WIDTHS)) if w is None else w
    special = [0, 1, (1 << w) - 1, 1 << (w - 1), (1 << (w - 1)) - 1]
    v = draw(st.one_of(st.sampled_from(special), st.integers(0, (1 << w) - 1)))
    return Bits(v, w)


def sym(x: Bits):
    """A fresh Z3 variable standing for x, and the substitution pair."""
    v = V.fresh("v", x.width)
    return v, (v, z3.BitVecVal(x.value, x.width))


def via_z3(f, *args):
    """Evaluate f on fresh Z3 variables, then substitute the concrete values."""
    vs, pairs = [], []
    for a in args:
        if type(a) is Bits:
            v, p = sym(a)
            vs.append(v)
            pairs.append(p)
        else:
            vs.append(a)
    r = f(*vs)
    assert not V.is_concrete(r) or isinstance(r, bool), "symbolic inputs gave a concrete result"
    return V.substitute(r, pairs)


BINARY = [V.add, V.sub, V.mul, V.and_, V.or_, V.xor, V.udiv, V.sdiv, V.urem, V.srem]
COMPARE = [V.eq, V.ne, V.ult, V.ule, V.ugt, V.uge, V.slt, V.sle, V.sgt, V.sge]
UNARY = [V.neg, V.not_, V.clz, V.rbit]
SHIFTS = [V.shl, V.lshr, V.ashr, V.ror]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_binary_and_compare_agree(data):
    a = data.draw(bv())
    b = data.draw(bv(a.width))
    for f in BINARY + COMPARE:
        c = f(a, b)
        assert type(c) in (Bits, bool), f
        assert via_z3(f, a, b) == c, (f.__name__, a, b)
        # mixed: one side symbolic
        assert via_z3(lambda x: f(x, b), a) == c
        assert via_z3(lambda y: f(a, y), b) == c


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_unary_agree(data):
    a = data.draw(bv())
    for f in UNARY:
        assert via_z3(f, a) == f(a), f.__name__
    if a.width % 8 == 0:
        assert via_z3(V.rev_bytes, a) == V.rev_bytes(a)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_shifts_agree(data):
    a = data.draw(bv())
    n = data.draw(st.integers(0, 2 * a.width + 3))
    nb = data.draw(bv(data.draw(st.sampled_from([a.width, 8, 64]))))
    for f in SHIFTS:
        c = f(a, n)
        assert via_z3(lambda x: f(x, n), a) == c, (f.__name__, a, n)
        c2 = f(a, nb)
        assert via_z3(f, a, nb) == c2, (f.__name__, a, nb)
        assert via_z3(lambda x: f(a, x), nb) == c2, (f.__name__, a, nb)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_structure_agree(data):
    a = data.draw(bv())
    b = data.draw(bv())
    w = a.width
    lo = data.draw(st.integers(0, w - 1))
    hi = data.draw(st.integers(lo, w - 1))
    assert via_z3(lambda x: V.extract(x, hi, lo), a) == V.extract(a, hi, lo)
    tw = data.draw(st.integers(w, 80))
    assert via_z3(lambda x: V.zext(x, tw), a) == V.zext(a, tw)
    assert via_z3(lambda x: V.sext(x, tw), a) == V.sext(a, tw)
    assert via_z3(V.concat, a, b) == V.concat(a, b)
    assert via_z3(lambda x: V.concat(x, b), a) == V.concat(a, b)
    i = data.draw(st.integers(0, w - 1))
    assert via_z3(lambda x: V.bit(x, i), a) == V.bit(a, i)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_ite_and_bools_agree(data):
    a = data.draw(bv())
    b = data.draw(bv(a.width))
    c = data.draw(st.booleans())
    cb = V.fresh("c", 1)
    cond = V.eq(cb, 1)
    pair = (cb, z3.BitVecVal(int(c), 1))
    assert V.substitute(V.ite(cond, a, b), [pair]) == (a if c else b)
    assert V.ite(c, a, b) == (a if c else b)
    assert V.substitute(V.from_bool(cond, 3), [pair]) == Bits(int(c), 3)
    d = data.draw(st.booleans())
    for f, g in [(V.bool_and, lambda x, y: x and y), (V.bool_or, lambda x, y: x or y),
                 (V.bool_xor, lambda x, y: x != y)]:
        assert f(c, d) == g(c, d)
        assert V.substitute(f(cond, d), [pair]) == g(c, d)
    assert V.substitute(V.bool_not(cond), [pair]) == (not c)
    assert V.substitute(V.ite(cond, V.eq(a, b), True), [pair]) == (V.eq(a, b) if c else True)


def test_concrete_folds_and_symbolic_builds():
    x = V.const(5, 8)
    y = V.fresh("y", 8)
    assert V.add(x, x) == Bits(10, 8)
    assert isinstance(V.add(x, y), z3.BitVecRef)
    assert V.is_concrete(x) and not V.is_concrete(y)
    assert V.concrete_bool(V.eq(x, 5)) is True
    assert V.concrete_bool(V.eq(y, 5)) is None
    assert V.width(y) == 8 and V.width(x) == 8
    assert V.as_int(V.simplify(V.add(V.sub(y, y), x))) == 5
    with pytest.raises(ValueError):
        V.as_int(y)
    # shortcuts: a concrete condition never builds a term
    assert V.ite(True, y, x) is y
    assert V.bool_and(True, False, V.eq(y, 1)) is False
    assert V.bool_or(V.eq(y, 1), True) is True


def test_bits_is_immutable_hashable_and_reduced():
    b = Bits(-1, 8)
    assert b.value == 0xFF and b.signed == -1
    assert Bits(0x1FF, 8) == Bits(0xFF, 8)
    assert len({Bits(1, 8), Bits(1, 8), Bits(1, 16)}) == 2
    with pytest.raises(AttributeError):
        b.value = 3
    with pytest.raises(TypeError):
        bool(b)
    with pytest.raises(ValueError):
        V.add(Bits(1, 8), Bits(1, 16))


def test_arm_conventions():
    assert V.udiv(Bits(7, 32), Bits(0, 32)) == Bits(0, 32)
    assert V.sdiv(Bits(7, 32), Bits(0, 32)) == Bits(0, 32)
    assert V.sdiv(Bits(-7, 32), Bits(2, 32)) == Bits(-3, 32)          # toward zero
    assert V.sdiv(Bits(1 << 63, 64), Bits(-1, 64)) == Bits(1 << 63, 64)
    assert V.shl(Bits(1, 8), 8) == Bits(0, 8)
    assert V.lshr(Bits(0x80, 8), 9) == Bits(0, 8)
    assert V.ashr(Bits(0x80, 8), 100) == Bits(0xFF, 8)
    assert V.ror(Bits(1, 8), 9) == Bits(0x80, 8)
    assert V.clz(Bits(0, 32)) == Bits(32, 32)
    assert V.concat(Bits(1, 4), Bits(2, 4)) == Bits(0x12, 8)
    assert V.rbit(Bits(1, 8)) == Bits(0x80, 8)
    assert V.rev_bytes(Bits(0x1122, 16)) == Bits(0x2211, 16)
    # ints next to a bit-vector take its width
    assert V.add(Bits(0xFF, 8), 1) == Bits(0, 8)
    assert V.and_(-16, Bits(0x1234, 16)) == Bits(0x1230, 16)


def test_symbolic_division_by_zero_is_zero():
    y = V.fresh("y", 16)
    s = z3.Solver()
    s.add(y == 0, V.to_z3(V.udiv(Bits(9, 16), y)) != 0)
    assert s.check() == z3.unsat
    s = z3.Solver()
    s.add(y == 0, V.to_z3(V.sdiv(Bits(9, 16), y)) != 0)
    assert s.check() == z3.unsat
