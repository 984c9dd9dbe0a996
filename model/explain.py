"""Say what went wrong: the failed property in plain words, the Arm rule, the
entries or descriptor change involved, and the smallest fix when one is obvious."""
from __future__ import annotations

from . import properties as P
from .encode import zb
from .events import Access, Barrier, ISBEvent, SysRegWrite
from .trace import Trace, _ival, _true, _val, extract, ref
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
    walk_cache = None          # (level, ASID) of an old walk-cache entry the violation used
    if name == "bbm":
        w = info["witness"]
        extra_chains.append(w)
        keys.append(info["store"])
    elif name == "conflict":
        extra_chains.extend(info["witnesses"])
    elif name in ("fault", "stale"):
        keys.append(info["access"])
    elif name == "post" and getattr(info.get("post"), "kind", "") in (
            "no_global_entries", "no_entries_from"):
        # the TLB entries the postcondition is about: the active witness walks
        for ws in enc.__dict__.get("_witness", {}).values():
            extra_chains.extend(w for w in ws if _true(m, zb(w.active)))
    said = None
    if name == "post" and getattr(info.get("post"), "explain", None) is not None:
        said = info["post"].explain(enc, m)
        if said:
            keys.extend(said[2])
    tr = extract(enc, m, extra_chains=extra_chains, key_events=keys)
    for st in tr.steps:
        if st.kind in ("fill", "fault") and any(st.event is ch for ch in extra_chains):
            st.key = True
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
        tr.at = _ival(m, a.t)
        tr.details = {"access": ref(a), "cpu": a.cpu, "va": va}
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
        tr.at = _ival(m, enc.q[s])
        tr.details = {"store": ref(s), "cpu": c, "old": old, "new": new, "level": k,
                      "desc_addr": pa, "desc_name": nm, "va": _ival(m, w.va),
                      "witness": w.tag}
        tr.fix = sequence_fix(enc, tr, s.cpu, s.index, pa, _ival(m, w.va), c) or tr.fix
    elif name == "conflict":
        c = info["cpu"]
        w1, w2 = info["witnesses"]
        lv1, lv2 = (_val(m, x) for x in info["levels"])
        e1 = D.describe(_val(m, w1.d[lv1]), lv1)
        e2 = D.describe(_val(m, w2.d[lv2]), lv2)
        va = _val(m, w1.va)
        size = enc.regime.block_size(min(lv1, lv2))
        lo = va & ~(size - 1)
        span = f" (range {lo:#x}-{lo + size - 1:#x})" if size > 4096 else ""
        tr.violation = (f"{title}: CPU{c}'s TLB holds two entries for VA {va:#x}{span}: "
                        f"level {lv1} {e1} and level {lv2} {e2}")
        tr.fix = ("invalidate the old entry (TLBI of the right scope, completed by a DSB) "
                  "before a walk can fill the new one")
        tr.at = _ival(m, info["at"])
        ents = []
        for w, lv in ((w1, lv1), (w2, lv2)):
            rd = w.reads[lv]
            ents.append({"witness": w.tag, "level": lv, "desc_addr": _ival(m, rd.addr),
                         "desc": _ival(m, w.d[lv]), "read_at": _ival(m, w.r[lv])})
        tr.details = {"cpu": c, "va": va, "entries": ents}
        # where the two walks differ (rule conflict: at some level both entries cover;
        # the entries named may agree when their walks went through different tables)
        for k in w1.levels:
            if k > min(lv1, lv2):
                break
            if k < min(lv1, lv2) and not (all(
                    _true(m, zb(enc.chain_alive(w, k, False, w.r[k], info["at"])))
                    for w in (w1, w2)) and _val(m, w1.asid) == _val(m, w2.asid)):
                continue
            if _val(m, D.entry_content(w1.d[k], k)) != _val(m, D.entry_content(w2.d[k], k)):
                tr.details["differ_level"] = k
                if k != lv1 or k != lv2:
                    tr.violation += (
                        f"; their walks differ at level {k}: {_slot(enc, m, w1, k)} = "
                        f"{D.describe(_val(m, w1.d[k]), k)} and {_slot(enc, m, w2, k)} = "
                        f"{D.describe(_val(m, w2.d[k]), k)}")
                break
        # the store that wrote the newer entry's descriptor
        newer = max(ents, key=lambda e: e["read_at"] or 0)
        st = _store_of(tr, newer["desc_addr"], newer["desc"])
        if st is not None:
            tr.details["store"] = ref(st.event)
            older = min(ents, key=lambda e: e["read_at"] or 0)
            tr.fix = (mmu_off_fix(tr, st, va, c, enc.ncpus > 1, older["read_at"])
                      or sequence_fix(enc, tr, st.event.cpu, st.event.index,
                                      newer["desc_addr"], va, c) or tr.fix)
        else:
            tr.fix = _ttbr_switch_fix(enc, m, tr, c, w1, w2) or tr.fix
    elif name == "stale":
        a, F = info["access"], info["fresh"]
        va = _val(m, a.va)
        tr.violation = (f"{title}: CPU{a.cpu} {a.kind} at {_loc(a)} (`{a.instr}`) uses a TLB "
                        f"entry for VA {va:#x} that no longer matches the tables")
        tr.fix = "a TLBI of the entry, completed by a DSB (and an ISB) before the access"
        ch = enc.chain_of.get(a)
        if ch is not None and ch.ttbr is not None and F.ttbr is not None:
            t_used, t_now = _val(m, ch.ttbr), _val(m, F.ttbr)
            if t_used != t_now:
                # the tables did not change: the TTBR did (a switch the entry survived)
                tr.violation = (f"{title}: CPU{a.cpu} {a.kind} at {_loc(a)} (`{a.instr}`) "
                                f"uses a TLB entry for VA {va:#x} filled through TTBR "
                                f"{t_used:#x}; a walk at its lookup time goes through "
                                f"{t_now:#x} and gives another translation")
                tr.fix = ("an ISB between the TTBR write and the access, and a TLBI of the "
                          "entries filled through the other TTBR value (or non-global "
                          "entries with distinct ASIDs)")
        tr.at = _ival(m, a.t)
        tr.details = {"access": ref(a), "cpu": a.cpu, "va": va}
        if ch is not None:
            for k in ch.levels:
                if not _true(m, zb(ch.reach[k])):
                    break
                if _val(m, ch.d[k]) != _val(m, F.d[k]):
                    if k != ch.levels[-1] and _true(m, zb(D.is_table(ch.d[k], k))):
                        walk_cache = (k, _val(m, ch.asid))
                    break
    if name == "conflict":
        k = tr.details.get("differ_level")
        if k is not None and k < min(lv1, lv2) and "ttbrs" not in tr.details:
            # (through two TTBR values no descriptor changed: the switch's fix stands)
            walk_cache = (k, _val(m, w1.asid))
    if name in ("bbm", "conflict", "stale"):
        tr.fix = (_ttl_fix(enc, m, tr) or _walk_cache_fix(enc, m, tr, walk_cache)
                  or tr.fix)
    if name == "post":
        pc = info["post"]
        tr.violation = f"{title}: {pc.name}: {pc.text}"
        tr.details = {"postcondition": pc.name}
        if said:
            # the part that fails, in place of the whole postcondition's text
            tr.violation = f"{title}: {pc.name}: {said[0]}"
            tr.fix = said[1] or tr.fix
            tr.details["detail"] = said[0]
    return tr


