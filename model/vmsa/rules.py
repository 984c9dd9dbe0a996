"""The architecture rules of bbmcheck's VMSA machine, top to bottom.

Read this module as the model.  Each rule is a function that looks at the
execution structure built by model/encode.py (events, reads, walks, the times `t`
of instructions, `p`/`q` of store visibility, `pi` of loads, `u` of translation
lookups, `inv` of TLBI performance, `r` of walk reads) and adds constraints under
its name.  `RULES` lists every rule with the architecture text it stands for; the
tests disable one rule at a time and check that a program that depends on it
changes verdict.

Times are integers: 0 is the initial state (the TLB may already hold entries read
from it), every instruction happens at a time >= 1.

References are to the Arm Architecture Reference Manual for A-profile (DDI 0487)
and to Arm's own formal model (herd7's aarch64.cat with the VMSA extensions), whose
relation names are given where a rule mirrors one.
"""
from __future__ import annotations

import z3

from .. import timevars as TV
from .. import values as V
from ..events import Access, Barrier, FaultEntry, ISBEvent, SysRegWrite
from . import tlbi as TL

RULES: dict[str, str] = {}


def rule(name: str, text: str):
    RULES[name] = text

    def deco(f):
        f.rule_name = name
        return f
    return deco


def _and(*cs):
    from ..encode import And
    return And(*cs)


def _or(*cs):
    from ..encode import Or
    return Or(*cs)


def _not(c):
    from ..encode import zb
    return z3.Not(zb(c))


def _iff(a, b):
    from ..encode import zb
    return zb(a) == zb(b)


def _ctrl_loads_before(enc, rule_name, e):
    """The loads a po-earlier branch of e depends on are satisfied before e (e's
    control dependencies, `e.ctrl`); for a context synchronization event, so are the
    loads the address of a po-earlier access depends on (`e.addr_src`)."""
    extra = getattr(e, "addr_src", frozenset()) - e.ctrl
    for l in (*e.ctrl, *extra):         # (ctrl first: the formula's order stays put)
        if l in enc.pi:
            enc.add(rule_name, _imp(_and(enc.happens(e), enc.exec(l)), enc.pi[l] < e.t))


def _imp(a, b):
    from ..encode import Implies
    return Implies(a, b)


# ============================================================== program order

@rule("po-time", "A CPU executes its instructions one after the other: program order "
      "is time order (each path's events appear in list order).")
def po_time(enc):
    for tr in enc.traces:
        evs = tr.events
        if evs:
            enc.add("po-time", evs[0].t >= 1)
        for a, b in zip(evs, evs[1:]):
            enc.add("po-time", a.t < b.t)
        enc.add("po-time", enc.stop[tr.cpu] >= 1)


@rule("fault-stops-cpu", "A translation fault ends the CPU's execution of the routine "
      "(herd7 `fatal`): nothing after the faulting access executes.")
def fault_stops(enc):
    for a, f in enc.fault.items():
        if V.concrete_bool(f) is False or a.cpu in enc.handled:
            continue
        enc.add("fault-stops-cpu", _imp(_and(enc.happens(a), f), enc.stop[a.cpu] <= a.t + 1))


def retry_taken(enc):
    """Structure of handled faults (CpuSetup.faults = 'handled'; not a rule): the
    retry of an instruction (attempt 2, guarded by attempt 1's `refault`) is executed
    exactly when attempt 1 happened and faulted."""
    for a in enc.accesses:
        if a.attempt != 1 or a.refault is None or (a.atomic and a.is_store):
            continue
        f = enc.fault.get(a, False)
        enc.add("retry-taken", _iff(a.refault, _and(enc.happens(a), f)))


@rule("retry-must-not-fault", "Faults handled by executing the instruction again "
      "(herd7 `handled`, which litmus `Variant=imprecise` selects): the faulting "
      "instruction is executed once more, from the same registers; an execution in "
      "which that retry faults, or in which a later instruction of the same thread "
      "faults, is discarded -- herd7 counts it neither as positive nor as negative "
      "(herd/mem.ml: a fault while re-executing ends the thread's code with `false`, "
      "and such a candidate is dropped).  At most one fault per thread is taken.")
def retry_no_fault(enc):
    for tr in enc.traces:
        if tr.cpu not in enc.handled:
            continue
        if getattr(enc.scen.cpus[tr.cpu], "faults", "") == "handler":
            # with a handler (litmus P<n>.F) only a fault of the handler's own code
            # drops the execution; the thread's code may fault again after an ERET
            for a in tr.events:
                if isinstance(a, Access) and a.handler_code and not a.fetch \
                        and not (a.atomic and a.is_store):
                    f = enc.fault.get(a, False)
                    if V.concrete_bool(f) is not False:
                        enc.add("retry-must-not-fault", _imp(enc.happens(a), _not(f)))
            continue
        firsts = []                     # attempt-1 accesses earlier in the list
        for a in tr.events:
            if not isinstance(a, Access) or a.fetch or (a.atomic and a.is_store):
                continue
            f = enc.fault.get(a, False)
            if V.concrete_bool(f) is not False:
                if a.attempt == 2:
                    enc.add("retry-must-not-fault", _imp(enc.happens(a), _not(f)))
                else:
                    for x in firsts:
                        enc.add("retry-must-not-fault",
                                _imp(_and(x.refault, enc.happens(a)), _not(f)))
            if a.attempt == 1 and a.refault is not None:
                firsts.append(a)


@rule("exception-entry-syncs", "Taking a fault is an exception entry, a context "
      "synchronization event (Arm ARM: exception entry is context synchronizing; herd7: "
      "a non-tag-check Fault event is in EXC-ENTRY, hence in IFB): with faults handled "
      "(by executing the instruction again, or by a handler), the loads a po-earlier "
      "branch depends on are satisfied before it (IFB-ob: ctrl;[IFB];po), so are the "
      "loads the faulting access's address depends on, by address or pick dependency "
      "(addr;[M];po;[IFB];po and pick-addr-dep;tr-ib;[IFB];po); no load of the retry "
      "or handler or after it is "
      "satisfied, and no translation of theirs is looked up, before it.  Only what "
      "rule isb-orders and walks-run-ahead say of an ISB.")
