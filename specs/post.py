"""Postconditions: what must hold when every CPU has returned.

Each kind builds a Z3 condition over the final state (see docs/spec.md):

  expr              an expression over final/initial memory and CPU registers
  tree_ng           every valid block/page descriptor reachable in a tree now has nG
                    set and no other bit changed; every other descriptor is unchanged
  unchanged         every modelled memory word is unchanged except those listed
  sysreg            every CPU's system register has a given final value
  no_global_entries no CPU's TLB holds a global entry for a VA a tree maps
  no_entries_from   no CPU's TLB holds an entry read from the given tables
"""
from __future__ import annotations

import ast

import z3

from ..model import values as V
from ..model.encode import And, Implies, Or, zb
from ..model.events import Return
from ..model.scenario import Postcondition
from ..model.vmsa import descriptor as D


def make(kind: str, p: dict, env, layout, scen, name: str) -> Postcondition:
    if kind == "expr":
        text = p["expr"]
        tree = ast.parse(text, mode="eval")
        return Postcondition(name, text, lambda enc, T: _Expr(enc, env).ev(tree.body))
    if kind == "tree_ng":
        tname = p["tree"]
        if tname not in layout.trees:
            raise ValueError(f"no tree named {tname!r}")
        text = (f"every valid block/page descriptor reachable in {tname} has nG set, nothing "
                f"else in {tname} changed")
        return Postcondition(name, text, lambda enc, T: _tree_ng(enc, layout, tname))
    if kind == "unchanged":
        except_ = [env.eval(x, "post") for x in p.get("except", [])]
        except_tables = [layout.tables[t].pa for t in p.get("except_tables", [])
                         if t in layout.tables]
        except_trees = set(p.get("except_trees", []))
        text = "nothing else in memory changed"
        return Postcondition(name, text, lambda enc, T: _unchanged(
            enc, layout, set(except_), except_tables, except_trees))
    if kind == "sysreg":
        reg = p["reg"].lower()
        val = env.eval(p["value"], "post")
        text = f"every CPU's {reg} is back to {val:#x}"
        return Postcondition(name, text, lambda enc, T: _sysreg(enc, reg, val))
    if kind == "no_global_entries":
        tname = p["tree"]
        text = f"no CPU's TLB holds a global entry for a VA {tname} maps"
        return Postcondition(name, text, lambda enc, T: _no_global(enc, layout, tname, T))
    if kind == "no_entries_from":
        tabs = []
        for t in p["tables"]:
            if t in layout.trees:
                tabs.extend(layout.trees[t])
            elif t in layout.tables:
                tabs.append(layout.tables[t])
            else:
                raise ValueError(f"no table or tree named {t!r}")
        text = f"no CPU's TLB holds an entry read from {', '.join(p['tables'])}"
        return Postcondition(name, text, lambda enc, T: _no_entries_from(enc, tabs, T))
    raise ValueError(f"unknown postcondition check {kind!r}")


class _Expr:
    """final(addr[, size]), initial(addr[, size]), reg(cpu, n), bit ops, comparisons,
    and/or/not, ng(d) / valid(d)."""

    def __init__(self, enc, env):
        self.enc, self.env = enc, env

    def ev(self, n):
        from ..model import properties as P
        if isinstance(n, ast.Constant):
            return V.const(n.value, 64) if isinstance(n.value, int) else n.value
        if isinstance(n, ast.BoolOp):
            parts = [zb(self.ev(v)) for v in n.values]
            return z3.And(parts) if isinstance(n.op, ast.And) else z3.Or(parts)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.Not):
            return z3.Not(zb(self.ev(n.operand)))
        if isinstance(n, ast.Compare) and len(n.ops) == 1:
            a, b = self.ev(n.left), self.ev(n.comparators[0])
            if isinstance(n.ops[0], ast.Eq):
                return zb(V.eq(a, b))
            if isinstance(n.ops[0], ast.NotEq):
                return zb(V.ne(a, b))
            raise ValueError("only == and != compare values")
        if isinstance(n, ast.BinOp):
            a, b = self.ev(n.left), self.ev(n.right)
            f = {ast.BitOr: V.or_, ast.BitAnd: V.and_, ast.BitXor: V.xor, ast.Add: V.add,
                 ast.Sub: V.sub}.get(type(n.op))
            if f is None:
                raise ValueError("operator not allowed")
            return f(a, b)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name):
            fn = n.func.id
            if fn in ("final", "initial"):
                addr = self.env.eval(ast.unparse(n.args[0]), "post")
                size = int(ast.literal_eval(n.args[1])) if len(n.args) > 1 else 8
                if fn == "final":
                    return P.final_value(self.enc, addr, size)
                return self.enc._init_at(addr, size)
            if fn == "reg":
                # X<n> of a CPU when it returned (postconditions hold at the end)
                if len(n.args) != 2:
                    raise ValueError("reg(cpu, n) takes a CPU number and a register number")
                cpu, rn = (int(ast.literal_eval(a)) for a in n.args)
                if not 0 <= cpu < self.enc.ncpus or not 0 <= rn <= 30:
                    raise ValueError(f"reg({cpu}, {rn}): no such CPU or register")
                val = V.const(0, 64)
                for e in self.enc.traces[cpu].events:
                    if isinstance(e, Return) and getattr(e, "state", None) is not None:
                        val = V.ite(self.enc.happens(e), e.state.regs[rn], val)
                return val
            if fn == "ng":
                return V.from_bool(D.ng(self.ev(n.args[0])), 64)
            if fn == "valid":
                return V.from_bool(D.valid_bit(self.ev(n.args[0])), 64)
            # anything else: a spec value (page(...), table(...), ...)
        return V.const(self.env.eval(ast.unparse(n), "post"), 64)