def _ttbr_switch_fix(enc, m, tr: Trace, cpu: int, w1, w2) -> str | None:
    """When the two conflicting entries were filled through two values of one TTBR
    (no descriptor changed: the routine switched tables), say what the switch lacks,
    from the MMU's state at the TTBR write: with the MMU on, a TLBI after the switch
    is too late (the switch itself needs break-before-make); with it off, either the
    old value was still used once the MMU came on (an ISB between the two writes), or
    the TLB kept entries of the old tables (a TLBI before the MMU is turned on)."""
    if w1.ttbr is None or w2.ttbr is None:
        return None
    t1, t2 = _val(m, w1.ttbr), _val(m, w2.ttbr)
    if t1 is None or t2 is None or t1 == t2:
        return None
    writes = [(st, r) for st in tr.steps if st.cpu == cpu and st.kind == "instr"
              and st.time is not None and (tr.at is None or st.time <= tr.at)
              for r in st.changes if r.startswith("ttbr")]
    while writes and writes[-1][0].changes[writes[-1][1]] not in (t1, t2):
        writes.pop()
    if not writes:
        return None
    st, reg = writes[-1]
    if st.changes[reg] == t1:
        t1, t2, w1 = t2, t1, w2            # the old value first
    tr.details["ttbrs"] = [t1, t2]
    what = (f"the two entries were filled through the old {reg.upper()} value {t1:#x} and "
            f"the new one {t2:#x} (written at {st.loc}, `{st.source}`)")
    sctlr = enc._regime_regs()[0]
    earlier = [x.changes[sctlr] for x in tr.steps if x.cpu == cpu and x.kind == "instr"
               and sctlr in x.changes and x.time is not None and x.time < st.time]
    m_bit = earlier[-1] if earlier else (tr.cpus[cpu].get(sctlr) if cpu < len(tr.cpus)
                                         else None)
    if m_bit is None:
        return None
    if m_bit & 1:
        by_asid = _asid_switch_fix(enc, m, tr, cpu, w1, w2, what)
        if by_asid is not None:
            return by_asid
        before = [x for x, r in writes[:-1] if r == reg and x.changes[r] != t1]
        if before:
            # another value was written in between (a break, if its table maps
            # nothing): what is missing is the invalidation between the two writes
            b = before[-1]
            return (f"{what}, with {b.changes[reg]:#x} written in between at {b.loc} "
                    f"(`{b.source}`; a break, if that table maps nothing): entries of the "
                    f"old tables were not invalidated between the two writes; a TLBI of "
                    f"them, completed by a DSB, after the first write has taken effect (an "
                    f"ISB) and before the new value is written")
        asids = (", or give the new tables another ASID (non-global entries): entries of "
                 "different ASIDs do not conflict") if enc.regime.el == 1 else ""
        return (f"{what}: with the MMU on, walks may use the new tables while the TLB still "
                f"holds entries of the old ones, so a TLBI after the switch comes too late. "
                f"Switching tables is a change of every descriptor at once and needs "
                f"break-before-make: turn the MMU off around the TTBR write (from an "
                f"identity map), invalidate, then turn it on{asids}")
    old_read = _ival(m, w1.r[w1.levels[0]])
    if old_read is not None and old_read > st.time:
        late = next((x.n for x in tr.steps if x.event is w1), None)
        at = f" (step {late})" if late else ""
        return (f"{what} with the MMU off: an ISB between that write and the one that turns "
                f"the MMU on; until a context synchronization event, walks may still use "
                f"the old value once the MMU is on, and one did{at}")
    # a TLBI that no DSB completed before the MMU came on: it need not have removed
    # the old entries yet
    mine = [x for x in tr.steps if x.cpu == cpu and x.kind == "instr" and x.time is not None]
    on = next((x for x in mine if x.time > st.time and sctlr in x.changes
               and x.changes[sctlr] & 1), None)
    regime = f"el{enc.regime.el}"
    tlbis = [x for x in mine if on is not None and x.time < on.time
             and x.data.get("kind") == "tlbi"
             and getattr(getattr(x.event, "effect", None), "regime", regime) == regime]
    if tlbis and not any(x.data.get("kind") == "barrier" and x.data.get("op") == "dsb"
                         and tlbis[-1].time < x.time < on.time for x in mine):
        t = tlbis[-1]
        return (f"{what} with the MMU off: the TLBI at {t.loc} (`{t.source}`) was not "
                f"completed by a DSB before the MMU came on at {on.loc} (`{on.source}`), so "
                f"the TLB could still hold entries of the old tables; a DSB between them")
    return (f"{what} with the MMU off: the TLB still held entries of the old tables when "
            f"the MMU came on; invalidate them (a TLBI of the whole regime, completed by a "
            f"DSB) before the MMU is turned on")


