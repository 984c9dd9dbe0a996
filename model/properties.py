"""The properties bbmcheck proves, each as the Z3 condition of its violation.

A violation is existential: some execution, some CPU, some TLB entry.  Properties
about TLB contents use *witness walks* — walks of the tracked VA (any VA the
scenario's tables map, chosen by the solver) on each CPU, which the solver may
"switch on" to exhibit an entry.

  bbm        a valid descriptor is replaced by a different valid one where
             break-before-make is required, and the new value becomes visible to
             a walker while some CPU whose MMU may be on holds an entry read from
             the old one (or can still fill one).
  conflict   a TLB holds two entries that match one VA in one translation
             context and differ (output, attributes, size, table address).
  fault      an access finds no valid translation (translation/access-flag fault).
  stale      an access to a VA the scenario names uses an entry that a walk of
             memory as its walker sees at that time would not give.
  post       a postcondition of the scenario fails when every CPU has returned.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import z3

from . import timevars as TV
from . import values as V
from .encode import And, Chain, Encoding, Implies, Or, Read, zb
from .events import Access, Return, Stop
from .vmsa import descriptor as D
from .vsa import may_equal

# property name -> (title, Arm reference)
PROPERTIES = {
    "bbm": ("break-before-make violated",
            "Arm ARM D8.17.1, R_DDMVT/R_WHZWS (break-before-make): a valid descriptor is "
            "replaced by another valid one that differs in output address, memory type, "
            "shareability, nG, Contiguous or block size while it may be cached"),
    "conflict": ("conflicting TLB entries",
                 "Arm ARM D8.17 (TLB conflict aborts): two entries matching one VA in one "
                 "translation context give different translations"),
    "fault": ("unexpected translation fault",
              "Arm ARM, VMSAv8-64 MMU faults: a walk that reads an invalid descriptor "
              "gives a Translation fault; a descriptor with AF=0, without hardware "
              "Access flag updates, an Access flag fault"),
    "stale": ("stale translation used",
              "the access uses a TLB entry that no longer matches memory as its walker "
              "sees it"),
    "post": ("postcondition failed", "the scenario's postcondition"),
}


@dataclass
class Violation:
    """The condition of a violation plus the pieces a trace needs to explain it."""
    prop: str
    cond: object
    parts: list = field(default_factory=list)   # (condition, description dict) alternatives


# --------------------------------------------------------------------------- witness walks

def tracked_va(enc: Encoding):
    """The tracked VA: one of the scenario's candidate VAs, chosen by the solver."""
    v = getattr(enc, "_tracked", None)
    if v is not None:
        return v
    vas = sorted(set(enc.scen.tracked_vas))
    v = V.var("tracked_va", 64)
    enc._tracked = v
    if vas:
        enc.vsa.set_var("tracked_va", frozenset(vas))
        enc.add("tracked-va", Or(*[V.to_z3(v) == a for a in vas]))
    return v


def witness_chains(enc: Encoding, cpu: int, n: int = 2) -> list[Chain]:
    """Witness walks of the tracked VA on `cpu` (created once, before the read
    value-sets are computed)."""
    key = ("wit", cpu)
    cache = enc.__dict__.setdefault("_witness", {})
    if key in cache:
        return cache[key]
    va = tracked_va(enc)
    out = []
    for i in range(n):
        ch = enc.walk(cpu, va, f"wit{cpu}_{i}", kind="witness")
        ch.active = z3.Bool(f"active_wit{cpu}_{i}")
        out.append(ch)
    cache[key] = out
    return out


def fresh_chain(enc: Encoding, a: Access) -> Chain:
    """A walk of a's VA with every level read at a's lookup time (no TLB)."""
    cache = enc.__dict__.setdefault("_fresh", {})
    if a in cache:
        return cache[a]
    ch = enc.walk(a.cpu, a.va, f"fresh{a.cpu}_{a.index}", kind="fresh", before=a.index)
    ch.active = enc.happens(a)
    for k in ch.levels:
        enc.add("fresh-walk", ch.r[k] == enc.u[a])
    cache[a] = ch
    return ch