def exception_entry_syncs(enc):
    for tr in enc.traces:
        for i in tr.events:
            if isinstance(i, FaultEntry):
                _ctrl_loads_before(enc, "exception-entry-syncs", i)
                a = i.of
                if a is None:
                    continue
                # (its translation is looked up before it already: u <= t, rule
                # walks-run-ahead, and the entry comes after the access in po)
                for l in a.addr_deps | a.pick_deps:
                    if l in enc.pi:
                        enc.add("exception-entry-syncs",
                                _imp(_and(enc.happens(i), enc.exec(l)), enc.pi[l] < i.t))
    for a in enc.accesses:
        for i in a.last_isb:
            if not isinstance(i, FaultEntry):
                continue
            h = _and(enc.happens(i), enc.happens(a))
            enc.add("exception-entry-syncs", _imp(h, enc.u[a] > i.t))
            if a in enc.pi:
                enc.add("exception-entry-syncs",
                        _imp(_and(enc.happens(i), enc.exec(a)), enc.pi[a] > i.t))


# ============================================================== store visibility

@rule("store-visibility", "A store is seen at once by its own CPU's loads (forwarding), "
      "becomes visible to its own CPU's walker at q >= t and to every other observer "
      "(other CPUs and their walkers) at p >= q.  Other-multi-copy atomicity: one p for "
      "all other observers.")
def store_visibility(enc):
    for s in enc.stores:
        enc.add("store-visibility", _and(s.t <= enc.q[s], enc.q[s] <= enc.p[s]))


@rule("walks-read-global", "A translation table walk that reads a store of its own CPU "
      "reads it only once the store is visible to every observer: there is no forwarding "
      "to walks, and a write a walk has read is observed by everything ordered after that "
      "walk (herd7 TTD-obs: rf;[Imp & TTD] is in ob for internal reads too; Arm ARM B2.3 "
      "Observed-by, other-multi-copy atomicity).  A DSB NSH still makes the store visible "
      "to the CPU's own walker (q): the walk after it then reads it, and it is visible to "
      "all by then.")
def walks_read_global(enc):
    for rd in enc.reads:
        if not rd.walker:
            continue
        for i, s in enumerate(rd.cands, 1):
            if s.cpu == rd.observer:
                enc.add("walks-read-global", _imp(rd.sel == i, enc.p[s] < rd.time))


@rule("coherence", "Stores to one location are totally ordered (coherence order = order "
      "of p); stores of one CPU to one location stay in program order for every "
      "observer (CoWW), for its walker too.")
def coherence(enc):
    st = enc.writes                     # hardware AF updates (Features.hw_af) too
    for i, a in enumerate(st):
        va = enc.vsa.values(enc.pa[a])
        for b in st[i + 1:]:
            from ..vsa import may_equal
            if a.size != b.size or not may_equal(va, enc.vsa.values(enc.pa[b])):
                continue
            same = V.eq(enc.pa[a], enc.pa[b])
            enc.add("coherence", _imp(same, enc.p[a] != enc.p[b]))
            if a.cpu == b.cpu and a.cpu is not None:
                enc.add("coherence", _imp(_and(enc.exec(a), enc.exec(b), same),
                                          _and(enc.p[a] < enc.p[b], enc.q[a] < enc.q[b])))


@rule("coherence-read-read", "Two loads of one CPU from one location read in coherence "
      "order (CoRR): the later load does not read a store older than the earlier one "
      "read (herd7: coRR via fr;rf).")
def corr(enc):
    from ..vsa import may_equal
    for tr in enc.traces:
        lds = [e for e in tr.events if isinstance(e, Access) and not e.is_store
               and not e.fetch]
        for i, a in enumerate(lds):
            for b in lds[i + 1:]:
                if not may_equal(enc.vsa.values(enc.pa[a]), enc.vsa.values(enc.pa[b])):
                    continue
                enc.add("coherence-read-read",
                        _imp(_and(enc.exec(a), enc.exec(b), V.eq(enc.pa[a], enc.pa[b])),
                             enc.read_of[b].M >= enc.read_of[a].M))


@rule("coherence-read-write", "A load is ordered before every po-later store of its CPU "
      "to the same location: it reads a write coherence-before that store (CoRW) and is "
      "satisfied before the store is visible to other observers (herd7 lmws: "
      "[Exp & M]; po & same-loc; [Exp & W] is in ob; Arm ARM B2.3 Local write successor).")
def corw(enc):
    from ..vsa import may_equal
    for tr in enc.traces:
        evs = [e for e in tr.events if isinstance(e, Access) and not e.fetch]
        for i, r in enumerate(evs):
            if r.is_store or r not in enc.read_of:
                continue
            rd = enc.read_of[r]
            ra = enc.vsa.values(enc.pa[r])
            for w in evs[i + 1:]:
                if not w.is_store or w is r.rmw_w or w.size != r.size:
                    continue
                if not may_equal(ra, enc.vsa.values(enc.pa[w])):
                    continue
                enc.add("coherence-read-write",
                        _imp(_and(enc.exec(r), enc.exec(w), V.eq(enc.pa[r], enc.pa[w])),
                             _and(rd.M < enc.p[w], enc.pi[r] < enc.p[w])))


# ============================================================== barriers

@rule("dsb-completes-stores", "DSB (not DSB LD) completes every earlier store for the "
      "observers of its domain before it completes: NSH for the CPU's own walker, "
      "ISH/OSH/SY for every CPU and walker (Arm ARM B2.3.12, DSB; DESIGN: store "
      "visibility).")