def _asid_switch_fix(enc, m, tr: Trace, cpu: int, w_old, w_new, what: str) -> str | None:
    """A TTBR switch with the MMU on whose two entries have one ASID, in a regime where
    the ASID is TTBR1's (TCR_EL1.A1 = 1) or changed during the trace: the switch of
    ASID and of tables are two writes, and the window between them is the bug.  Either
    the old tables were walked under the new ASID (TTBR0 still on them once the new
    ASID took effect), or the new tables under the old ASID (TTBR0 on them before
    it)."""
    reg = enc.regime.asid_register()
    a_old, a_new = _val(m, w_old.asid), _val(m, w_new.asid)
    if reg is None or a_old is None or a_old != a_new:
        return None
    init = tr.cpus[cpu].get(reg) if cpu < len(tr.cpus) else None
    first = None if init is None else init >> 48 & 0xFFFF
    sets = [x for x in tr.steps if x.cpu == cpu and x.kind == "instr" and reg in x.changes
            and x.time is not None and (tr.at is None or x.time <= tr.at)]
    changes = []
    cur = first
    for x in sets:
        v = x.changes[reg] >> 48 & 0xFFFF
        if v != cur:
            changes.append((x, v))
        cur = v
    if not changes and not enc.regime.a1:
        return None
    asid = a_old
    if changes and any(v == asid for _, v in changes) and asid != first:
        x = next(x for x, v in changes if v == asid)
        return (f"{what}, both under ASID {asid}, which {x.loc} (`{x.source}`) set: the old "
                f"tables were walked under the new ASID, because TTBR0 still pointed at "
                f"them when it took effect. Point TTBR0 at a table with no valid entries, "
                f"with an ISB, before the new ASID takes effect (Linux: "
                f"cpu_set_reserved_ttbr0), or write ASID and tables in one TTBR write "
                f"(TCR_EL1.A1 = 0)")
    if changes:
        x, v = changes[-1]
        return (f"{what}, both under ASID {asid}, the old one: the new tables were walked "
                f"before the new ASID {v} (written at {x.loc}, `{x.source}`) took effect. "
                f"Write the new ASID and synchronize it with an ISB before TTBR0 points at "
                f"the new tables")
    # a later write of the routine that sets another ASID (the trace ends before it)
    later = [(e, _val(m, e.value)) for e in enc.traces[cpu].events
             if isinstance(e, SysRegWrite) and e.name == reg and e.instr is not None]
    later = [(e, v >> 48 & 0xFFFF) for e, v in later if v is not None and v >> 48 & 0xFFFF != asid]
    if later:
        e, v = later[-1]
        return (f"{what}, both under ASID {asid}, the old one: the new tables were walked "
                f"before the write of {reg.upper()} at {e.instr.loc.short()} (`{e.instr}`), "
                f"which sets the new ASID {v}, was executed. Write the new ASID and "
                f"synchronize it with an ISB before TTBR0 points at the new tables")
    return (f"{what}, both under ASID {asid}: the new tables are used under the ASID the "
            f"TLB holds entries of the old ones for. Give them their own ASID ({reg.upper()}"
            f"[63:48]), set and synchronized with an ISB before TTBR0 points at them")


