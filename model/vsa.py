"""Value-set analysis over Z3 terms: the finite set of values a term can take.

The encoder uses it to decide which stores a read may read from (two addresses
whose value sets are disjoint never alias) and to keep formulas small.  Leaves are
constants, variables whose sets are known (a symbolic descriptor of the scenario
with its allowed values, the value of a read: the union of what its candidate
stores write) and anything else, which is TOP (unknown).  Sets larger than `cap`
become TOP.  The analysis over-approximates: a value the term can take is always in
its set, so pruning by disjointness is sound.

Terms are compiled once into a small Python DAG (walking Z3 terms through its
Python API is slow); evaluation is memoised until the variable sets change.
"""
from __future__ import annotations

import z3

TOP = None     # the unknown set

# node kinds of the compiled DAG
_CONST, _VAR, _OP, _BOOLVAR, _OTHER = range(5)


class VSA:
    def __init__(self, cap: int = 256):
        self.cap = cap
        self.var_sets: dict[str, frozenset | None] = {}
        self._nodes: dict[int, tuple] = {}      # ast id -> (kind, op, params, kids, extra, width)
        self._keep: list = []                   # compiled terms, kept alive (ids are reused)
        self._vals: dict[int, object] = {}      # ast id -> value set (current epoch)
        self._truths: dict[int, set] = {}
        self._parents: dict[int, list] = {}     # ast id -> ids of terms using it
        self._var_nodes: dict[str, list] = {}   # variable name -> its node ids

    # ------------------------------------------------------------------ variables
    def set_var(self, name: str, values) -> None:
        vs = None if values is TOP else frozenset(values)
        if vs is not None and len(vs) > self.cap:
            vs = None
        if self.var_sets.get(name, 0) != vs:
            self.var_sets[name] = vs
            self._invalidate_var(name)

    def _invalidate_var(self, name: str):
        """Forget the memoised sets of every term that mentions `name`."""
        todo = list(self._var_nodes.get(name, ()))
        seen = set()
        while todo:
            k = todo.pop()
            if k in seen:
                continue
            seen.add(k)
            self._vals.pop(k, None)
            self._truths.pop(k, None)
            todo.extend(self._parents.get(k, ()))

    def set_vars(self, updates: dict) -> bool:
        """Set many variables at once (one invalidation).  True if anything changed."""
        changed = False
        for name, values in updates.items():
            vs = None if values is TOP else frozenset(values)
            if vs is not None and len(vs) > self.cap:
                vs = None
            if self.var_sets.get(name, 0) != vs:
                self.var_sets[name] = vs
                self._invalidate_var(name)
                changed = True
        return changed

    def invalidate(self):
        self._vals.clear()
        self._truths.clear()

    # ------------------------------------------------------------------ compile
    def _compile(self, t) -> int:
        key = t.get_id()
        if key in self._nodes:
            return key
        stack = [(t, False)]
        while stack:
            node, expanded = stack.pop()
            nk = node.get_id()
            if nk in self._nodes:
                continue
            if z3.is_bv_value(node):
                self._nodes[nk] = (_CONST, None, (), (), node.as_long(), node.size())
                self._keep.append(node)
                continue
            if z3.is_true(node) or z3.is_false(node):
                self._nodes[nk] = (_CONST, None, (), (), z3.is_true(node), 0)
                self._keep.append(node)
                continue
            if not z3.is_app(node):
                self._nodes[nk] = (_OTHER, None, (), (), None, 0)
                self._keep.append(node)
                continue
            decl = node.decl()
            kind = decl.kind()
            if node.num_args() == 0:
                if kind == z3.Z3_OP_UNINTERPRETED:
                    w = node.size() if z3.is_bv(node) else 0
                    self._nodes[nk] = (_VAR if w else _BOOLVAR, None, (), (), decl.name(), w)
                    self._var_nodes.setdefault(decl.name(), []).append(nk)
                else:
                    self._nodes[nk] = (_OTHER, None, (), (), None, 0)
                self._keep.append(node)
                continue
            kids = node.children()
            if not expanded:
                stack.append((node, True))
                for k in kids:
                    if k.get_id() not in self._nodes:
                        stack.append((k, False))
                continue
            w = node.size() if z3.is_bv(node) else 0
            kid_ids = tuple(k.get_id() for k in kids)
            self._nodes[nk] = (_OP, kind, tuple(decl.params()), kid_ids,
                               tuple(k.size() if z3.is_bv(k) else 0 for k in kids), w)
            for c in kid_ids:
                self._parents.setdefault(c, []).append(nk)
            self._keep.append(node)
        return key

    # ------------------------------------------------------------------ evaluation
    def values(self, term) -> frozenset | None:
        """The set of possible (unsigned int) values of a bit-vector term, or TOP."""
        from . import values as V
        if isinstance(term, int):
            return frozenset([term])
        if isinstance(term, z3.ExprRef):
            key = term.get_id()
            if key in self._nodes:          # compiled before: no need to inspect it
                return self._val(key)
        if V.is_concrete(term):
            return frozenset([V.as_int(term)])
        return self._val(self._compile(term))

    def truth(self, c) -> set:
        """The possible truth values of a Bool term: a subset of {True, False}."""
        if isinstance(c, bool):
            return {c}
        return self._truth(self._compile(c))

    def _val(self, key):
        hit = self._vals.get(key, 0)
        if hit != 0:
            return hit
        # iterative evaluation of the children first
        stack = [key]
        while stack:
            k = stack[-1]
            if k in self._vals:
                stack.pop()
                continue
            node = self._nodes[k]
            if node[0] == _OP:
                pending = [c for c, w in zip(node[3], node[4])
                           if w and c not in self._vals]
                if pending:
                    stack.extend(pending)
                    continue
            stack.pop()
            self._vals[k] = self._node(node)
        return self._vals[key]

    def _node(self, n):
        kind, op, params, kids, extra, w = n
        if kind == _CONST:
            return frozenset([extra]) if w else TOP
        if kind == _VAR:
            return self.var_sets.get(extra, TOP)
        if kind != _OP or not w:
            return TOP
        mask = (1 << w) - 1
        if op == z3.Z3_OP_ITE:
            cv = self._truth(kids[0])
            if cv == {True}:
                return self._vals[kids[1]]
            if cv == {False}:
                return self._vals[kids[2]]
            a, b = self._vals[kids[1]], self._vals[kids[2]]
            if a is TOP or b is TOP:
                return TOP
            return self._capped(a | b)
        sets = [self._vals[k] for k, kw in zip(kids, extra) if kw]
        if any(s is TOP for s in sets) or len(sets) != len(kids):
            return TOP
        if op == z3.Z3_OP_EXTRACT:
            hi, lo = params
            m = (1 << (hi - lo + 1)) - 1
            return self._capped({(v >> lo) & m for v in sets[0]})
        if op == z3.Z3_OP_ZERO_EXT:
            return sets[0]
        if op == z3.Z3_OP_SIGN_EXT:
            k = params[0]
            wk = extra[0]
            out = set()
            for v in sets[0]:
                if v >> (wk - 1) & 1:
                    v |= ((1 << k) - 1) << wk
                out.add(v)
            return self._capped(out)
        if op == z3.Z3_OP_CONCAT:
            acc = {0}
            for kw, s in zip(extra, sets):
                acc = {(a << kw) | v for a in acc for v in s}
                if len(acc) > self.cap:
                    return TOP
            return frozenset(acc)
        binop = _BINOPS.get(op)
        if binop is not None:
            acc = set(sets[0])
            for s in sets[1:]:
                if len(acc) * len(s) > self.cap * 4:
                    return TOP
                acc = {binop(a, b, w) & mask for a in acc for b in s}
                if len(acc) > self.cap:
                    return TOP
            return frozenset(acc)
        if op == z3.Z3_OP_BNOT:
            return frozenset({~v & mask for v in sets[0]})
        if op == z3.Z3_OP_BNEG:
            return frozenset({-v & mask for v in sets[0]})
        return TOP

    def _truth(self, key) -> set:
        hit = self._truths.get(key)
        if hit is not None:
            return hit
        res = self._truth_node(self._nodes[key])
        self._truths[key] = res
        return res

    def _truth_node(self, n) -> set:
        both = {True, False}
        kind, op, params, kids, extra, w = n
        if kind == _CONST:
            return {extra} if not w else both
        if kind != _OP:
            return both
        if op == z3.Z3_OP_NOT:
            return {not x for x in self._truth(kids[0])}
        if op == z3.Z3_OP_AND:
            ts = [self._truth(x) for x in kids]
            out = set()
            if all(True in t for t in ts):
                out.add(True)
            if any(False in t for t in ts):
                out.add(False)
            return out
        if op == z3.Z3_OP_OR:
            ts = [self._truth(x) for x in kids]
            out = set()
            if any(True in t for t in ts):
                out.add(True)
            if all(False in t for t in ts):
                out.add(False)
            return out
        if op == z3.Z3_OP_ITE:
            cv = self._truth(kids[0])
            out = set()
            if True in cv:
                out |= self._truth(kids[1])
            if False in cv:
                out |= self._truth(kids[2])
            return out
        if op in (z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT) and len(kids) == 2 and extra[0]:
            a, b = self._val(kids[0]), self._val(kids[1])
            if a is TOP or b is TOP:
                return both
            out = set()
            if not a.isdisjoint(b):
                out.add(True)
            if len(a) > 1 or len(b) > 1 or a != b:
                out.add(False)
            if op == z3.Z3_OP_DISTINCT:
                out = {not x for x in out}
            return out
        cmp = _CMPS.get(op)
        if cmp is not None and len(kids) == 2 and extra[0]:
            a, b = self._val(kids[0]), self._val(kids[1])
            if a is TOP or b is TOP or len(a) * len(b) > self.cap * 4:
                return both
            wk = extra[0]
            return {cmp(x, y, wk) for x in a for y in b}
        return both

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