def prepare(enc: Encoding, props) -> None:
    """Create the witness structures the properties need (before Encoding.build
    computes value sets and reads)."""
    if "bbm" in props or "conflict" in props or "post" in props:
        for c in range(enc.ncpus):
            witness_chains(enc, c)
    if "stale" in props and enc.scen.stale_vas:
        # the property names pages (`stale`: VA[63:12]), so an access anywhere in a
        # named page is looked at, not only one at the VA as written (before stop 20
        # an access at another offset of the page was never checked)
        wanted = {v >> 12 for v in enc.scen.stale_vas}
        for a in enc.accesses:
            vs = enc.vsa.values(a.va)
            if vs is None or {v >> 12 for v in vs} & wanted:
                if a in enc.chain_of:
                    fresh_chain(enc, a)


def witness_rules(enc: Encoding) -> None:
    """Timing rules of witness walks (as for access walks, guarded by `active`)."""
    for ch in enc.chains:
        if ch.kind != "witness":
            continue
        ks = ch.levels
        for i, k in enumerate(ks[:-1]):
            nxt = ks[i + 1]
            enc.add("tlb-entry-lifetime",
                    Implies(And(ch.active, ch.reach[nxt]),
                            enc.chain_alive(ch, k, False, ch.r[k], ch.r[nxt])))


def mmu_may_be_on(enc: Encoding, cpu: int, time, tag: str):
    sctlr = enc._regime_regs()[0]
    sc, cons = enc.sysreg_in_effect(cpu, sctlr, time, tag)
    return And(cons, V.bit(sc, 0))


def entry_at(enc: Encoding, ch: Chain, k: int):
    """The walk has a cacheable entry at level k: a table it walked through, or a
    valid leaf with AF set."""
    d = ch.d[k]
    usable_leaf = V.bool_and(D.is_leaf(d, k), D.access_flag(d))
    return V.bool_and(ch.reach[k], V.bool_or(D.is_table(d, k), usable_leaf))


# --------------------------------------------------------------------------- properties

def fault(enc: Encoding) -> Violation:
    parts = []
    for a, f in enc.fault.items():
        if V.concrete_bool(f) is False:
            continue
        parts.append((And(enc.happens(a), f), {"access": a}))
    return Violation("fault", Or(*[p for p, _ in parts]), parts)


def _descriptor_levels(enc: Encoding, s: Access):
    """For a store that may write a descriptor some walk reads: {level: [addresses]},
    or {level: None} where the value sets bound neither the store's address nor the
    walk's (the store may then write any descriptor of that level).  Walks read
    descriptors wherever the tables' values lead -- a table the spec does not
    declare (a page a routine has just made a table) included -- so the levels come
    from the witness walks' reads, not from the declared tables."""
    addrs = enc.vsa.values(enc.pa[s])
    by_level: dict = {}
    for c in range(enc.ncpus):
        for w in witness_chains(enc, c)[:1]:
            for k, rd in w.reads.items():
                ra = enc.vsa.values(rd.addr)
                if by_level.get(k, ()) is None:
                    continue
                if ra is None and addrs is None:
                    by_level[k] = None
                    continue
                hit = ra if addrs is None else addrs if ra is None else addrs & ra
                hit = {a for a in hit if a % 8 == 0}
                if hit:
                    by_level[k] = sorted(set(by_level.get(k, ())) | hit)
    return by_level