def dsb_stores(enc):
    for b in _barriers(enc, "dsb"):
        for s in b.covers_local:
            enc.add("dsb-completes-stores",
                    _imp(_and(enc.happens(b), enc.exec(s)), enc.q[s] < b.t))
        for s in b.covers_global:
            enc.add("dsb-completes-stores",
                    _imp(_and(enc.happens(b), enc.exec(s)), enc.p[s] < b.t))


@rule("dsb-completes-loads", "DSB (SY/LD) completes every earlier load before it "
      "completes; no load after a DSB is satisfied before the DSB completes.")
def dsb_loads(enc):
    for b in _barriers(enc, "dsb"):
        for l in b.load_cover:
            if l.noret and b.types == "ld":
                continue                # herd7: [(Exp & R) \ NoRet];po;[dsb.ld]
            enc.add("dsb-completes-loads", _imp(_and(enc.happens(b), enc.exec(l)),
                                                enc.pi[l] < b.t))
    for l in enc.loads:
        for d in l.last_dsb:
            enc.add("dsb-completes-loads", _imp(_and(enc.happens(d), enc.exec(l)),
                                                enc.pi[l] > d.t))


@rule("dmb-orders", "DMB orders the accesses of its type before it with those after it "
      "for every other observer (herd7 bob: dmb.full, dmb.st, dmb.ld).  It does not make "
      "stores visible to walkers by itself.  DMB NSH orders nothing for other CPUs.")
def dmb_orders(enc):
    B = enc.dmb_time
    for b in _barriers(enc, "dmb"):
        B[b] = TV.var(f"B_{b.cpu}_{b.index}")
    for b, Bd in B.items():
        if not b.global_domain:
            continue
        h = enc.happens(b)
        for x in b.dmb_cover:
            v = _after_time(enc, x, b.types, before=True)
            if v is not None:
                enc.add("dmb-orders", _imp(_and(h, enc.exec(x)), v < Bd))
        for prev in b.dmb_prev:
            if prev in B:
                enc.add("dmb-orders", _imp(_and(h, enc.happens(prev)), B[prev] < Bd))
    for x in enc.accesses:
        for b in x.dmb_before:
            if b not in B or not b.global_domain:
                continue
            v = _after_time(enc, x, b.types, before=False)
            if v is not None:
                enc.add("dmb-orders", _imp(_and(enc.happens(b), enc.exec(x)), v > B[b]))


def _after_time(enc, x, types, *, before: bool):
    """The time at which access x takes effect for other observers, if a DMB of
    `types` orders it on that side."""
    if x.is_store:
        if types == "ld" and before:
            return None
        return enc.p[x]
    if types == "st":
        return None
    if types == "ld" and before and x.noret:
        return None                     # herd7: [Exp & (R \ NoRet)];po;[dmb.ld]
    return enc.pi[x]


@rule("acquire-release", "Load-acquire orders later accesses after it; store-release "
      "orders earlier accesses before it; a store-release is ordered before a po-later "
      "load-acquire with RCsc semantics (LDAR, not LDAPR) (herd7 bob: [A|Q];po, po;[L], "
      "[L];po;[A]).")
def acquire_release(enc):
    for x in enc.accesses:
        if x.is_store and x.release:
            for y in enc.later(x, Access):
                if not y.is_store and not y.fetch and y.acquire is True and y in enc.pi:
                    enc.add("acquire-release", _imp(_and(enc.exec(x), enc.exec(y)),
                                                    enc.pi[y] > enc.p[x]))
        if not x.is_store and x.acquire:
            for y in enc.later(x, Access):
                if y.fetch:
                    continue
                v = enc.p[y] if y.is_store else enc.pi[y]
                enc.add("acquire-release", _imp(_and(enc.exec(x), enc.exec(y)), v > enc.pi[x]))
        if x.is_store and x.release:
            for y in enc.earlier(x, Access):
                if y.fetch:
                    continue
                v = enc.p[y] if y.is_store else enc.pi[y]
                enc.add("acquire-release", _imp(_and(enc.exec(x), enc.exec(y)), v < enc.p[x]))


@rule("dependencies", "Address, data and control dependencies: a store is not made "
      "visible before the loads its address, data or a po-earlier branch depend on are "
      "satisfied; a load is not satisfied before the loads its address depends on "
      "(herd7 dob: addr, data, ctrl;[W]).")
def dependencies(enc):
    for x in enc.accesses:
        if x.is_store:
            for l in x.addr_deps | x.pick_deps | x.data_deps | x.ctrl:
                if l in enc.pi:
                    enc.add("dependencies", _imp(_and(enc.exec(x), enc.exec(l)),
                                                 _and(enc.q[x] > enc.pi[l])))
        else:
            for l in x.addr_deps:
                if l in enc.pi:
                    enc.add("dependencies", _imp(_and(enc.exec(x), enc.exec(l)),
                                                 enc.pi[x] > enc.pi[l]))


@rule("isb-orders", "ISB is a context synchronization event: loads that a po-earlier "
      "branch depends on are satisfied before it (herd7 IFB-ob: ctrl;[ISB]), and so are "
      "the loads the address of a po-earlier access depends on (addr;[M];po;[ISB] and "
      "pick-addr-dep;[M];po;[ISB]), and no load after it is satisfied before it.")
def isb_orders(enc):
    for tr in enc.traces:
        for i in tr.events:
            if isinstance(i, ISBEvent) and not isinstance(i, FaultEntry):
                _ctrl_loads_before(enc, "isb-orders", i)
    for l in enc.loads:
        for i in l.last_isb:
            if isinstance(i, FaultEntry):
                continue                # rule exception-entry-syncs
            enc.add("isb-orders", _imp(_and(enc.happens(i), enc.exec(l)), enc.pi[l] > i.t))


