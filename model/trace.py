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
from .events import (Access, Barrier, FaultEntry, Return, Stop, SysRegWrite, TLBIEvent)
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
    n: int = 0                   # step number (1-based) once the trace is ordered
    # machine-readable facts about the step (plain ints/strings/lists; see docs/report.md)
    data: dict = field(default_factory=dict)


@dataclass
class Trace:
    steps: list[TraceStep]
    violation: str = ""          # plain words
    prop: str = ""
    rule: str = ""
    fix: str = ""
    details: dict = field(default_factory=dict)
    at: int | None = None        # the time at which the violation holds (None: at the end)
    cpus: list = field(default_factory=list)     # per CPU: entry, initial TTBRs, SCTLR.M
    initial: dict = field(default_factory=dict)  # PA -> value of symbolic initial memory read


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


def ref(e) -> str:
    """A stable name for an event of a CPU's trace: "cpu.index"."""
    return f"{e.cpu}.{e.index}"


def _ival(m, x):
    """_val, but only ints (None for anything else)."""
    v = _val(m, x)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _writes(m, writes: dict) -> dict:
    out = {}
    for r, v in writes.items():
        x = _ival(m, v)
        if x is not None:
            out[r] = x
    return out


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
            if len(evs) > 1:
                # an instruction fetch is shown only when it is all the step did, or faults
                evs = [e for e in evs if not getattr(e, "fetch", False)
                       or _fetch_faults(enc, m, e)] or evs[-1:]
            if not evs:
                if any(e.guard is True or _true(m, zb(e.guard))
                       for e in ev_of_step.get(id(st), [])):
                    continue       # an event on its path did not happen: the CPU stopped
                # (an event whose own guard is false, such as the bound's Stop on a
                # loop's back edge, leaves the step register-only, as it ran)
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
        base = {"store": ref(s), "pa": pa, "value": val, "size": s.size}
        hit = enc.scen.table_at(pa) if isinstance(pa, int) else None
        if hit is not None:
            base.update(desc_name=f"{hit[0].name}[{hit[1]}]", desc_level=hit[0].level)
        if q < p:
            steps.append(TraceStep(q, s.cpu, "visible", f"store to {pa:#x} ({what}) reaches "
                                   f"CPU{s.cpu}'s walker", event=s, key=s in key_events,
                                   data=dict(base, to="own-walker")))
        steps.append(TraceStep(p, s.cpu, "visible", f"store to {pa:#x} ({what}) reaches every "
                               f"CPU and walker", event=s, key=s in key_events,
                               data=dict(base, to="all")))
    for (t, c), inv in enc.inv.items():
        if not happened.get(t):
            continue
        steps.append(TraceStep(_val(m, inv), c, "tlbi-performed",
                               f"{t.instr} (from CPU{t.cpu}) performed on CPU{c}'s TLB", event=t,
                               data={"tlbi": ref(t), "on": c}))
    for ch in list(enc.chain_of.values()) + list(extra_chains):
        if not _true(m, zb(ch.active)):
            continue
        steps.extend(_fill_steps(enc, m, ch))
    # At one instant: a TLBI is performed before walks read (an entry read then
    # survives it), walks read before stores become visible (visibility is strict:
    # a store visible at t is seen by reads after t), instructions before their
    # stores' visibility.
    order = {"tlbi-performed": 0, "fill": 1, "fault": 1, "visible": 3}
    steps.sort(key=lambda s: (s.time, order.get(s.kind, 2), s.cpu))
    number(steps)
    out = Trace(steps)
    out.cpus = _cpu_setup(enc, m)
    for a, v in enc.scen.memory.items():
        if not isinstance(v, int):
            x = _ival(m, v)
            if x is not None:
                out.initial[a] = x
    return out


def number(steps: list[TraceStep]) -> None:
    """Number the steps 1.. and link the machine's steps to the instruction steps
    they belong to (data['store_step'], data['tlbi_step'], data['for_step'])."""
    by_ref = {}
    for i, s in enumerate(steps, 1):
        s.n = i
        if s.kind == "instr" and s.event is not None:
            by_ref[ref(s.event)] = i
    for s in steps:
        d = s.data
        if "store" in d and s.kind == "visible":
            d["store_step"] = by_ref.get(d["store"])
        if "tlbi" in d:
            d["tlbi_step"] = by_ref.get(d["tlbi"])
        if d.get("for"):
            d["for_step"] = by_ref.get(d["for"])