def coherence_predecessor(enc: Encoding, s: Access) -> Read:
    """A read of the value store s overwrites: the latest store before it in
    coherence order (or the initial value)."""
    cache = enc.__dict__.setdefault("_pred", {})
    if s in cache:
        return cache[s]
    rd = Read(name=f"old_{s.cpu}_{s.index}", addr=enc.pa[s], size=s.size, time=enc.p[s],
              observer=-1, walker=False)
    cands = []
    for o in enc.writes:
        if o is s or o.size != s.size:
            continue
        if may_equal(enc.vsa.values(enc.pa[o]), enc.vsa.values(enc.pa[s])):
            cands.append(o)
    init = enc.init_value(rd.addr, rd.size, rd.name)
    if init is None:
        init = V.var(f"init_{rd.name}", rd.size * 8)
    cons = [rd.sel.domain(len(cands)), rd.M >= 0]
    val, vis_all = init, []
    for i, o in enumerate(cands, 1):
        vis = And(enc.exec(o), enc.same_addr(o, rd.addr), enc.p[o] < enc.p[s])
        vis_all.append(vis)
        cons.append(Implies(vis, rd.M >= enc.p[o]))
        cons.append(Implies(rd.sel == i, And(vis, rd.M == enc.p[o])))
        val = V.ite(rd.sel == i, o.value, val)
    cons.append(Implies(rd.sel == 0, And(rd.M == 0, *[z3.Not(v) for v in vis_all])))
    cons.append(V.to_z3(rd.value) == V.to_z3(val))
    enc.add("read-latest-visible", And(*cons))
    rd.cands = cands
    cache[s] = rd
    return rd


def bbm(enc: Encoding) -> Violation:
    feats = enc.features
    parts = []
    for s in enc.stores:
        if s.size != 8:
            continue
        levels = _descriptor_levels(enc, s)
        if not levels:
            continue
        old = coherence_predecessor(enc, s).value
        new = s.value
        T = enc.q[s]                      # the new value reaches its first walker
        pa = V.to_z3(enc.pa[s])
        for k, addrs in levels.items():
            # (None: the store and the walk are both unbounded; `held` below pins the
            # walk's read to the store's address)
            at_level = True if addrs is None else Or(*[pa == a for a in addrs])
            change = And(D.is_valid(old, k), D.is_valid(new, k),
                         D.needs_bbm(old, new, k, feats))
            if V.concrete_bool(change) is False:
                continue
            for c in range(enc.ncpus):
                for w in witness_chains(enc, c)[:1]:
                    if k not in w.reads:
                        continue
                    rd = w.reads[k]
                    leaf = D.is_leaf(w.d[k], k)
                    rk = w.r[k]
                    held = And(w.active, entry_at(enc, w, k),
                               V.to_z3(rd.addr) == V.to_z3(enc.pa[s]),
                               V.to_z3(w.d[k]) == V.to_z3(old),
                               enc.chain_alive(w, k, leaf, rk, T),
                               mmu_may_be_on(enc, c, z3.If(rk > T, rk, T), f"bbm{s.index}_{c}"),
                               rk >= 0)
                    cond = And(enc.exec(s), at_level, change, held)
                    parts.append((cond, {"store": s, "cpu": c, "level": k, "witness": w,
                                         "old": old}))
    return Violation("bbm", Or(*[p for p, _ in parts]), parts)