@rule("load-after-issue", "A load is satisfied no earlier than the translation it uses "
      "was looked up; loads that no rule orders may be satisfied early or late.")
def load_time(enc):
    for l in enc.loads:
        enc.add("load-after-issue", enc.pi[l] >= enc.u[l])
        enc.add("load-after-issue", enc.pi[l] >= 1)


# ============================================================== exclusives

def _no_write_between(enc, w, lo, hi):
    """No write to w's location has its coherence position strictly between lo and
    hi (the atomicity of a read-modify-write whose read read at position lo)."""
    from ..vsa import may_equal
    out = []
    for o in enc.writes:
        if o is w or o.size != w.size:
            continue
        if not may_equal(enc.vsa.values(enc.pa[o]), enc.vsa.values(enc.pa[w])):
            continue
        out.append(z3.Not(_and(enc.exec(o), V.eq(enc.pa[o], enc.pa[w]),
                               lo < enc.p[o], enc.p[o] < hi)))
    return out


@rule("exclusive-atomic", "A store-exclusive succeeds only if no other store to the "
      "location came between the store its load-exclusive read and itself in coherence "
      "order (the monitor was not cleared); it may always fail (herd7: atomic).")
def exclusives(enc):
    for s in enc.stores:
        if not s.exclusive or s.status is None or s.atomic:
            continue
        st = V.to_z3(s.status)
        enc.add("exclusive-atomic", z3.Or(st == 0, st == 1))
        l = s.pair
        if l is None or l not in enc.read_of:
            enc.add("exclusive-atomic", st == 1)
            continue
        rd = enc.read_of[l]
        conds = [enc.happens(l), V.eq(enc.pa[l], enc.pa[s]), enc.p[s] > rd.M]
        conds += _no_write_between(enc, s, rd.M, enc.p[s])
        enc.add("exclusive-atomic", _imp(_and(enc.happens(s), st == 0), _and(*conds)))


@rule("atomic-rmw", "An LSE atomic (CAS, SWP, LD<op>, ST<op>) is a single-copy-atomic "
      "read-modify-write: no other write to the location comes between the write its "
      "read reads from and its own write in coherence order, its read is satisfied "
      "before its write is visible, and before a po-later acquire read of the location "
      "with no write in between (Arm ARM B2.2.1 single-copy atomicity, B2.3 "
      "Atomic-ordered-before; herd7 `atomic`, aob: rmw, rmw;lmrs;[A|Q]).  A CAS whose "
      "comparison fails writes nothing or writes back the value read.")
def atomic_rmw(enc):
    from ..vsa import may_equal
    for s in enc.stores:
        if not s.atomic:
            continue
        l = s.pair
        st = V.to_z3(s.status)
        enc.add("atomic-rmw", z3.Or(st == 0, st == 1))
        rd = enc.read_of[l]
        ex = enc.exec(s)
        conds = [enc.exec(l), enc.p[s] > rd.M, enc.q[s] > enc.pi[l]]
        conds += _no_write_between(enc, s, rd.M, enc.p[s])
        enc.add("atomic-rmw", _imp(ex, _and(*conds)))
        # rmw;lmrs;[A|Q]: a later acquire read of the location, no write of the CPU to
        # it in between (only where none may come between: ordering less is sound)
        for y in enc.later(s, Access):
            if y.fetch:
                continue
            if y.is_store:
                if may_equal(enc.vsa.values(enc.pa[y]), enc.vsa.values(enc.pa[s])):
                    break
                continue
            if y.acquire and y in enc.pi:
                enc.add("atomic-rmw", _imp(_and(ex, enc.exec(y), V.eq(enc.pa[y], enc.pa[s])),
                                           enc.pi[y] > enc.pi[l]))


@rule("amo-acquire-release", "The write of an atomic whose read is an acquire and whose "
      "write is a release (SWPAL, LD<op>AL, CASAL that writes) is ordered before every "
      "po-later access and fault of its PE: with the release half (everything before "
      "it) the instruction is a full barrier (herd7 bob: "
      "[range([A];amo;[L])];po;[M | MMU & FAULT]; Arm ARM B2.3 Barrier-ordered-before).")
def amo_acquire_release(enc):
    for s in enc.stores:
        if not (s.atomic and s.release and s.pair.acquire):
            continue
        ex = enc.exec(s)
        for y in enc.later(s, Access):
            if y.fetch:
                continue
            v = enc.p[y] if y.is_store else enc.pi[y]
            enc.add("amo-acquire-release", _imp(_and(ex, enc.exec(y)), v > enc.p[s]))
            f = enc.fault.get(y, False)
            if (y in enc.chain_of and V.concrete_bool(f) is not False):
                enc.add("amo-acquire-release",
                        _imp(_and(ex, enc.happens(y), f), fault_time(enc, y) > enc.p[s]))


# ============================================================== system registers

@rule("sysreg-in-effect", "A write to a translation control register (TTBRn, TCR, "
      "SCTLR, MAIR) is only guaranteed to be used by translation after a context "
      "synchronization event on that CPU; until then either value may be used "
      "(Arm ARM D8.x, synchronization of system register writes).")
def sysreg_in_effect(enc):
    # constraints are added by Encoding.sysreg_in_effect at each use
    pass


@rule("lookup-asid", "A non-global TLB entry is used only by a lookup under its ASID, and "
      "a walk goes on from walk-cache entries only under theirs: the ASID the ASID's TTBR "
      "may give (TTBR0_EL1.ASID, or TTBR1_EL1.ASID with TCR_EL1.A1 = 1; any value "
      "sysreg-in-effect allows) when the walk "
      "reads its last level, and at the lookup of a non-global leaf, is the one the walk "
      "ran under.  An entry filled under the old ASID before a context switch's ISB is "
      "not used after it under the new ASID (Arm ARM D8.16, ASIDs: non-global entries, "
      "and entries from levels above the final one, are tagged with the ASID).")