def _walk_cache_fix(enc, m, tr: Trace, walk_cache) -> str | None:
    """When the entries that break the property went through an old table descriptor
    (a walk-cache entry at level k, read under an ASID), and a TLBI by VA of that VA
    ran but need not remove it, name that TLBI and why: a last-level form (VALE1*)
    leaves walk-cache entries; a VAE1* for another ASID leaves the walk's (R_CHVGJ
    tags walk-cache entries with the ASID, even above a global page)."""
    if walk_cache is None:
        return None
    k, asid = walk_cache
    va = tr.details.get("va")
    if va is None:
        return None
    shift = enc.regime.level_shift(k)
    for t in enc.tlbis:
        eff = t.effect
        if eff.match not in ("va", "va-any-asid") or eff.va is None:
            continue
        if not _true(m, enc.exec(t)):
            continue
        tva = _val(m, eff.va)
        mask = ((1 << 56) - 1) & ~((1 << shift) - 1)
        if (tva & mask) != (va & mask):
            continue
        if eff.last_level:
            return (f"the TLBI at {_loc(t)} (`{t.instr}`) is a last-level form: it need not "
                    f"remove the walk-cache entry of the level-{k} table descriptor that "
                    f"changed; use the form without L (e.g. TLBI VAE1IS / VAAE1IS)")
        if eff.match == "va" and asid is not None and _val(m, eff.asid) != asid:
            return (f"the TLBI at {_loc(t)} (`{t.instr}`) names ASID {_val(m, eff.asid)}, "
                    f"but the walk read the level-{k} table descriptor under ASID {asid}: "
                    f"walk-cache entries are tagged with the walk's ASID even above a "
                    f"global page (R_CHVGJ); name ASID {asid}, or use TLBI VAAE1IS for any "
                    f"ASID")
    return None