def conflict(enc: Encoding) -> Violation:
    parts = []
    feats = enc.features
    for c in range(enc.ncpus):
        w1, w2 = witness_chains(enc, c)
        lv1, lv2 = TV.var(f"lv_{w1.tag}"), TV.var(f"lv_{w2.tag}")
        ks = w1.levels
        cons = [z3.Or([lv1 == k for k in ks]), z3.Or([lv2 == k for k in ks])]
        for w, lv in ((w1, lv1), (w2, lv2)):
            for k in ks:
                cons.append(Implies(lv == k, entry_at(enc, w, k)))
        X = TV.var(f"X_conflict_{c}")
        # both entries alive at X (each from its own read until X)
        for w, lv in ((w1, lv1), (w2, lv2)):
            for k in ks:
                leaf = D.is_leaf(w.d[k], k)
                cons.append(Implies(lv == k, And(w.r[k] <= X,
                                                 enc.chain_alive(w, k, leaf, w.r[k], X))))
        # same translation context: a global entry matches every ASID
        same_asid = V.eq(w1.asid, w2.asid)
        if V.concrete_bool(same_asid) is True:
            # one ASID (EL2/EL3, or no write of the ASID's TTBR): one context whatever is global.
            # Written as before stop 22, so that the formula of such checks (kpti's)
            # stays the one docs/performance.md measured: a formula of the same
            # meaning but another shape moved the fixmap mutants by +2-4 s
            ctx = Or(_entry_global(enc, w1, lv1, leaf_only=False),
                     _entry_global(enc, w2, lv2, leaf_only=False),
                     V.to_z3(w1.asid) == V.to_z3(w2.asid))
            same_asid = None
        else:
            ctx = Or(_entry_global(enc, w1, lv1), _entry_global(enc, w2, lv2),
                     zb(same_asid))
        # they differ at some level both entries cover: at the coarser entry's level
        # (a block against a page or a walk-cache entry is a size difference), or above
        # it, where both walks read table descriptors, if both of those walk-cache
        # entries are live at X too (a TLB holds no entry once it is invalidated)
        diffs = []
        for k in ks:
            both = And(lv1 >= k, lv2 >= k)
            if k < ks[-1]:
                # above both entries: walk-cache entries, each its walk's ASID's
                upper = And(lv1 > k, lv2 > k)
                live = And(enc.chain_alive(w1, k, False, w1.r[k], X),
                           enc.chain_alive(w2, k, False, w2.r[k], X))
                if same_asid is not None:
                    live = And(live, zb(same_asid))
                both = And(both, Or(z3.Not(upper), live))
            c1 = D.entry_content(w1.d[k], k)
            c2 = D.entry_content(w2.d[k], k)
            if feats.ng_policy == "arm-arm":
                # R_WHZWS: an nG change alone needs no break-before-make, so two entries
                # that differ only in nG are not in conflict (nG is the content's bit 0)
                hi = V.to_z3(c1).size() - 1
                c1, c2 = V.extract(c1, hi, 1), V.extract(c2, hi, 1)
            differ = V.ne(c1, c2)
            if feats.bbm_level >= 2:
                # FEAT_BBM level 2: a block-size change causes no TLB conflict abort
                differ = V.bool_and(differ, V.eq(V.extract(c1, 71, 71), V.extract(c2, 71, 71)))
            diffs.append(And(both, differ))
        cond = And(w1.active, w2.active, *cons, ctx, Or(*diffs),
                   mmu_may_be_on(enc, c, X, f"conf{c}"))
        parts.append((cond, {"cpu": c, "witnesses": (w1, w2), "levels": (lv1, lv2), "at": X}))
    return Violation("conflict", Or(*[p for p, _ in parts]), parts)


def _entry_global(enc, w, lv, leaf_only=True):
    """Is the witness's level-`lv` entry global, for the translation context of a
    conflict?  Only a global leaf is: an entry from a level above the final one is
    used for the ASID its walk ran under (TLBI ASIDE1's description removes it with
    that ASID's entries; R_CHVGJ treats it as non-global), so two of them read under
    different ASIDs are in different contexts.  (`leaf_only=False`: walk-cache entries
    too, the reading before stop 22, used only where it makes no difference.)"""
    out = []
    for k in w.levels:
        g = enc.entry_global(w, k)
        out.append(And(lv == k, zb(D.is_leaf(w.d[k], k)), zb(g)) if leaf_only
                   else And(lv == k, g))
    return Or(*out)


def stale(enc: Encoding) -> Violation:
    parts = []
    fresh = enc.__dict__.get("_fresh", {})
    for a, F in fresh.items():
        ch = enc.chain_of[a]
        # logical shift: a TTBR1 VA has its top bit set
        named = Or(*[z3.LShR(V.to_z3(a.va), 12) == (v >> 12) for v in enc.scen.stale_vas])
        differs = [F.fault]
        for k in ch.levels:
            same = And(F.end[k], V.eq(D.entry_content(F.d[k], k),
                                      D.entry_content(ch.d[k], k)))
            differs.append(And(ch.ok[k], z3.Not(zb(same))))
        cond = And(enc.exec(a), enc.mmu[a], z3.Not(zb(enc.fault[a])), named, Or(*differs))
        parts.append((cond, {"access": a, "fresh": F}))
    return Violation("stale", Or(*[p for p, _ in parts]), parts)