def lookup_asid(enc):
    # constraints are added by Encoding._translate at each access (EL1&0 regime only)
    pass


@rule("msr-not-speculative", "A system register write does not take effect before the "
      "branches before it are resolved (it is not performed speculatively).")
def msr_not_speculative(enc):
    for tr in enc.traces:
        for w in tr.events:
            if isinstance(w, SysRegWrite):
                _ctrl_loads_before(enc, "msr-not-speculative", w)


# ============================================================== translation

@rule("walk-order", "A translation table walk reads level k+1 after level k (its address "
      "comes from level k); the first level's table base comes from the TTBR in effect "
      "at that time.")
def walk_order(enc):
    for ch in enc.chains:
        ks = ch.levels
        for a, b in zip(ks, ks[1:]):
            enc.add("walk-order", ch.r[a] <= ch.r[b])
        start = 0 if enc.scen.initial_tlb in ("any", "stale") else 1
        enc.add("walk-order", ch.r[ks[0]] >= start)


@rule("fill-needs-mmu", "TLB entries are filled only while the CPU's stage 1 MMU is on "
      "(SCTLR_ELx.M = 1 in effect for the walk); a CPU whose MMU is off fills nothing.  "
      "With initial_tlb = 'stale' the TLB may also start with entries of the initial "
      "tables whatever the MMU state (left by an earlier boot stage, or UNKNOWN after "
      "reset: TLBs are not invalidated by reset).")
def fill_needs_mmu(enc):
    sctlr = enc._regime_regs()[0]
    stale0 = enc.scen.initial_tlb == "stale"
    for ch in enc.chains:
        if ch.kind == "fresh":
            continue
        k0 = ch.levels[0]
        sc, cons = enc.sysreg_in_effect(ch.cpu, sctlr, ch.r[k0], ch.tag + "_fill")
        on = _and(cons, V.bit(sc, 0))
        if stale0:
            on = _or(ch.r[k0] == 0, on)
        enc.add("fill-needs-mmu", _imp(ch.active, on))


@rule("walks-run-ahead", "The translation an access uses may be looked up early: at any "
      "time after the last context synchronization event (ISB) before it in program "
      "order, so a DSB alone does not make a later access's walk see an earlier store "
      "(herd7: DSB-ob excludes Imp&TTD reads unless ETS2; IFB-ob orders them).")
def walks_run_ahead(enc):
    for a in enc.accesses:
        if a.fetch:
            continue                    # instruction fetches: rule fetch-translation
        u = enc.u[a]
        enc.add("walks-run-ahead", u <= a.t)
        enc.add("walks-run-ahead", u >= 0)
        for i in a.last_isb:
            if isinstance(i, FaultEntry):
                continue                # rule exception-entry-syncs
            enc.add("walks-run-ahead", _imp(_and(enc.happens(i), enc.happens(a)), u > i.t))
        if a.is_store:
            enc.add("walks-run-ahead", u <= enc.q[a])


@rule("addr-dep-orders-walks", "The translation of an access is looked up only once its "
      "address is known: after the loads its address depends on (herd7: pick-addr-dep; "
      "tr-ib, addr into the TTD read).")
def addr_dep_walks(enc):
    for a in enc.accesses:
        for l in a.addr_deps:
            if l in enc.pi:
                enc.add("addr-dep-orders-walks", _imp(_and(enc.exec(l), enc.happens(a)),
                                                      enc.u[a] > enc.pi[l]))


@rule("fetch-translation", "An instruction is fetched through the translation regime "
      "in effect, like a data access: its translation is looked up (TLB entry or walk) at "
      "any time after the last context synchronization event (ISB) before it in program "
      "order and no later than it executes — instructions may be prefetched, and only a "
      "context synchronization event makes later instructions be fetched again (Arm ARM "
      "C6.2 ISB; B2.2 'Instruction fetches'; D8.2.6 R_SPVBD for the tables it reads).  A "
      "fetch that finds no valid translation is a Prefetch Abort (translation fault): the "
      "instruction does not execute.  FEAT_ETS2 does not apply to fetches.")
def fetch_translation(enc):
    for a in enc.fetches:
        u = enc.u[a]
        enc.add("fetch-translation", u <= a.t)
        enc.add("fetch-translation", u >= 0)
        for i in a.last_isb:
            if isinstance(i, FaultEntry):
                continue                # rule exception-entry-syncs
            enc.add("fetch-translation", _imp(_and(enc.happens(i), enc.happens(a)), u > i.t))


@rule("ets2-dsb-orders-walks", "FEAT_ETS2: a DSB orders earlier accesses and TLB "
      "maintenance before the translation table walks of later accesses of the same CPU "
      "(herd7 DSB-ob with ETS2: ...;[dsb];po;[Imp & TTD & M]).")
def ets2_dsb(enc):
    if not enc.features.ets2:
        return
    for a in enc.accesses:
        if a.fetch:
            continue                    # ETS2 is about explicit accesses
        for d in a.last_dsb:
            enc.add("ets2-dsb-orders-walks", _imp(_and(enc.happens(d), enc.happens(a)),
                                                  enc.u[a] > d.t))


@rule("tlb-entry-lifetime", "A TLB entry (a walk-cache entry for a table descriptor, or a "
      "last-level entry) read at some time can be used later as long as no TLBI that "
      "must invalidate it has been performed on that CPU in between; the access uses the "
      "leaf entry at its lookup time u (herd7: TLBI-ca, TTD reads not in `obs` "
      "otherwise).")