def _ttl_fix(enc, m, tr) -> str | None:
    """With FEAT_TTL, a TLBI by VA whose Xt[47:44] hint names another granule (or a
    level the entry is not at) need not invalidate the entry.  When an executed TLBI
    carries a hint for a granule other than the regime's 4K one, say so: it is the
    bug, whatever else the trace shows.  Of several such TLBIs (one macro expanded
    at several places), the one performed on the CPU between the reads of the two
    entries of a conflict is named: the trace shows that one."""
    if not enc.features.ttl:
        return None
    bad = []
    for t in enc.tlbis:
        ttl = getattr(t.effect, "ttl", None)
        if ttl is None or not _true(m, enc.exec(t)):
            continue
        v = _val(m, ttl)
        if (v >> 2) & 3 in (0, 1):
            continue
        bad.append((t, v))
    if not bad:
        return None
    ents, cpu = tr.details.get("entries", []), tr.details.get("cpu")
    reads = sorted(e["read_at"] for e in ents if e.get("read_at") is not None)
    if len(reads) == 2 and cpu is not None:
        def between(tv):
            inv = enc.inv.get((tv[0], cpu))
            at = _ival(m, inv) if inv is not None else None
            return at is not None and reads[0] < at <= reads[1]
        bad = [x for x in bad if between(x)] or bad
    t, v = bad[0]
    gran = {2: "16K", 3: "64K"}[(v >> 2) & 3]
    return (f"the TLBI at {_loc(t)} (`{t.instr}`) has TTL = {v:#06b} in Xt[47:44] "
            f"(left there by the VA's top bits): with FEAT_TTL that hint names the "
            f"{gran} granule at level {v & 3}, so the TLBI need not invalidate this "
            f"regime's 4K entries; clear Xt[63:44] before the TLBI (e.g. "
            f"`ubfx Xt, Xt, #0, #44` after shifting the VA right by 12)")