def postconditions(enc: Encoding) -> Violation:
    parts = []
    if not enc.scen.postconditions:
        return Violation("post", False, [])
    final = final_time(enc)
    for pc in enc.scen.postconditions:
        ok = pc.build(enc, final)
        parts.append((And(all_returned(enc, final), z3.Not(zb(ok))), {"post": pc}))
    return Violation("post", Or(*[p for p, _ in parts]), parts)


def final_time(enc: Encoding):
    T = getattr(enc, "_final", None)
    if T is None:
        T = TV.var("T_final")
        enc._final = T
    return T


def all_returned(enc: Encoding, T):
    """Every CPU returned before T, and every store it made is visible by then."""
    conds = []
    for tr in enc.traces:
        rets = [e for e in tr.events if isinstance(e, Return)]
        conds.append(Or(*[And(enc.happens(r), r.t < T) for r in rets]))
    for s in enc.writes:
        conds.append(Implies(enc.exec(s), enc.p[s] < T))
    return And(*conds)


def final_value(enc: Encoding, addr: int, size: int = 8):
    """The value at a physical address when every CPU has returned (a read after
    every store)."""
    cache = enc.__dict__.setdefault("_finalv", {})
    key = (addr, size)
    if key in cache:
        return cache[key]
    T = final_time(enc)
    rd = Read(name=f"final_{addr:x}_{size}", addr=V.const(addr, 64), size=size, time=T,
              observer=-1, walker=False)
    cands, mixed = enc._candidates(rd)
    enc.mixed.extend((rd, s) for s in mixed)    # (answered UNKNOWN where they can overlap)
    init = enc.init_value(rd.addr, size, rd.name)
    cons = [rd.sel.domain(len(cands)), rd.M >= 0]
    val, vis_all = init, []
    for i, s in enumerate(cands, 1):
        vis = And(enc.exec(s), enc.same_addr(s, rd.addr))
        vis_all.append(vis)
        cons.append(Implies(vis, rd.M >= enc.p[s]))
        cons.append(Implies(rd.sel == i, And(vis, rd.M == enc.p[s])))
        val = V.ite(rd.sel == i, s.value, val)
    cons.append(Implies(rd.sel == 0, And(rd.M == 0, *[z3.Not(v) for v in vis_all])))
    cons.append(V.to_z3(rd.value) == V.to_z3(val))
    enc.add("read-latest-visible", And(*cons))
    cache[key] = rd.value
    return rd.value


BUILDERS = {"bbm": bbm, "conflict": conflict, "fault": fault, "stale": stale,
            "post": postconditions}


def unsupported(enc: Encoding):
    parts = [(enc.happens(e), {"stop": e}) for tr in enc.traces for e in tr.events
             if isinstance(e, Stop) and e.reason == "unsupported"]
    return Or(*[p for p, _ in parts]), parts


def cut_by_bound(enc: Encoding):
    """Executions a path the symbolic execution did not finish stands for: cut by the
    step bound, or the side of a branch it did not explore (symex: `unexplored`)."""
    parts = [(enc.happens(e), {"stop": e}) for tr in enc.traces for e in tr.events
             if isinstance(e, Stop) and e.reason in ("bound", "unexplored")]
    return Or(*[p for p, _ in parts]), parts


def completion(enc: Encoding):
    """Every CPU returns (the reachability witness of a PROVED verdict)."""
    conds = []
    for tr in enc.traces:
        rets = [e for e in tr.events if isinstance(e, Return)]
        conds.append(Or(*[enc.happens(r) for r in rets]))
    return And(*conds)