def tlb_lifetime(enc):
    for a, ch in enc.chain_of.items():
        u = enc.u[a]
        ks = ch.levels
        for i, k in enumerate(ks):
            # a table entry at level k lives until level k+1 is read from it
            if i + 1 < len(ks):
                nxt = ks[i + 1]
                enc.add("tlb-entry-lifetime",
                        _imp(_and(ch.active, ch.reach[nxt]),
                             enc.chain_alive(ch, k, False, ch.r[k], ch.r[nxt])))
            # a usable leaf at level k lives until the lookup
            enc.add("tlb-entry-lifetime",
                    _imp(_and(ch.active, ch.ok[k]),
                         _and(ch.r[k] <= u, enc.chain_alive(ch, k, True, ch.r[k], u))))


@rule("fault-walk-fresh", "A translation fault is taken on a walk that reads the invalid "
      "descriptor at the access's lookup time: invalid descriptors are never cached in a "
      "TLB, so the faulting read sees the latest value visible to the walker then "
      "(herd7: TLBUncacheable-ca).")
def fault_fresh(enc):
    for a, ch in enc.chain_of.items():
        u = enc.u[a]
        for k in ch.levels:
            usable = enc.usable(ch, k)
            faults_here = V.bool_and(ch.end[k], V.bool_not(usable))
            enc.add("fault-walk-fresh", _imp(_and(ch.active, faults_here), ch.r[k] == u))


def fault_time(enc, a):
    """The time at which access `a` takes its translation or access-flag fault (herd's
    MMU & FAULT event): a variable of its own, created on first use."""
    fz = enc.__dict__.setdefault("fz", {})
    if a not in fz:
        fz[a] = TV.var(f"fz_{a.cpu}_{a.index}")
    return fz[a]


def _fault_levels(enc, ch):
    """[(level, the walk ends there on an invalid or AF=0 descriptor)]."""
    out = []
    for k in ch.levels:
        usable = enc.usable(ch, k)
        out.append((k, V.bool_and(ch.end[k], V.bool_not(usable))))
    return out


@rule("fault-ordered", "A translation, access-flag or permission fault is an effect of its "
      "own, taken after the lookup of the translation (herd7 tr-ib) and ordered like an "
      "access by barriers: after the accesses a DMB orders (DMB SY/ISH/OSH: all; DMB LD: "
      "loads; DMB ST: stores), after a load-acquire, after a DSB (herd7 bob: "
      "...;[dmb.full|dmb.ld|dmb.st];po;[MMU & FAULT], [A|Q];po;[MMU & FAULT]; DSB-ob "
      "orders everything but TTD reads; Arm ARM B2.3 Barrier-ordered-before).  Data and "
      "control dependencies do not order it (herd7 dob targets explicit accesses only), "
      "nor does a release: the fault may be taken early, on a walk run ahead (an address "
      "dependency orders the walk itself: rule addr-dep-orders-walks).")
def fault_ordered(enc):
    for a, ch in enc.chain_of.items():
        f = enc.fault.get(a, False)
        if V.concrete_bool(f) is False or getattr(a, "fetch", False):
            continue
        fz = fault_time(enc, a)
        flt = _and(enc.happens(a), f)
        enc.add("fault-ordered", _imp(flt, _and(fz >= enc.u[a], fz >= 1)))
        for b in a.dmb_before:
            if not b.global_domain:
                continue
            Bd = TV.var(f"B_{b.cpu}_{b.index}")
            enc.add("fault-ordered", _imp(_and(flt, enc.happens(b)), fz > Bd))
        for d in a.last_dsb:
            enc.add("fault-ordered", _imp(_and(flt, enc.happens(d)), fz > d.t))
        for x in enc.earlier(a, Access):
            if not x.is_store and x.acquire and x in enc.pi:
                enc.add("fault-ordered", _imp(_and(flt, enc.exec(x)), fz > enc.pi[x]))


@rule("ets2-no-stale-fault", "FEAT_ETS2: an access cannot take a translation fault that a "
      "po-earlier store of the same CPU to the descriptor would have removed, even with "
      "no barrier in between (herd7 ets-ob; Arm's ETS2.CoWR0+posptev1p-fripptev1 is "
      "Forbidden).")
def ets2_fault(enc):
    if not enc.features.ets2:
        return
    from ..vsa import may_equal
    for a, ch in enc.chain_of.items():
        if a.fetch:
            continue                    # ETS2 is about explicit accesses
        own_before = [s for s in enc.stores if s.cpu == a.cpu and s.index < a.index]
        for k in ch.levels:
            rd = ch.reads[k]
            usable = enc.usable(ch, k)
            faults_here = V.bool_and(ch.end[k], V.bool_not(usable))
            for s in own_before:
                if not may_equal(enc.vsa.values(enc.pa[s]), enc.vsa.values(rd.addr)):
                    continue
                enc.add("ets2-no-stale-fault",
                        _imp(_and(faults_here, enc.exec(s), V.eq(enc.pa[s], rd.addr)),
                             rd.M >= enc.p[s]))


# ============================================================== TLB maintenance

@rule("tlbi-performed", "A TLBI is performed on each CPU in its scope (the issuer; every "
      "CPU for the IS/OS forms) at some time after it is issued and after the loads its "
      "operand or a po-earlier branch depend on; until then TLBs may keep and refill "
      "entries.")
def tlbi_performed(enc):
    for (t, c), inv in enc.inv.items():
        enc.add("tlbi-performed", inv >= t.t)
        for l in t.deps | t.ctrl:
            if l in enc.pi:
                enc.add("tlbi-performed", _imp(_and(enc.exec(l), enc.happens(t)),
                                               inv > enc.pi[l]))


@rule("dsb-completes-tlbi", "A TLBI is complete once a later DSB (one that orders loads "
      "and stores: not DSB ST/LD) of a sufficient domain completes on the issuing CPU: any "
      "domain for its effect on the issuer's own TLB, ISH/OSH/SY for a broadcast's effect "
      "on the other CPUs (Arm ARM B2.3.12 / D8.17 \"completion of TLB maintenance\").")