def _cpu_setup(enc, m) -> list[dict]:
    out = []
    sctlr, ttbr0, ttbr1 = enc._regime_regs()
    for c, cs in enumerate(enc.scen.cpus):
        d = {"cpu": c, "entry": cs.entry, "role": cs.role,
             "regs": {f"x{n}": _ival(m, v) for n, v in sorted(cs.regs.items())
                      if _ival(m, v) is not None}}
        if cs.sp is not None and _ival(m, cs.sp) is not None:
            d["sp"] = _ival(m, cs.sp)
        for name in (sctlr, ttbr0, ttbr1):
            if name is None:
                continue
            try:
                d[name] = _ival(m, enc.initial_sysreg(c, name))
            except Exception:          # a term the model did not constrain
                d[name] = None
            if name.startswith("ttbr") and isinstance(d[name], int):
                hit = enc.scen.table_at(d[name] & 0x0000_FFFF_FFFF_F000)
                if hit is not None and hit[1] == 0:
                    d[name + "_table"] = hit[0].name
        # the initial values the scenario leaves open and the solver picked: general
        # registers the routine reads before writing (saved callee registers, X30)
        # and system registers such as DAIF
        d["open_regs"], d["sysregs"] = {}, {}
        for name, var in enc.traces[c].open_inputs.items():
            v = m.eval(V.to_z3(var), model_completion=False)
            if z3.is_bv_value(v):            # one the formula constrains
                d["open_regs" if name[0] == "x" else "sysregs"][name] = v.as_long()
        out.append(d)
    return out


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
    changes = _writes(m, e.step.writes) if e.step is not None else {}
    data = {"event": ref(e), "kind": e.kind}
    if e.step is not None:
        data["instance"] = e.step.order      # the instruction instance (ldp: two events)
    if instr is not None:
        data.update(pc=instr.address, file=instr.loc.outer[0], line=instr.loc.outer[1],
                    macros=[f.name for f in reversed(instr.loc.expansion)])
    data["locals"] = [{"pc": x.instr.address, "loc": x.instr.loc.short(),
                       "file": x.instr.loc.outer[0], "line": x.instr.loc.outer[1],
                       "source": x.instr.source or x.instr.text, "text": str(x.instr),
                       "changes": _writes(m, x.writes)} for x in pending]
    text = str(instr) if instr is not None else e.kind
    if isinstance(e, Access) and e.fetch:
        pa = _val(m, enc.pa.get(e, e.va))
        va = _val(m, e.va)
        data.update(va=va, pa=pa, size=e.size, fetch=True,
                    lookup=_ival(m, enc.u[e]) if e in enc.u else None)
        where = f"VA {va:#x}" + (f" → PA {pa:#x}" if pa != va else "")
        if _fetch_faults(enc, m, e):
            data["fault"] = True
            own = instr is not None and instr.address == va
            what = "this instruction" if own else "the next instruction"
            text = f"{text}   [fetch of {what} at {where}: translation fault]"
        else:
            text = f"{text}   [fetch {where}]"
        if e in enc.mmu:
            data["mmu"] = bool(_true(m, zb_(enc.mmu[e])))
    elif isinstance(e, Access):
        pa = _val(m, enc.pa.get(e, e.va))
        va = _val(m, e.va)
        val = _val(m, e.value)
        data.update(va=va, pa=pa, size=e.size, value=val, store=e.is_store,
                    lookup=_ival(m, enc.u[e]) if e in enc.u else None)
        hit = enc.scen.table_at(pa) if isinstance(pa, int) else None
        if hit is not None:
            data.update(desc_name=f"{hit[0].name}[{hit[1]}]", desc_level=hit[0].level)
        if not e.is_store and e in enc.pi:
            data["satisfied"] = _ival(m, enc.pi[e])
        where = f"VA {va:#x}" + (f" → PA {pa:#x}" if pa != va else "")
        if e.attempt:
            data["attempt"] = e.attempt
        f = enc.fault.get(e, False)
        if f is not False and _true(m, zb_(f)):
            data["fault"] = True
            ch = enc.chain_of.get(e)
            perm = ch is not None and ch.perm is not False and _true(m, zb_(ch.perm))
            text = f"{text}   [{'permission' if perm else 'translation'} fault at {where}]"
        elif e.is_store:
            if e.exclusive and _val(m, e.status) != 0:
                data["failed"] = True
                what = "no write (the comparison failed)" if e.atomic else \
                    "store-exclusive fails"
                text = f"{text}   [{what}; {where}]"
            else:
                text = f"{text}   [store {_describe_value(enc, pa, val)} to {where}]"
        else:
            text = f"{text}   [load {where} = {_describe_value(enc, pa, val)}]"
        if e in enc.mmu:
            data["mmu"] = bool(_true(m, zb_(enc.mmu[e])))
    elif isinstance(e, FaultEntry):
        if getattr(enc.scen.cpus[e.cpu], "faults", "") == "handler":
            text = f"{text}   [exception entry: the fault is taken; the handler runs]"
        else:
            text = (f"{text}   [exception entry: the fault is taken; the instruction is "
                    f"executed again]")
    elif isinstance(e, TLBIEvent):
        eff = e.effect
        extra = []
        data.update(op=eff.op, scope=eff.scope, match=eff.match, last_level=eff.last_level,
                    regime=eff.regime, ttl_hint=bool(enc.features.ttl and eff.ttl is not None))
        if eff.va is not None:
            data["va"] = _ival(m, eff.va)
            extra.append(f"VA page {_val(m, eff.va):#x}")
        if eff.asid is not None:
            data["asid"] = _ival(m, eff.asid)
            extra.append(f"ASID {_val(m, eff.asid):#x}")
        if eff.ttl is not None:
            data["ttl"] = _ival(m, eff.ttl)
            extra.append(f"TTL {_val(m, eff.ttl):#06b}")
        text = f"{text}   [issued{'; ' + ', '.join(extra) if extra else ''}]"
    elif isinstance(e, Barrier):
        data.update(op=e.op, domain=e.domain, types=e.types)
        if e in enc.dmb_time and e.global_domain:     # a DMB NSH orders nothing
            data["ordered_at"] = _ival(m, enc.dmb_time[e])
        if e.op == "dsb":
            data["waits_local"] = sorted(ref(x) for x in e.covers_local)
            data["waits_global"] = sorted(ref(x) for x in e.covers_global)
            data["completes_local"] = sorted(ref(x) for x in e.completes_local)
            data["completes_global"] = sorted(ref(x) for x in e.completes_global)
    elif isinstance(e, SysRegWrite):
        data.update(reg=e.name, value=_ival(m, e.value))
        text = f"{text}   [{e.name} := {_val(m, e.value):#x}, used by translation after an ISB]"
    elif isinstance(e, Return):
        text = f"{text}   [returns]"
    elif isinstance(e, Stop):
        data.update(reason=e.reason, detail=e.detail)
        text = f"{text}   [{e.reason}: {e.detail}]"
    return TraceStep(_val(m, e.t), e.cpu, "instr", text, loc=loc, source=src, changes=changes,
                     locals=[s for s in pending], key=key, event=e, data=data)