def untracked_descriptors(enc: Encoding):
    """A store makes a descriptor valid in a table that some tracked VA's walk reads
    at level k, at an entry no tracked VA's walk reads: a mapping the routine creates
    (under a table entry the spec does not declare, or in a table it has just
    linked in), which the properties -- all about the tracked VAs' walks -- would not
    see.  The VA that reads it: the tracked VA with its level-k index replaced by the
    entry's, and zeros below."""
    if not enc.__dict__.get("_witness"):
        return z3.BoolVal(False), []    # no property of this check walks a tracked VA
    R = enc.scen.regime
    tracked = sorted(set(enc.scen.tracked_vas))
    tv = V.to_z3(tracked_va(enc))
    # A walk counts only along descriptors someone made: the spec's initial memory
    # (where it is valid) or a store of the routine.  The model lets a walk through
    # memory nobody wrote (an open TTBR, a TOP address) read any value -- sound for
    # the properties, but such a walk can reach any entry, and no finite set of VAs
    # covers it.
    made = sorted(a for a, v in enc.scen.memory.items() if not isinstance(v, int) or v & 1)

    unknown = set(enc.unknown_init)

    def sourced(r):
        if r not in unknown:
            return True         # its initial value is known: a walk past it read it
        at = V.to_z3(r.addr)
        return Or(*[r.sel == i for i in range(1, len(r.cands) + 1)],
                  *[at == a for a in made])

    # ... and reads each table at the level the spec declares it (or, for a page the
    # routine links in, one below the table it is linked into): an open TTBR may
    # point at any table, and a walk from there reads tables at the wrong levels
    linking = [s for s in enc.stores if s.size == 8 and
               V.concrete_bool(V.to_z3(s.value) & 3 == 3) is not False]

    # tables by level: the declared ones, and those their initial table descriptors
    # point at
    tables: dict = {}
    todo = [(t.base, t.level) for t in enc.scen.tables]
    while todo:
        base, level = todo.pop()
        if base in tables.setdefault(level, set()):
            continue
        tables[level].add(base)
        if level < 3:
            for i in range(512):
                v = enc.scen.memory.get(base + 8 * i)
                if isinstance(v, int) and v & 3 == 3:
                    todo.append((v & ((1 << 48) - 1) & ~0xfff, level + 1))

    links: dict = {}

    def linked_at(s, level):
        """Store s links a level-`level` table in: it writes a table descriptor into
        a level-(level-1) table (memoised: one term per store and level)."""
        key = (s, level)
        if key not in links:
            links[key] = z3.BoolVal(False)      # (a cycle through s stays False)
            links[key] = zb(And(enc.exec(s), V.to_z3(s.value) & 3 == 3,
                                anchored(z3.LShR(V.to_z3(enc.pa[s]), 12) << 12, level - 1)))
        return links[key]

    def anchored(page, level, addrs=None):
        if addrs is not None and {a & ~0xfff for a in addrs} <= tables.get(level, set()):
            return True         # the value sets say it is a table of that level
        declared = [page == b for b in sorted(tables.get(level, ()))]
        linked = [] if level <= R.start_level else [
            And(linked_at(s, level),
                page == z3.LShR(V.to_z3(s.value) & ((1 << 48) - 1), 12) << 12)
            for s in linking]
        return Or(*declared, *linked)

    parts = []
    for c in range(enc.ncpus):
        for w in witness_chains(enc, c)[:1]:
            page = {j: z3.LShR(V.to_z3(r.addr), 12) << 12 for j, r in w.reads.items()}
            at_level = {j: anchored(page[j], j, enc.vsa.values(r.addr))
                        for j, r in w.reads.items()}
            path = {j: And(at_level[j], sourced(r)) for j, r in w.reads.items()}
            for k, rd in w.reads.items():
                ra = enc.vsa.values(rd.addr)
                pages = None if ra is None else {a & ~0xfff for a in ra}
                hi, lo = R.index_bits(k)
                below = ((1 << (hi + 1)) - 1) & ((1 << R.va_bits) - 1)
                # the constructed VA is 0 below level k: only tracked VAs that are
                # can equal it
                zero_below = [t for t in tracked if t & ((1 << lo) - 1) == 0]
                for s in enc.stores:
                    valid = z3.simplify(V.to_z3(s.value) & 1 == 1)
                    if s.size != 8 or z3.is_false(valid):
                        continue        # (a break makes nothing valid)
                    sa = enc.vsa.values(enc.pa[s])
                    if sa is not None and pages is not None and \
                            not any((a & ~0xfff) in pages for a in sa):
                        continue
                    pa, at = V.to_z3(enc.pa[s]), V.to_z3(rd.addr)
                    va = (tv & z3.BitVecVal(((1 << 64) - 1) ^ below, 64)) | \
                        (z3.ZeroExt(55, z3.Extract(11, 3, pa)) << lo)
                    cond = And(enc.exec(s), w.active, w.reach.get(k, True),
                               *[path[j] if j < k else at_level[j] for j in path if j <= k],
                               z3.LShR(pa, 12) == z3.LShR(at, 12), pa != at, pa & 7 == 0,
                               valid, *[va != t for t in zero_below])
                    parts.append((cond, {"store": s, "va": va, "level": k}))
    return Or(*[p for p, _ in parts]), parts