def dsb_completes_tlbi(enc):
    for b in _barriers(enc, "dsb"):
        h = enc.happens(b)
        for t in b.completes_local:
            inv = enc.inv.get((t, t.cpu))
            if inv is not None:
                enc.add("dsb-completes-tlbi", _imp(_and(h, enc.happens(t)), inv < b.t))
        for t in b.completes_global:
            for c in TL.targets(t.effect, t.cpu, enc.ncpus):
                enc.add("dsb-completes-tlbi", _imp(_and(h, enc.happens(t)),
                                                   enc.inv[(t, c)] < b.t))


def _completed_on(enc, b):
    """(TLBI, CPU) pairs the DSB b completes: a local TLBI on its own CPU, a broadcast
    one on every CPU in its scope."""
    out = [(t, t.cpu) for t in b.completes_local]
    out += [(t, c) for t in b.completes_global
            for c in TL.targets(t.effect, t.cpu, enc.ncpus)]
    return out


@rule("tlbi-waits-for-users", "A TLBI is not complete until every access of another CPU "
      "that used an entry it removes has been performed, and every fault of another CPU "
      "taken on a descriptor read before the TLBI was performed there has been taken: the "
      "DSB that completes it waits for them (herd7 TLBI-ob: tr-ib^-1; "
      "TTD-read-ordered-before & ext, where tr-ib^-1 starts from an explicit access or an "
      "MMU fault).  The issuing CPU's own later accesses may still use an entry looked up "
      "before the TLBI.")
def tlbi_waits(enc):
    for b in _barriers(enc, "dsb"):
        hb = enc.happens(b)
        for t, c in _completed_on(enc, b):
            inv = enc.inv.get((t, c))
            if inv is None:
                continue
            for a, ch in enc.chain_of.items():
                if a.cpu != c or a.cpu == t.cpu or a.fetch:
                    continue
                done = enc.p[a] if a.is_store else enc.pi[a]
                w = a.rmw_w          # an atomic's write used the same translation
                for k in ch.levels:
                    m = TL.matches(t.effect, enc.features, va=ch.va, level=k, leaf=True,
                                   is_global=enc.entry_global(ch, k), asid=ch.asid,
                                   regime_el=enc.regime.el)
                    if V.concrete_bool(m) is False:
                        continue
                    enc.add("tlbi-waits-for-users",
                            _imp(_and(hb, enc.happens(t), enc.exec(a), ch.ok[k], m,
                                      ch.r[k] < inv), done < b.t))
                    if w is not None:
                        enc.add("tlbi-waits-for-users",
                                _imp(_and(hb, enc.happens(t), enc.exec(w), ch.ok[k], m,
                                          ch.r[k] < inv), enc.p[w] < b.t))
                    if V.concrete_bool(ch.perm) is not False:
                        # a Permission fault taken with that entry
                        enc.add("tlbi-waits-for-users",
                                _imp(_and(hb, enc.happens(t), enc.happens(a), ch.perm,
                                          ch.ok[k], m, ch.r[k] < inv),
                                     fault_time(enc, a) < b.t))
                f = enc.fault.get(a, False)
                if V.concrete_bool(f) is False:
                    continue
                for k, faults_here in _fault_levels(enc, ch):
                    # no entry: matched as a non-global translation of the walk's ASID
                    m = TL.matches(t.effect, enc.features, va=ch.va, level=k,
                                   leaf=k == ch.levels[-1], is_global=False, asid=ch.asid,
                                   regime_el=enc.regime.el)
                    if V.concrete_bool(m) is False:
                        continue
                    enc.add("tlbi-waits-for-users",
                            _imp(_and(hb, enc.happens(t), enc.happens(a), faults_here, m,
                                      ch.r[k] < inv), fault_time(enc, a) < b.t))


@rule("tlbi-orders-same-va-walks", "If an access of another CPU used a translation read "
      "before a TLBI that removes it was performed there, the translation table reads of "
      "that CPU's po-earlier accesses to the same VA are ordered before the DSB that "
      "completes the TLBI too: a CPU cannot translate a VA with a descriptor written after "
      "the break, then translate it again with one from before it (herd7 TLBI-ob, third "
      "clause: [Imp & TTD & R]; tr-ib; same-low-order-bits & po; tr-ib^-1; "
      "TTD-read-ordered-before & ext; Arm ARM B2.3 TLBI-ordered-before).  Both are "
      "memory effects: an access that faults is not related (herd's same-low-order-bits "
      "is over E-valid-PA).  Arm relates accesses whose VAs have the same low-order bits; "
      "we relate accesses to the same VA only, which orders less.")
def tlbi_same_va(enc):
    from ..vsa import may_equal
    for b in _barriers(enc, "dsb"):
        hb = enc.happens(b)
        for t, c in _completed_on(enc, b):
            inv = enc.inv.get((t, c))
            if inv is None or c == t.cpu:
                continue
            accs = [a for a in enc.traces[c].events
                    if isinstance(a, Access) and a in enc.chain_of
                    and not getattr(a, "fetch", False)]
            for j, e2 in enumerate(accs):
                ch2 = enc.chain_of[e2]
                # E2 read a descriptor the TLBI's scope covers before it was performed
                old = []
                for k in ch2.levels:
                    m = TL.matches(t.effect, enc.features, va=ch2.va, level=k, leaf=True,
                                   is_global=enc.entry_global(ch2, k), asid=ch2.asid,
                                   regime_el=enc.regime.el)
                    if V.concrete_bool(m) is not False:
                        old.append(_and(ch2.ok[k], m, ch2.r[k] < inv))
                if not old:
                    continue
                used_old = _or(*old)
                for e1 in accs[:j]:
                    if not may_equal(enc.vsa.values(e1.va), enc.vsa.values(e2.va)):
                        continue
                    ch1 = enc.chain_of[e1]
                    enc.add("tlbi-orders-same-va-walks",
                            _imp(_and(hb, enc.happens(t), enc.exec(e1), ch1.active,
                                      enc.exec(e2), ch2.active, V.eq(e1.va, e2.va),
                                      used_old),
                                 _and(*[_imp(ch1.reach[k], ch1.r[k] < b.t)
                                        for k in ch1.levels])))