def _tree_ng(enc, layout, tname):
    from ..model import properties as P
    tables = layout.trees[tname]
    by_pa = {t.pa: t for t in tables}
    parent = {}
    for t in tables:
        for i, v in t.entries.items():
            alts = [v] if isinstance(v, int) else layout.domains.get(V.to_z3(v).decl().name(), [])
            for a in alts:
                if t.level < 3 and a & 3 == 3:
                    child = by_pa.get(a & ((1 << 48) - 1) & ~0xfff)
                    if child is not None:
                        parent[child.pa] = (t, i)

    def reachable(t):
        conds = []
        while t.pa in parent:
            pt, i = parent[t.pa]
            init = pt.entries[i]
            conds.append(V.eq(init if not isinstance(init, int) else V.const(init, 64),
                              V.const(D.make_table(t.pa), 64)))
            t = pt
        return And(*conds)
    out = []
    for t in tables:
        r = reachable(t)
        for i, init in t.entries.items():
            iv = init if not isinstance(init, int) else V.const(init, 64)
            fin = P.final_value(enc, t.pa + 8 * i, 8)
            leaf = D.is_leaf(iv, t.level)
            with_ng = V.or_(iv, V.const(1 << D.NG, 64))
            expect = V.ite(And(r, leaf), with_ng, iv)
            # Bit 11 of a table descriptor is IGNORED by the walk (VMSAv8-64 table
            # descriptor format), so a routine may set it there as well.
            table = D.is_table(iv, t.level) if t.level < 3 else False
            out.append(Or(zb(V.eq(fin, expect)), And(r, table, zb(V.eq(fin, with_ng)))))
    return And(*out)


def _unchanged(enc, layout, except_addrs, except_tables, except_trees):
    from ..model import properties as P
    skip_pages = set(except_tables)
    for tr in except_trees:
        skip_pages |= {t.pa for t in layout.trees.get(tr, [])}
    out = []
    for a, init in enc.scen.memory.items():
        if a in except_addrs or (a & ~0xfff) in skip_pages:
            continue
        fin = P.final_value(enc, a, 8)
        iv = init if not isinstance(init, int) else V.const(init, 64)
        out.append(zb(V.eq(fin, iv)))
    # every store must land in a modelled word (or an excepted one)
    return And(*out)


def _sysreg(enc, reg, val):
    out = []
    for tr in enc.traces:
        for r in tr.events:
            if isinstance(r, Return):
                v = r.state.sysregs.get(reg)
                if v is None:
                    v = enc.initial_sysreg(tr.cpu, reg)
                out.append(Implies(enc.happens(r), zb(V.eq(v, V.const(val, 64)))))
    return And(*out)


def _no_global(enc, layout, tname, T):
    """No witness walk on any CPU has, alive at T, a global leaf read from the tree."""
    from ..model import properties as P
    pages = {t.pa for t in layout.trees.get(tname, [])}
    bad = []
    for c in range(enc.ncpus):
        w = P.witness_chains(enc, c)[0]
        for k in w.levels:
            rd = w.reads[k]
            in_tree = Or(*[V.eq(V.and_(rd.addr, V.const(~0xfff & ((1 << 64) - 1), 64)),
                                V.const(pa, 64)) for pa in pages])
            leaf = D.is_leaf(w.d[k], k)
            g = V.bool_not(D.ng(w.d[k]))
            bad.append(And(w.active, w.ok[k], in_tree, leaf, g, w.r[k] <= T,
                           enc.chain_alive(w, k, True, w.r[k], T)))
    return z3.Not(Or(*bad))


def _no_entries_from(enc, tabs, T):
    from ..model import properties as P
    pages = {t.pa for t in tabs}
    bad = []
    for c in range(enc.ncpus):
        w = P.witness_chains(enc, c)[0]
        for k in w.levels:
            rd = w.reads[k]
            from_t = Or(*[V.eq(V.and_(rd.addr, V.const(~0xfff & ((1 << 64) - 1), 64)),
                               V.const(pa, 64)) for pa in pages])
            leaf = D.is_leaf(w.d[k], k)
            bad.append(And(w.active, P.entry_at(enc, w, k), from_t, w.r[k] <= T,
                           enc.chain_alive(w, k, leaf, w.r[k], T)))
    return z3.Not(Or(*bad))