def untracked_va(enc: Encoding, m, parts) -> list[tuple[int, str]]:
    """The VAs to track for an untracked descriptor in model m, with the store's
    place: the VA whose walk reads it, and -- when it links a table in -- one VA per
    entry valid in that table's initial memory (a table built before the routine
    links it is live from then on)."""
    R = enc.scen.regime
    for c, d in parts:
        if not z3.is_true(m.eval(zb(c), True)):
            continue
        st, k = d["store"], d["level"]
        where = st.instr.loc.short() if st.instr is not None else "?"
        va = m.eval(d["va"], model_completion=True).as_long()
        out = [(va, where)]
        value = m.eval(V.to_z3(st.value), model_completion=True).as_long()
        if k < 3 and value & 3 == 3:
            base = value & ((1 << 48) - 1) & ~0xfff
            hi, lo = R.index_bits(k + 1)
            for i in range(512):
                w = enc.scen.memory.get(base + 8 * i)
                if i and w is not None and (not isinstance(w, int) or w & 1):
                    out.append((va | (i << lo), f"{where}, the linked table's entry {i}"))
        return out
    raise AssertionError("no part of the untracked-descriptor condition holds")


def describe_mixed(st, rd) -> str:
    """A mixed-size pair in a reason: the store's place and what the read is."""
    if rd.access is not None and rd.access.instr is not None:
        what = f"the {rd.size}-byte load at {rd.access.instr.loc.short()}"
    elif rd.chain is not None:
        what = f"a walk's {rd.size}-byte descriptor read on CPU{rd.chain.cpu}"
    elif rd.observer == -1:
        what = f"the final {rd.size}-byte value a postcondition reads"
    else:
        what = f"a {rd.size}-byte read"
    where = st.instr.loc.short() if st.instr is not None else "?"
    return f"the {st.size}-byte store at {where} overlaps {what} only in part"


def mixed_size(enc: Encoding):
    parts = []
    for rd, s in enc.mixed:
        who = rd.access if rd.access is not None else None
        c = enc.exec(s)
        if who is not None:
            c = And(c, enc.exec(who))
        elif rd.chain is not None and rd.chain.access is not None:
            c = And(c, enc.happens(rd.chain.access))
        elif rd.chain is not None:
            # a witness walk (what a TLB may hold): the properties read its entries
            c = And(c, rd.chain.active, rd.chain.reach.get(rd.level, True))
        elif rd.observer == -1:
            c = And(c, all_returned(enc, final_time(enc)))   # a final_value read
        else:
            continue
        pa_s, pa_r = V.to_z3(enc.pa[s]), V.to_z3(rd.addr)
        overlap = z3.And(z3.ULT(pa_r, pa_s + s.size), z3.ULT(pa_s, pa_r + rd.size))
        if s.size == rd.size:
            overlap = z3.And(overlap, pa_s != pa_r)     # the same location is no mix
        parts.append((And(c, overlap), {"read": rd, "store": s}))
    return Or(*[p for p, _ in parts]), parts