# ============================================================== hardware Access flag

@rule("hw-af-update", "With hardware management of the Access flag (FEAT_HAFDBS, "
      "TCR_ELx.HA = 1) a walk that finds a valid leaf with AF = 0 does not fault: the "
      "walker writes the descriptor back with AF = 1, atomically with the read that "
      "found it (no other write to the descriptor between them in coherence order), "
      "after that read; the access then proceeds (Arm ARM: hardware management of the "
      "Access flag, FEAT_HAFDBS; B2.3 Atomic-ordered-before; herd7 `atomic`: rmw & (fr;co) empty, aob: "
      "[Imp & TTD & R]; rmw; [HU]).  The update is visible to every observer at once, "
      "with no forwarding (herd7 TTD-obs: [Imp & TTD]; rf).  With hardware dirty-state "
      "management (TCR_ELx.HD, Features.hw_db) the same update also makes a writable-clean "
      "leaf (AP[2] = 1, DBM = 1) dirty for a store or an atomic (herd7 set_afdb).")
def hw_af_update(enc):
    for hu in enc.hus:
        if hu.spurious:
            continue
        rd, p = hu.read, enc.p[hu]
        conds = [p > rd.time, p > rd.M] + _no_write_between(enc, hu, rd.M, p)
        enc.add("hw-af-update", _imp(hu.cond, _and(*conds)))


@rule("hw-af-ordered", "A hardware Access-flag update is ordered like a store for the "
      "few clauses of Arm's model that name it: after the loads the access's address or "
      "a po-earlier branch depends on, after the loads earlier accesses' addresses "
      "depend on and the translation table reads of earlier accesses (herd7 dob/pob: "
      "addr;[HU], ctrl;[HU], addr;[Exp & M];po;[HU], [Imp & TTD & R];tr-ib;[Exp & M];po;"
      "[HU]; lmws), after a po-earlier ISB (IFB-ob) and, with FEAT_ETS2, DSB "
      "(DSB-ob into Imp & TTD & M), and before a po-later DSB SY/ISH/OSH/NSH completes "
      "(DSB-ob: [M];po;[dsb.full]).  Barriers DMB, acquire and release do not order it "
      "(herd7 bob names explicit effects only), nor does a DSB before it without ETS2.")
def hw_af_ordered(enc):
    for hu in enc.hus:
        if hu.spurious:
            continue
        a, p, ex = hu.access, enc.p[hu], hu.cond

        def after(c, t):
            enc.add("hw-af-ordered", _imp(_and(ex, c), p > t))
        for l in a.addr_deps | a.pick_deps | a.ctrl:
            if l in enc.pi:
                after(enc.exec(l), enc.pi[l])
        for e in enc.earlier(a, Access):
            if e.fetch:
                continue
            for l in e.addr_deps | e.pick_deps:
                if l in enc.pi:
                    after(_and(enc.exec(e), enc.exec(l)), enc.pi[l])
            ch = enc.chain_of.get(e)
            if ch is not None:
                for k in ch.levels:
                    after(_and(enc.exec(e), ch.active, ch.reach[k]), ch.r[k])
        for i in a.last_isb:
            after(enc.happens(i), i.t)
        if enc.features.ets2:
            for d in a.last_dsb:
                after(enc.happens(d), d.t)
        for b in enc.later(a, Barrier):
            if b.op == "dsb" and b.types == "all":
                enc.add("hw-af-ordered", _imp(_and(ex, enc.happens(b)), p < b.t))


@rule("hw-af-spurious", "While some PE manages the Access flag in hardware, AF may be set "
      "by a walk that belongs to no access of the program (a speculative walk): after a "
      "write of a valid leaf with AF = 0 to a translation table, or after such an initial "
      "descriptor, an update that sets AF may follow it, at most once per write, "
      "atomically (no write between them in coherence order), at any later time -- except "
      "after the write-back of a failed compare-and-swap, which wrote what it read (herd7: "
      "spurious `setaf` events added after every explicit write of a valid AF = 0 "
      "descriptor; Arm's SpecAF, TwoPhantoms are Allowed).")
def hw_af_spurious(enc):
    for hu in enc.hus:
        if not hu.spurious:
            continue
        p = enc.p[hu]
        lo = enc.p[hu.source] if hu.source is not None else TV.num(0)
        conds = [p > lo, p >= 1] + _no_write_between(enc, hu, lo, p)
        enc.add("hw-af-spurious", _imp(hu.cond, _and(*conds)))


# ============================================================== helpers

def _barriers(enc, op):
    for tr in enc.traces:
        for e in tr.events:
            if isinstance(e, Barrier) and e.op == op:
                yield e


ALL = [po_time, fault_stops, retry_no_fault, exception_entry_syncs, store_visibility, walks_read_global,
       coherence, corr, corw,
       dsb_stores, dsb_loads, dmb_orders, acquire_release, dependencies, isb_orders, load_time, exclusives,
       atomic_rmw, amo_acquire_release,
       msr_not_speculative, walk_order, fill_needs_mmu, walks_run_ahead, addr_dep_walks,
       fetch_translation, ets2_dsb, tlbi_waits, tlbi_same_va,
       tlb_lifetime, fault_fresh, fault_ordered, ets2_fault, tlbi_performed,
       dsb_completes_tlbi, hw_af_update, hw_af_ordered, hw_af_spurious]


def apply_all(enc):
    retry_taken(enc)                    # structure, not a rule
    for f in ALL:
        if f.rule_name in enc.disabled:
            continue
        f(enc)