def _fault_fix(enc, m, a: Access) -> str:
    """What the access's CPU did since its last ISB that explains the fault: an SCTLR
    write that changes SCTLR.M, not yet synchronized (the access ran with the MMU
    on); a TTBR write whose old value the walk still used; a descriptor store with a
    DSB but no ISB, or with neither, before the access.  "" when none."""
    tr = enc.traces[a.cpu]
    sctlr = enc._regime_regs()[0]
    done = [e for e in tr.events[:a.index] if _true(m, zb(enc.happens(e)))]
    writes = [e for e in done if isinstance(e, SysRegWrite) and e.name == sctlr]
    isbs = [e.index for e in done if isinstance(e, ISBEvent)]
    pending = [w for w in writes if not isbs or w.index > isbs[-1]]
    if pending:
        # SCTLR writes since the last ISB: the access ran with the MMU on, so either the
        # value that ISB (or none: the initial one) made effective had it off and a
        # pending write turned it on, or it had it on and a pending write turns it off
        synced = [w for w in writes if isbs and w.index < isbs[-1]]
        prev = (_ival(m, synced[-1].value) if synced
                else _ival(m, enc.initial_sysreg(a.cpu, sctlr)))
        want = 1 if prev is not None and not prev & 1 else 0
        e = next((w for w in reversed(pending)
                  if (_ival(m, w.value) or 0) & 1 == want), None)
        if prev is not None and e is not None:
            on = "on" if want else "off"
            return (f"the access ran with the MMU on while the {sctlr.upper()} write at "
                    f"{_loc(e)} (MMU {on}) was not yet synchronized: until an ISB after it, "
                    f"an access may run with the MMU on or off. An ISB after the write, and "
                    f"a translation for VA {_ival(m, a.va):#x} wherever the MMU may be on")
    ch = enc.chain_of.get(a)
    if ch is not None and ch.ttbr is not None:
        used = _ival(m, ch.ttbr)
        _, ttbr0, ttbr1 = enc._regime_regs()
        reg = ttbr1 if ttbr1 is not None and _true(m, zb(ch.upper)) else ttbr0
        for e in reversed(tr.events[:a.index]):
            if not _true(m, zb(enc.happens(e))):
                continue
            if isinstance(e, ISBEvent):
                break
            if isinstance(e, SysRegWrite) and e.name == reg:
                new = _ival(m, e.value)
                if used is not None and new is not None and new != used:
                    return (f"an ISB after the {reg.upper()} write at {_loc(e)}: until a "
                            f"context synchronization event the walk may still use the "
                            f"old value {used:#x}, and this one did")
                break
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
                    why = ("an instruction fetch may be translated at any time after the last "
                           "context synchronization event" if a.fetch else
                           "without FEAT_ETS2 the walk of a later access may run ahead of the "
                           "DSB")
                    return (f"an ISB after the DSB that follows the descriptor store at "
                            f"{_loc(e)} ({why})")
                if not seen_dsb:
                    return (f"a DSB and an ISB between the descriptor store at {_loc(e)} and "
                            f"the access")
                break
    return ""


def _store_of(tr: Trace, pa, value):
    """The last store step in the trace that wrote `value` to `pa`."""
    out = None
    for st in tr.steps:
        d = st.data
        if st.kind == "instr" and d.get("store") and d.get("pa") == pa and d.get("value") == value:
            out = st
    return out


def _where(st) -> str:
    return f"step {st.n} ({st.loc})" if st.loc else f"step {st.n}"


def _tlbi_covers(d: dict, va) -> bool:
    if d.get("match") in ("all", "asid"):
        return True
    tv = d.get("va")
    if tv is None or va is None:
        return True
    return ((tv >> 12) & ((1 << 44) - 1)) == ((va >> 12) & ((1 << 44) - 1))


def mmu_off_fix(tr: Trace, store, va, holder: int, multi: bool, old_read=None) -> str:
    """When the new descriptor was written with the writer's MMU off, no walk of that
    CPU can use the tables meanwhile, so break-before-make is not what is missing: the
    holder's TLB kept an entry from before, and it must be invalidated after the
    rewrite and before translation is enabled again (or before the new entry's walk).
    When the old entry was read after the MMU was turned on again (`old_read`, its
    read time), it is not from before: the walk read memory before the store reached
    it, and what is missing is a DSB between the store and the MMU enable."""
    if store.data.get("mmu") is not False:
        return ""
    vtxt = f"VA {va:#x}" if isinstance(va, int) else "the VA"
    on = [s for s in tr.steps if s.kind == "instr" and s.cpu == holder and s.n > store.n
          and s.data.get("kind") == "msr" and str(s.data.get("reg", "")).startswith("sctlr")
          and isinstance(s.data.get("value"), int) and s.data["value"] & 1]
    if on and holder == store.cpu and old_read is not None and old_read > on[0].time:
        return (f"a DSB after the store at {_where(store)} and before the MMU is turned on "
                f"again at {_where(on[0])} (and an ISB after that): the old entry was read "
                f"once the MMU was on, from memory the store had not yet reached; a CPU's "
                f"walks need not see its own earlier stores before a DSB")
    until = (f"before the MMU is turned on again at {_where(on[0])}" if on
             else "before the new entry is used")
    # the tables are shared: with other CPUs, their TLBs may hold the old entry too
    scope = "is" if multi else ""
    return (f"a TLBI of {vtxt} or of every entry (e.g. `tlbi vmalle1{scope}`), completed by "
            f"`dsb {'ish' if scope else 'nsh'}` (and an ISB), after the store at "
            f"{_where(store)} and {until}: CPU{holder}'s TLB keeps the entries it cached "
            f"before its MMU was turned off")


