"""Value-set analysis over Z3 terms: the finite set of values a term can take.

The encoder uses it to decide which stores a read may read from (two addresses
whose value sets are disjoint never alias) and to keep formulas small.  Leaves are
constants, variables whose sets are known (a symbolic descriptor of the scenario
with its allowed values, the value of a read: the union of what its candidate
stores write) and anything else, which is TOP (unknown).  Sets larger than `cap`
become TOP.  The analysis over-approximates: a value the term can take is always in
its set, so pruning by disjointness is sound.
"""
from __future__ import annotations

import z3

TOP = None     # the unknown set


class VSA:
    def __init__(self, cap: int = 256):
        self.cap = cap
        self.var_sets: dict[str, frozenset | None] = {}
        # id -> value set; `_keep` holds the terms so that Z3 cannot reuse their ids
        self._cache: dict[int, frozenset | None] = {}
        self._bcache: dict = {}
        self._keep: list = []

    def set_var(self, name: str, values) -> None:
        vs = None if values is TOP else frozenset(values)
        if vs is not None and len(vs) > self.cap:
            vs = None
        self.var_sets[name] = vs
        self.invalidate()

    def invalidate(self):
        self._cache.clear()
        self._bcache.clear()
        self._keep.clear()

    def values(self, term) -> frozenset | None:
        """The set of possible (unsigned int) values of a bit-vector term, or TOP."""
        from . import values as V
        if isinstance(term, int):
            return frozenset([term])
        if V.is_concrete(term):
            return frozenset([V.as_int(term)])
        return self._eval(term)

    def _eval(self, t):
        key = t.get_id()
        if key in self._cache:
            return self._cache[key]
        # iterative post-order to avoid deep recursion on long terms
        stack = [(t, False)]
        while stack:
            node, expanded = stack.pop()
            nk = node.get_id()
            if nk in self._cache:
                continue
            if not expanded:
                stack.append((node, True))
                for k in node.children():
                    if not z3.is_bool(k) and k.get_id() not in self._cache:
                        stack.append((k, False))
            else:
                self._cache[nk] = self._node(node)
                self._keep.append(node)
        return self._cache[key]

    def _get(self, k):
        if z3.is_bool(k):
            return TOP
        key = k.get_id()
        if key not in self._cache:
            return self._eval(k)
        return self._cache[key]

    def truth(self, c) -> set:
        """The possible truth values of a Bool term: a subset of {True, False}."""
        key = ("b", c.get_id())
        hit = self._bcache.get(key)
        if hit is not None:
            return hit
        res = self._truth(c)
        self._bcache[key] = res
        self._keep.append(c)
        return res

    def _truth(self, c) -> set:
        both = {True, False}
        if z3.is_true(c):
            return {True}
        if z3.is_false(c):
            return {False}
        if not z3.is_app(c):
            return both
        k = c.decl().kind()
        kids = c.children()
        if k == z3.Z3_OP_NOT:
            return {not x for x in self.truth(kids[0])}
        if k == z3.Z3_OP_AND:
            ts = [self.truth(x) for x in kids]
            out = set()
            if all(True in t for t in ts):
                out.add(True)
            if any(False in t for t in ts):
                out.add(False)
            return out
        if k == z3.Z3_OP_OR:
            ts = [self.truth(x) for x in kids]
            out = set()
            if any(True in t for t in ts):
                out.add(True)
            if all(False in t for t in ts):
                out.add(False)
            return out
        if k == z3.Z3_OP_ITE:
            cv = self.truth(kids[0])
            out = set()
            if True in cv:
                out |= self.truth(kids[1])
            if False in cv:
                out |= self.truth(kids[2])
            return out
        if k in (z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT) and len(kids) == 2 and z3.is_bv(kids[0]):
            a, b = self._get(kids[0]), self._get(kids[1])
            if a is TOP or b is TOP:
                return both
            out = set()
            if not a.isdisjoint(b):
                out.add(True)
            if len(a) > 1 or len(b) > 1 or a != b:
                out.add(False)
            if k == z3.Z3_OP_DISTINCT:
                out = {not x for x in out}
            return out
        cmp = _CMPS.get(k)
        if cmp is not None and len(kids) == 2:
            a, b = self._get(kids[0]), self._get(kids[1])
            if a is TOP or b is TOP or len(a) * len(b) > self.cap * 4:
                return both
            w = kids[0].size()
            return {cmp(x, y, w) for x in a for y in b}
        return both

    def _node(self, n):
        if z3.is_bv_value(n):
            return frozenset([n.as_long()])
        if not z3.is_bv(n):
            return TOP
        kind = n.decl().kind()
        w = n.size()
        mask = (1 << w) - 1
        if z3.is_const(n) and kind == z3.Z3_OP_UNINTERPRETED:
            return self.var_sets.get(n.decl().name(), TOP)
        kids = n.children()
        if kind == z3.Z3_OP_ITE:
            cv = self.truth(kids[0])
            if cv == {True}:
                return self._get(kids[1])
            if cv == {False}:
                return self._get(kids[2])
            a, b = self._get(kids[1]), self._get(kids[2])
            if a is TOP or b is TOP:
                return TOP
            return self._capped(a | b)
        sets = [self._get(k) for k in kids]
        if any(s is TOP for s in sets):
            return TOP
        params = n.params()
        if kind == z3.Z3_OP_EXTRACT:
            hi, lo = params
            return self._capped({(v >> lo) & ((1 << (hi - lo + 1)) - 1) for v in sets[0]})
        if kind == z3.Z3_OP_ZERO_EXT:
            return sets[0]
        if kind == z3.Z3_OP_SIGN_EXT:
            k = params[0]
            wk = kids[0].size()
            out = set()
            for v in sets[0]:
                if v >> (wk - 1) & 1:
                    v |= ((1 << k) - 1) << wk
                out.add(v)
            return self._capped(out)
        if kind == z3.Z3_OP_CONCAT:
            acc = {0}
            for k, s in zip(kids, sets):
                kw = k.size()
                acc = {(a << kw) | v for a in acc for v in s}
                if len(acc) > self.cap:
                    return TOP
            return frozenset(acc)
        binop = _BINOPS.get(kind)
        if binop is not None:
            acc = set(sets[0])
            for s in sets[1:]:
                if len(acc) * len(s) > self.cap * 4:
                    return TOP
                acc = {binop(a, b, w) & mask for a in acc for b in s}
                if len(acc) > self.cap:
                    return TOP
            return frozenset(acc)
        if kind == z3.Z3_OP_BNOT:
            return frozenset({~v & mask for v in sets[0]})
        if kind == z3.Z3_OP_BNEG:
            return frozenset({-v & mask for v in sets[0]})
        return TOP

    def _capped(self, s):
        s = frozenset(s)
        return TOP if len(s) > self.cap else s


