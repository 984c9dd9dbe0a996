"""Postconditions: what must hold when every CPU has returned.

Each kind builds a Z3 condition over the final state (see docs/spec.md):

  expr              an expression over final/initial memory and CPU registers
  tree_ng           every valid block/page descriptor reachable in a tree now has nG
                    set and no other bit changed; every other descriptor is unchanged
  unchanged         every modelled memory word is unchanged except those listed
  sysreg            every CPU's system register has a given final value (with
                    in_effect: a value translation uses when the routine returns)
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
    pc = _make(kind, p, env, layout, scen, name)
    pc.kind = kind
    return pc


def _make(kind: str, p: dict, env, layout, scen, name: str) -> Postcondition:
    if kind == "expr":
        text = p["expr"]
        tree = ast.parse(text, mode="eval")
        return Postcondition(name, text, lambda enc, T: _Expr(enc, env).ev(tree.body),
                             concrete=lambda st: _expr_concrete(st, env, tree, text))
    if kind == "tree_ng":
        tname = p["tree"]
        if tname not in layout.trees:
            raise ValueError(f"no tree named {tname!r}")
        text = (f"every valid block/page descriptor reachable in {tname} has nG set, nothing "
                f"else in {tname} changed")
        return Postcondition(name, text, lambda enc, T: _tree_ng(enc, layout, tname),
                             concrete=lambda st: _tree_ng_concrete(st, layout, tname),
                             params={"tname": tname})
    if kind == "unchanged":
        except_ = [env.eval(x, "post") for x in p.get("except", [])]
        except_tables = [layout.tables[t].pa for t in p.get("except_tables", [])
                         if t in layout.tables]
        except_trees = set(p.get("except_trees", []))
        text = "nothing else in memory changed"
        return Postcondition(name, text, lambda enc, T: _unchanged(
            enc, layout, set(except_), except_tables, except_trees),
            concrete=lambda st: _unchanged_concrete(st, layout, set(except_), except_tables,
                                                    except_trees),
            params={"except_": except_, "except_tables": except_tables,
                    "except_trees": except_trees})
    if kind == "sysreg":
        reg = p["reg"].lower()
        val = env.eval(p["value"], "post")
        in_effect = bool(p.get("in_effect", False))
        text = f"every CPU's {reg} is back to {val:#x}"
        if in_effect:
            text += (" and in effect when it returns (a context synchronization event "
                     "after the write)")
        return Postcondition(name, text, lambda enc, T: _sysreg(enc, reg, val, in_effect),
                             concrete=lambda st: _sysreg_concrete(st, reg, val, in_effect),
                             explain=lambda enc, m: _sysreg_explain(enc, m, reg, val),
                             params={"reg": reg, "val": val, "in_effect": in_effect})
    if kind == "no_global_entries":
        tname = p["tree"]
        text = f"no CPU's TLB holds a global entry for a VA {tname} maps"
        pages = {t.pa for t in layout.trees.get(tname, [])}
        return Postcondition(name, text, lambda enc, T: _no_global(enc, layout, tname, T),
                             concrete=lambda st: _entries_concrete(st, pages, global_only=True),
                             params={"tname": tname})
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
        asid = None
        if "asid" in p:
            if scen.regime.asid_register() is None:
                raise ValueError("asid: the EL2 and EL3 regimes have no ASIDs")
            asid = env.eval(p["asid"], "post") & 0xFFFF
            text += f" that a lookup under ASID {asid} may use"
        pages = {t.pa for t in tabs}
        return Postcondition(name, text, lambda enc, T: _no_entries_from(enc, tabs, T, asid),
                             concrete=lambda st: _entries_concrete(st, pages, global_only=False,
                                                                   asid=asid),
                             params={"tabs": tabs, "asid": asid})
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


def _parents(layout, tables) -> dict:
    """child table PA -> (parent table, index) for every entry of the tree that is, or
    may be (a symbolic descriptor's domain), a table descriptor pointing at it."""
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
    return parent


def _tree_ng(enc, layout, tname):
    from ..model import properties as P
    tables = layout.trees[tname]
    parent = _parents(layout, tables)

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


def _sysreg(enc, reg, val, in_effect=False):
    """Every CPU that returned has `reg` = val.  With in_effect, the value the CPU's
    translation may use at its return (rule sysreg-in-effect: a write is only
    guaranteed to be used after a context synchronization event; `ret` is none) must
    be val too: the caller's next instructions are fetched and translated with it."""
    out = []
    for tr in enc.traces:
        for r in tr.events:
            if isinstance(r, Return):
                v = r.state.sysregs.get(reg)
                if v is None:
                    v = enc.initial_sysreg(tr.cpu, reg)
                out.append(Implies(enc.happens(r), zb(V.eq(v, V.const(val, 64)))))
                if in_effect:
                    used, cons = enc.sysreg_in_effect(tr.cpu, reg, r.t,
                                                      f"ret{tr.cpu}_{r.index}")
                    # the violation (this condition false) picks a usable value != val
                    out.append(Implies(And(enc.happens(r), cons),
                                       zb(V.eq(used, V.const(val, 64)))))
                    enc.__dict__.setdefault("_sysreg_at_return", []).append(
                        (reg, r, v, used, cons))
    return And(*out)


def _sysreg_explain(enc, m, reg, val):
    """The CPU that returns with `reg` not `val`, or with a write of it not yet in
    effect (no context synchronization event between the write and the return)."""
    from ..model.events import SysRegWrite
    from ..model.trace import _true

    def num(x):
        return m.eval(V.to_z3(x), model_completion=True).as_long()
    for name, r, final, used, cons in enc.__dict__.get("_sysreg_at_return", []):
        if name != reg or not _true(m, zb(enc.happens(r))):
            continue
        ret = f"CPU{r.cpu} returns at {r.instr.loc.short()}" if r.instr else f"CPU{r.cpu} returns"
        if num(final) != val:
            return (f"{ret} with {reg} = {num(final):#x}", "", [r])
        if _true(m, zb(cons)) and num(used) != val:
            writes = [w for w in enc.traces[r.cpu].events
                      if isinstance(w, SysRegWrite) and w.name == reg and w.index < r.index
                      and _true(m, zb(enc.exec(w)))]
            last = writes[-1] if writes else None
            where = (f"; its write at {last.instr.loc.short()} (`{last.instr}`) is not yet "
                     f"in effect: no context synchronization event after it"
                     if last is not None and last.instr else "")
            return (f"{ret} while translation may still use {reg} = {num(used):#x}{where}",
                    f"an ISB after the write to {reg}, before the return",
                    [x for x in (last, r) if x is not None])
    return None


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


def _no_entries_from(enc, tabs, T, asid=None):
    """No live entry read from `tabs`; with `asid`, none a lookup under that ASID may
    use: a global leaf, or an entry tagged with it (walk-cache entries always are)."""
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
            if asid is not None:
                from_t = And(from_t, Or(And(leaf, z3.Not(zb(D.ng(w.d[k])))),
                                        zb(V.eq(w.asid, V.const(asid, 16)))))
            bad.append(And(w.active, P.entry_at(enc, w, k), from_t, w.r[k] <= T,
                           enc.chain_alive(w, k, leaf, w.r[k], T)))
    return z3.Not(Or(*bad))


# --------------------------------------------------------------------------- concrete
# The same conditions on a replayed final state (cli/replay.py: FinalState, which
# gives final(pa, size), initial(pa, size), reg(cpu, n), sysreg(cpu, name), ncpus and
# entries(): the TLB entries filled in the trace and alive at the end).  Each returns
# what fails, in words, or "" when the condition holds.

def _c(v):
    return V.concrete_bool(v) if not isinstance(v, bool) else v


def _expr_concrete(st, env, tree, text) -> str:
    class Concrete(_Expr):
        def ev(self, n):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and \
                    n.func.id in ("final", "initial", "reg"):
                fn = n.func.id
                if fn == "reg":
                    cpu, rn = (int(ast.literal_eval(a)) for a in n.args)
                    return V.const(st.reg(cpu, rn), 64)
                addr = self.env.eval(ast.unparse(n.args[0]), "post")
                size = int(ast.literal_eval(n.args[1])) if len(n.args) > 1 else 8
                get = st.final if fn == "final" else st.initial
                return V.const(get(addr, size), size * 8)
            return super().ev(n)
    ok = z3.simplify(zb(Concrete(None, env).ev(tree.body)))
    return "" if z3.is_true(ok) else f"{text} is false in the final state"


def _tree_ng_concrete(st, layout, tname) -> str:
    tables = layout.trees[tname]
    parent = _parents(layout, tables)

    def reachable(t):
        while t.pa in parent:
            pt, i = parent[t.pa]
            if st.initial(pt.pa + 8 * i, 8) != D.make_table(t.pa):
                return False
            t = pt
        return True
    for t in tables:
        r = reachable(t)
        for i in t.entries:
            pa = t.pa + 8 * i
            iv, fin = st.initial(pa, 8), st.final(pa, 8)
            ivv = V.const(iv, 64)
            with_ng = iv | (1 << D.NG)
            leaf = r and _c(D.is_leaf(ivv, t.level))
            expect = with_ng if leaf else iv
            table = r and t.level < 3 and _c(D.is_table(ivv, t.level))
            if fin != expect and not (table and fin == with_ng):
                want = "with nG set" if leaf else "unchanged"
                return (f"{t.name}[{i}] @ {pa:#x} was {D.describe(iv, t.level)}, is "
                        f"{D.describe(fin, t.level)} at the end (expected {want})")
    return ""


def _unchanged_concrete(st, layout, except_addrs, except_tables, except_trees) -> str:
    skip_pages = set(except_tables)
    for tr in except_trees:
        skip_pages |= {t.pa for t in layout.trees.get(tr, [])}
    for a in sorted(st.memory_words()):
        if a in except_addrs or (a & ~0xfff) in skip_pages:
            continue
        iv, fin = st.initial(a, 8), st.final(a, 8)
        if iv != fin:
            return f"the word at {a:#x} changed from {iv:#x} to {fin:#x}"
    return ""


def _sysreg_concrete(st, reg, val, in_effect=False) -> str:
    for c in range(st.ncpus):
        v = st.sysreg(c, reg)
        if v != val:
            return f"CPU{c}'s {reg} is {v:#x} at the end, not {val:#x}"
        if in_effect:
            for u in st.sysreg_usable(c, reg):
                if u is not None and u != val:
                    return (f"CPU{c} returns while translation may still use {reg} = "
                            f"{u:#x}: no ISB after its write of {val:#x}")
    return ""


def _entries_concrete(st, pages, *, global_only, asid=None) -> str:
    for cpu, f in st.entries():
        d = f["data"]
        desc = int(d["desc"], 0) if isinstance(d["desc"], str) else d["desc"]
        addr = int(d["desc_addr"], 0) if isinstance(d["desc_addr"], str) else d["desc_addr"]
        if (addr & ~0xfff) not in pages:
            continue
        if global_only and (d.get("entry") != "leaf" or desc >> D.NG & 1):
            continue
        tag = d.get("asid")
        tag = int(tag, 0) if isinstance(tag, str) else tag
        if (asid is not None and not (d.get("entry") == "leaf" and not desc >> D.NG & 1)
                and tag is not None and tag != asid):
            continue                    # tagged with another ASID
        what = "global entry" if global_only else "entry"
        return (f"CPU{cpu}'s TLB still holds the {what} filled at step {f['n']} "
                f"({D.describe(desc, d['level'])}, from {d.get('desc_name') or hex(addr)})")
    return ""