def _fetch_faults(enc, m, e) -> bool:
    f = enc.fault.get(e, False)
    return f is not False and bool(_true(m, f if not isinstance(f, bool) else z3.BoolVal(f)))


def zb_(c):
    from .encode import zb
    return zb(c)


def _fill_steps(enc, m, ch):
    """TLB fills of a walk: one step per level read from memory (walk-cache entries
    for tables, the leaf entry), or the read of the invalid descriptor."""
    from .encode import zb
    out = []
    if ch.kind == "fresh":
        return out
    va = _val(m, ch.va)
    R = enc.regime
    ttbr = _ival(m, ch.ttbr)
    asid = _ival(m, ch.asid)
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
        size = 1 << R.level_shift(k)
        va_lo = va & ~(size - 1) & ((1 << 64) - 1)
        data = {"chain": ch.tag, "chain_kind": ch.kind, "va": va, "level": k,
                "desc_addr": a, "desc_name": name, "desc": d, "ttbr": ttbr, "asid": asid,
                "va_start": va_lo, "va_end": va_lo + size - 1, "el": R.el,
                "for": ref(ch.access) if ch.access is not None else None}
        kind = "fill"
        if not (d & 1) or (k == 3 and not d & 2):
            text = f"walk of VA {va:#x} reads {name} = {desc}: no translation"
            kind = "fault"
            data["entry"] = "invalid"
        elif k < 3 and d & 2:
            text = f"TLB fill: walk-cache entry for VA {va:#x} at level {k} from {name} ({desc})"
            data["entry"] = "table"
            data["next_table"] = d & ((1 << 48) - 1) & ~0xfff
        else:
            text = f"TLB fill: VA {va:#x} → {desc} (level {k}, from {name})"
            data["entry"] = "leaf"
            oa_mask = ((1 << 48) - 1) & ~((1 << D.leaf_shift(k)) - 1)
            data["oa"] = d & oa_mask
            data["ng"] = bool(d >> 11 & 1)
        out.append(TraceStep(r, ch.cpu, kind, text, event=ch, data=data))
    return out
