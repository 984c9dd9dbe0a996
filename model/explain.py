"""Say what went wrong: the failed property in plain words, the Arm rule, the
entries or descriptor change involved, and the smallest fix when one is obvious."""
from __future__ import annotations

import z3

from . import properties as P
from .encode import zb
from .events import Access, Barrier, ISBEvent, TLBIEvent
from .trace import Trace, _true, _val, extract
from .vmsa import descriptor as D


def _which(m, viol):
    for cond, info in viol.parts:
        if _true(m, zb(cond)):
            return info
    return {}


def _loc(e):
    return e.instr.loc.short() if e is not None and e.instr is not None else "?"


def explain(enc, m, name, viol) -> Trace:
    info = _which(m, viol)
    extra_chains, keys = [], []
    if name == "bbm":
        w = info["witness"]
        extra_chains.append(w)
        keys.append(info["store"])
    elif name == "conflict":
        extra_chains.extend(info["witnesses"])
    elif name in ("fault", "stale"):
        keys.append(info["access"])
    tr = extract(enc, m, extra_chains=extra_chains, key_events=keys)
    tr.prop = name
    tr.rule = P.PROPERTIES[name][1]
    title = P.PROPERTIES[name][0]
    if name == "fault":
        a = info["access"]
        ch = enc.chain_of.get(a)
        va = _val(m, a.va)
        lvl_txt = ""
        if ch is not None:
            for k in ch.levels:
                if _true(m, zb(ch.end[k])):
                    rd = ch.reads[k]
                    addr = _val(m, rd.addr)
                    hit = enc.scen.table_at(addr)
                    nm = f"{hit[0].name}[{hit[1]}]" if hit else f"{addr:#x}"
                    lvl_txt = (f"; its walk read {nm} at level {k} = "
                               f"{D.describe(_val(m, ch.d[k]), k)}")
                    break
        tr.violation = (f"{title}: CPU{a.cpu} {a.kind} at {_loc(a)} (`{a.instr}`) to VA "
                        f"{va:#x} has no valid translation{lvl_txt}")
        tr.fix = _fault_fix(enc, m, a)
    elif name == "bbm":
        s, c, k, w = info["store"], info["cpu"], info["level"], info["witness"]
        old = _val(m, info["old"])
        new = _val(m, s.value)
        pa = _val(m, enc.pa[s])
        hit = enc.scen.table_at(pa)
        nm = f"{hit[0].name}[{hit[1]}]" if hit else f"{pa:#x}"
        tr.violation = (f"{title}: CPU{s.cpu} at {_loc(s)} (`{s.instr}`) replaces the live "
                        f"descriptor {nm} (level {k}) = {D.describe(old, k)} with "
                        f"{D.describe(new, k)}, while CPU{c} holds (or can fill) a TLB entry "
                        f"read from the old value")
        tr.fix = ("break before make: store an invalid descriptor first, make it visible "
                  "(DSB), invalidate the TLBs that may hold the old entry (TLBI of the right "
                  "scope, then DSB), and only then store the new descriptor")
        tr.details = {"store": s, "cpu": c, "old": old, "new": new, "level": k}
    elif name == "conflict":
        c = info["cpu"]
        w1, w2 = info["witnesses"]
        lv1, lv2 = (_val(m, x) for x in info["levels"])
        e1 = D.describe(_val(m, w1.d[lv1]), lv1)
        e2 = D.describe(_val(m, w2.d[lv2]), lv2)
        va = _val(m, w1.va)
        tr.violation = (f"{title}: CPU{c}'s TLB holds two entries for VA {va:#x}: "
                        f"level {lv1} {e1} and level {lv2} {e2}")
        tr.fix = ("invalidate the old entry (TLBI of the right scope, completed by a DSB) "
                  "before a walk can fill the new one")
    elif name == "stale":
        a, F = info["access"], info["fresh"]
        va = _val(m, a.va)
        tr.violation = (f"{title}: CPU{a.cpu} {a.kind} at {_loc(a)} (`{a.instr}`) uses a TLB "
                        f"entry for VA {va:#x} that no longer matches the tables")
        tr.fix = "a TLBI of the entry, completed by a DSB (and an ISB) before the access"
    elif name == "post":
        pc = info["post"]
        tr.violation = f"{title}: {pc.name}: {pc.text}"
    return tr


def _fault_fix(enc, m, a: Access) -> str:
    """If the access follows a store to its descriptor with a DSB but no ISB in
    between, say so."""
    tr = enc.traces[a.cpu]
    seen_dsb = seen_isb = False
    for e in reversed(tr.events[:a.index]):
        if not _true(m, zb(enc.happens(e))):
            continue
        if isinstance(e, ISBEvent):
            seen_isb = True
            break
        if isinstance(e, Barrier) and e.op == "dsb":
            seen_dsb = True
        if isinstance(e, Access) and e.is_store:
            pa = _val(m, enc.pa[e])
            if enc.scen.table_at(pa) is not None:
                if seen_dsb and not seen_isb:
                    return (f"an ISB after the DSB that follows the descriptor store at "
                            f"{_loc(e)} (without FEAT_ETS2 the walk of a later access may run "
                            f"ahead of the DSB)")
                if not seen_dsb:
                    return (f"a DSB and an ISB between the descriptor store at {_loc(e)} and "
                            f"the access")
                break
    return ""
