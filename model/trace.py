"""A counterexample (or witness) read off a Z3 model: a numbered interleaving.

Steps are the CPUs' instructions that touch the machine (memory, barriers, TLBI,
system registers) plus the machine's own steps (a store reaching a walker or every
CPU, a TLBI being performed on a CPU, a TLB fill), in time order.  Instructions in
between that only change registers are attached to the next step of their CPU.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import z3

from . import values as V
from .events import (Access, Barrier, ISBEvent, Other, Return, Stop, SysRegWrite,
                     TLBIEvent)
from .vmsa import descriptor as D


@dataclass
class TraceStep:
    time: int
    cpu: int
    kind: str                    # 'instr' | 'visible' | 'tlbi-performed' | 'fill' | 'fault'
    text: str                    # what happened, in words
    loc: str = ""                # file:line macro chain of the instruction
    source: str = ""             # the instruction as written
    changes: dict = field(default_factory=dict)
    locals: list = field(default_factory=list)   # register-only instructions before it
    key: bool = False            # part of the violation
    event: object = None


@dataclass
class Trace:
    steps: list[TraceStep]
    violation: str = ""          # plain words
    prop: str = ""
    rule: str = ""
    fix: str = ""
    details: dict = field(default_factory=dict)


def _val(m, x):
    if isinstance(x, int):
        return x
    if V.is_concrete(x):
        return V.as_int(x)
    if isinstance(x, bool):
        return x
    z = x if isinstance(x, (z3.ArithRef, z3.BoolRef)) else V.to_z3(x)
    v = m.eval(z, model_completion=True)
    if z3.is_bv_value(v):
        return v.as_long()
    if z3.is_int_value(v):
        return v.as_long()
    if z3.is_true(v):
        return True
    if z3.is_false(v):
        return False
    return None


def _true(m, c):
    if c is True:
        return True
    if c is False:
        return False
    return z3.is_true(m.eval(c, model_completion=True))


def extract(enc, m, extra_chains=(), key_events=()) -> Trace:
    from .encode import zb
    steps: list[TraceStep] = []
    key_events = set(key_events)
    happened = {}
    for tr in enc.traces:
        for e in tr.events:
            happened[e] = _true(m, zb(enc.happens(e)))

    for tr in enc.traces:
        # register-only instructions, grouped before the next visible event
        pending: list = []
        ev_of_step = {}
        for e in tr.events:
            if e.step is not None:
                ev_of_step.setdefault(id(e.step), []).append(e)
        for st in tr.steps:
            if not _true(m, zb(st.guard) if st.guard is not True else True):
                continue
            evs = [e for e in ev_of_step.get(id(st), []) if happened.get(e)]
            if not evs:
                if any(e for e in ev_of_step.get(id(st), [])):
                    continue       # its events did not happen (CPU stopped before)
                pending.append(st)
                continue
            for e in evs:
                steps.append(_instr_step(enc, m, e, pending, key=e in key_events))
                pending = []
    # the machine's own steps
    for s in enc.stores:
        if not _true(m, zb(enc.exec(s))):
            continue
        q, p = _val(m, enc.q[s]), _val(m, enc.p[s])
        pa = _val(m, enc.pa[s])
        val = _val(m, s.value)
        what = _describe_value(enc, pa, val)
        if q < p:
            steps.append(TraceStep(q, s.cpu, "visible", f"store to {pa:#x} ({what}) reaches "
                                   f"CPU{s.cpu}'s walker", event=s, key=s in key_events))
        steps.append(TraceStep(p, s.cpu, "visible", f"store to {pa:#x} ({what}) reaches every "
                               f"CPU and walker", event=s, key=s in key_events))
    for (t, c), inv in enc.inv.items():
        if not happened.get(t):
            continue
        steps.append(TraceStep(_val(m, inv), c, "tlbi-performed",
                               f"{t.instr} (from CPU{t.cpu}) performed on CPU{c}'s TLB", event=t))
    for ch in list(enc.chain_of.values()) + list(extra_chains):
        if not _true(m, zb(ch.active)):
            continue
        steps.extend(_fill_steps(enc, m, ch))
    steps.sort(key=lambda s: (s.time, 0 if s.kind == "fill" else 1, s.cpu))
    return Trace(steps)


def _describe_value(enc, pa, val):
    hit = enc.scen.table_at(pa) if pa is not None else None
    if hit is not None and val is not None:
        t, idx = hit
        return f"{t.name}[{idx}] = {D.describe(val, t.level)}"
    return f"{val:#x}" if isinstance(val, int) else str(val)


def _instr_step(enc, m, e, pending, key=False) -> TraceStep:
    instr = e.instr
    loc = instr.loc.short() if instr is not None else ""
    src = (instr.source or instr.text) if instr is not None else ""
    changes = {}
    if e.step is not None:
        for r, v in e.step.writes.items():
            x = _val(m, v)
            if isinstance(x, int):
                changes[r] = x
    text = str(instr) if instr is not None else e.kind
    if isinstance(e, Access):
        pa = _val(m, enc.pa.get(e, e.va))
        va = _val(m, e.va)
        val = _val(m, e.value)
        where = f"VA {va:#x}" + (f" → PA {pa:#x}" if pa != va else "")
        if e.is_store:
            if e.exclusive and _val(m, e.status) != 0:
                text = f"{text}   [store-exclusive fails; {where}]"
            else:
                text = f"{text}   [store {_describe_value(enc, pa, val)} to {where}]"
        else:
            f = enc.fault.get(e, False)
            if f is not False and _true(m, f if not isinstance(f, bool) else z3.BoolVal(f)):
                text = f"{text}   [translation fault at {where}]"
            else:
                text = f"{text}   [load {where} = {_describe_value(enc, pa, val)}]"
    elif isinstance(e, TLBIEvent):
        eff = e.effect
        extra = []
        if eff.va is not None:
            extra.append(f"VA page {_val(m, eff.va):#x}")
        if eff.ttl is not None:
            extra.append(f"TTL {_val(m, eff.ttl):#06b}")
        text = f"{text}   [issued{'; ' + ', '.join(extra) if extra else ''}]"
    elif isinstance(e, SysRegWrite):
        text = f"{text}   [{e.name} := {_val(m, e.value):#x}, used by translation after an ISB]"
    elif isinstance(e, Return):
        text = f"{text}   [returns]"
    elif isinstance(e, Stop):
        text = f"{text}   [{e.reason}: {e.detail}]"
    return TraceStep(_val(m, e.t), e.cpu, "instr", text, loc=loc, source=src, changes=changes,
                     locals=[s for s in pending], key=key, event=e)


def _fill_steps(enc, m, ch):
    from .encode import zb
    """TLB fills of a walk: one step per level read from memory (walk-cache entries
    for tables, the leaf entry), or the read of the invalid descriptor."""
    out = []
    va = _val(m, ch.va)
    for k in ch.levels:
        if not _true(m, zb(ch.reach[k])):
            break
        rd = ch.reads[k]
        d = _val(m, ch.d[k])
        a = _val(m, rd.addr)
        r = _val(m, ch.r[k])
        desc = D.describe(d, k)
        hit = enc.scen.table_at(a)
        name = f"{hit[0].name}[{hit[1]}]" if hit else f"{a:#x}"
        if ch.kind == "fresh":
            continue
        kind = "fill"
        if not (d & 1) or (k == 3 and not d & 2):
            text = f"walk of VA {va:#x} reads {name} = {desc}: no translation"
            kind = "fault"
        elif k < 3 and d & 2:
            text = f"TLB fill: walk-cache entry for VA {va:#x} at level {k} from {name} ({desc})"
        else:
            text = f"TLB fill: VA {va:#x} → {desc} (level {k}, from {name})"
        out.append(TraceStep(r, ch.cpu, kind, text, event=ch))
    return out