def sequence_fix(enc, tr: Trace, cpu: int, index: int, desc_pa, va, holder: int) -> str:
    """The smallest fix of a break-before-make sequence, read off the trace: the writer
    CPU's steps before the store (`cpu`, event `index`) that made descriptor `desc_pa`
    valid again.  Returns "" when the sequence looks complete (the problem is elsewhere)."""
    mine = sorted((st for st in tr.steps if st.kind == "instr" and st.cpu == cpu
                   and st.event is not None and st.event.index <= index),
                  key=lambda st: st.event.index)
    if not mine or mine[-1].event.index != index:
        return ""
    new = mine[-1]
    before = mine[:-1]
    vtxt = f"VA {va:#x}" if isinstance(va, int) else "the VA"
    breaks = [st for st in before if st.data.get("store") and st.data.get("pa") == desc_pa
              and isinstance(st.data.get("value"), int) and not st.data["value"] & 1]
    if not breaks:
        return (f"break before make: before the store at {_where(new)}, store an invalid "
                f"descriptor to the same entry, then `dsb ishst`, a TLBI of {vtxt} "
                f"(e.g. `tlbi vaae1is`) and `dsb ish`")
    brk = breaks[-1]
    after = [st for st in before if st.event.index > brk.event.index]
    tlbis = [st for st in after if st.data.get("kind") == "tlbi"
             and _tlbi_covers(st.data, va)]
    dsbs = [st for st in after if st.data.get("kind") == "barrier"
            and st.data.get("op") == "dsb" and st.data.get("types") != "ld"]
    if not tlbis:
        return (f"a TLBI of {vtxt} (e.g. `tlbi vaae1is`), completed by `dsb ish`, between "
                f"the invalid descriptor store at {_where(brk)} and the store at {_where(new)}")
    t = tlbis[-1]
    multi = enc.ncpus > 1
    if t.data.get("scope") == "local" and holder != cpu and multi:
        return (f"the broadcast form of the TLBI at {_where(t)} (`tlbi {t.data.get('op')}is`): "
                f"CPU{holder} holds the old entry and a local TLBI does not reach it")
    pre = [d for d in dsbs if d.event.index < t.event.index]
    if not pre:
        dom = "ish" if multi else "nsh"
        return (f"a `dsb {dom}st` between the invalid descriptor store at {_where(brk)} and "
                f"the TLBI at {_where(t)}: without it the TLBI can be performed before the "
                f"walkers see the invalid descriptor, and they refill the old entry")
    if multi and t.data.get("scope") != "local" and all(
            d.data.get("domain") == "nsh" for d in pre):
        return (f"a DSB of domain ISH (not NSH) between the store at {_where(brk)} and the "
                f"TLBI at {_where(t)}: other CPUs' walkers must see the invalid descriptor")
    post = [d for d in dsbs if d.event.index > t.event.index]
    full = [d for d in post if d.data.get("types") == "all"]
    if not full:
        dom = "ish" if t.data.get("scope") != "local" else "nsh"
        if post:
            return (f"`dsb {dom}` instead of `dsb {post[0].data.get('domain')}"
                    f"{post[0].data.get('types')}` at {_where(post[0])}: a DSB ST does not "
                    f"complete the TLBI at {_where(t)}")
        return (f"a `dsb {dom}` between the TLBI at {_where(t)} and the store at "
                f"{_where(new)}: the TLBI is only complete, on every CPU, after a DSB")
    if t.data.get("scope") != "local" and all(d.data.get("domain") == "nsh" for d in full):
        return (f"a DSB of domain ISH at {_where(full[0])}: a DSB NSH does not complete a "
                f"broadcast TLBI on the other CPUs")
    return ""


def _slot(enc, m, w, k) -> str:
    """The table entry the level-k read of walk w reads, by name where declared."""
    pa = _val(m, w.reads[k].addr)
    hit = enc.scen.table_at(pa)
    return f"{hit[0].name}[{hit[1]}]" if hit else f"{pa:#x}"