def _shl(a, b, w):
    return a << b if b < w else 0


def _lshr(a, b, w):
    return a >> b if b < w else 0


def _ashr(a, b, w):
    sign = a >> (w - 1) & 1
    if b >= w:
        return (1 << w) - 1 if sign else 0
    r = a >> b
    if sign:
        r |= ((1 << b) - 1) << (w - b)
    return r


_BINOPS = {
    z3.Z3_OP_BADD: lambda a, b, w: a + b,
    z3.Z3_OP_BSUB: lambda a, b, w: a - b,
    z3.Z3_OP_BMUL: lambda a, b, w: a * b,
    z3.Z3_OP_BAND: lambda a, b, w: a & b,
    z3.Z3_OP_BOR: lambda a, b, w: a | b,
    z3.Z3_OP_BXOR: lambda a, b, w: a ^ b,
    z3.Z3_OP_BSHL: _shl,
    z3.Z3_OP_BLSHR: _lshr,
    z3.Z3_OP_BASHR: _ashr,
}


def _signed(v, w):
    return v - (1 << w) if v >> (w - 1) & 1 else v


_CMPS = {
    z3.Z3_OP_ULT: lambda a, b, w: a < b,
    z3.Z3_OP_ULEQ: lambda a, b, w: a <= b,
    z3.Z3_OP_UGT: lambda a, b, w: a > b,
    z3.Z3_OP_UGEQ: lambda a, b, w: a >= b,
    z3.Z3_OP_SLT: lambda a, b, w: _signed(a, w) < _signed(b, w),
    z3.Z3_OP_SLEQ: lambda a, b, w: _signed(a, w) <= _signed(b, w),
    z3.Z3_OP_SGT: lambda a, b, w: _signed(a, w) > _signed(b, w),
    z3.Z3_OP_SGEQ: lambda a, b, w: _signed(a, w) >= _signed(b, w),
}


def may_equal(a, b) -> bool:
    """Can two value sets share a value?  TOP may equal anything."""
    if a is TOP or b is TOP:
        return True
    return not a.isdisjoint(b)
