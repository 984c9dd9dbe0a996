"""Events -> a Z3 formula whose models are the executions of the VMSA machine.

An execution assigns a time to every event and to the hidden steps of the
machine: when each store becomes visible to its own CPU's walker (`q`) and to every
other observer (`p`), when each load is satisfied (`pi`), when each TLBI is
performed on each CPU (`inv`), and when each translation table walk reads each
level (`r`).  What a read returns is the latest store (in coherence order, which
is the order of `p`) visible to it at its time.  The architecture rules that
constrain these times are in model/vmsa/rules.py; this module builds the
structure they talk about: reads with their candidate stores, translation walks,
the system register value in effect at a time, and the executed-prefix of each CPU.

Each CPU executes a prefix of one of its paths: event e happens iff its path
condition holds and it comes before the CPU's stop time (`exec(e)`).  A faulting
access stops its CPU.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import z3

from . import timevars as TV
from .solving import check
from . import values as V
from .events import (Access, Barrier, CpuTrace, Event, FaultEntry, ISBEvent, Serial,
                     SysRegWrite, TLBIEvent)
from .scenario import Scenario
from .vmsa import descriptor as D
from .vmsa import tlbi as TL
from .vsa import TOP, VSA, may_equal


def _z(x):
    return V.to_z3(x) if not isinstance(x, (bool, z3.BoolRef, z3.ArithRef)) else (
        z3.BoolVal(x) if isinstance(x, bool) else x)


def zb(c):
    """A condition as a Z3 Bool."""
    if isinstance(c, bool):
        return z3.BoolVal(c)
    return V.to_z3(c) if not isinstance(c, z3.BoolRef) else c


def _constant(c):
    """True or False when `c` is that constant (a Python bool or Z3's true/false),
    None otherwise.  One call into Z3 instead of z3.is_true's several: the encoder
    asks this of every conjunct and disjunct it builds (stop 25: a third of the
    encoding's time went to z3.is_true/is_false and z3.And's argument checks)."""
    if c is True or c is False:
        return c
    if isinstance(c, z3.BoolRef):
        v = z3.Z3_get_bool_value(c.ctx_ref(), c.as_ast())
        if v == z3.Z3_L_TRUE:
            return True
        if v == z3.Z3_L_FALSE:
            return False
    return None


def _connective(mk, cs):
    """mk (Z3_mk_and / Z3_mk_or) of two or more terms as Z3 Bools, all of the main
    context (the encoder builds nothing else), without z3.And's per-argument sort
    checks."""
    zs = [zb(c) for c in cs]
    arr = (z3.Ast * len(zs))(*[x.as_ast() for x in zs])
    ctx = zs[0].ctx
    return z3.BoolRef(mk(ctx.ref(), len(zs), arr), ctx)


def _nary(mk, unit: bool, cs):
    """The connective mk (Z3_mk_and, unit True; Z3_mk_or, unit False) of `cs`, with the
    constants folded: `not unit` anywhere decides it, `unit` is dropped."""
    kept = []
    for c in cs:
        k = _constant(c)
        if k is (not unit):
            return z3.BoolVal(not unit)
        if k is None:
            kept.append(c)
    if not kept:
        return z3.BoolVal(unit)
    if len(kept) == 1:
        return zb(kept[0])
    return _connective(mk, kept)


def And(*cs):
    return _nary(z3.Z3_mk_and, True, cs)


def Or(*cs):
    return _nary(z3.Z3_mk_or, False, cs)


def Implies(a, b):
    return z3.Implies(zb(a), zb(b))


# --------------------------------------------------------------------------- reads

def _may_overlap(a, size_a: int, b, size_b: int, *, distinct: bool) -> bool:
    """Can an access of size_a bytes at an address in value set `a` overlap one of
    size_b bytes at an address in `b` (at another address, if `distinct`)?"""
    if a is TOP or b is TOP:
        return True
    if distinct and size_a == size_b and all(x % size_a == 0 for x in a) and \
            all(y % size_b == 0 for y in b):
        return False        # naturally aligned accesses of one size overlap only in full
    if len(a) * len(b) > 4096:
        return True
    return any(x < y + size_b and y < x + size_a and not (distinct and x == y)
               for x in a for y in b)


@dataclass(eq=False)
class Read(Serial):
    """A read of memory: an explicit load, or one level of a walk.

    observer/walker: whose view it reads (a CPU's ordinary loads see its own stores
    at once; its walker sees them when performed for it, `q`).
    time: when it is satisfied.  before: for an explicit load, the event index (own
    stores earlier in the list are forwarded to it; later ones cannot be read).
    """
    name: str
    addr: object                 # physical address term (64-bit)
    size: int
    time: z3.ArithRef
    observer: int
    walker: bool
    value: object = None         # fresh 64/32/... -bit variable
    before: int | None = None    # for explicit loads / access walks: own stores after it are excluded
    cands: list = field(default_factory=list)
    sel: "TV.Choice" = None       # which candidate store it reads (0: the initial value)
    M: z3.ArithRef = None        # coherence position (p) of the store read, 0 = initial
    access: Access | None = None
    chain: "Chain | None" = None
    level: int | None = None

    def __post_init__(self):
        self.value = V.var(self.name, self.size * 8)
        self.sel = TV.Choice(f"sel_{self.name}")
        self.M = TV.var(f"M_{self.name}")


def _leaf_ro(v: int, level: int) -> bool:
    """A concrete descriptor value is a leaf at `level` with AP[2] = 1 (read-only)."""
    d = V.const(v, 64)
    return V.concrete_bool(V.bool_and(D.is_leaf(d, level), D.read_only(d))) is True


def _leaf_af0(v: int, level: int) -> bool:
    """A concrete descriptor value is a leaf at `level` with AF = 0."""
    d = V.const(v, 64)
    return V.concrete_bool(V.bool_and(D.is_leaf(d, level),
                                      V.bool_not(D.access_flag(d)))) is True


# --------------------------------------------------------------------------- walks

@dataclass(eq=False)
class Chain(Serial):
    """A translation table walk for one VA on one CPU, level by level.

    Level k is read at time r[k] (non-decreasing with k).  A level whose descriptor
    is a table is a walk-cache entry, kept until the next level is read; the level
    where the walk ends is a leaf (a TLB entry) or invalid (a fault).
    """
    tag: str
    cpu: int
    va: object
    kind: str                    # 'access' | 'witness' | 'fresh'
    levels: list = field(default_factory=list)
    r: dict = field(default_factory=dict)
    reads: dict = field(default_factory=dict)
    d: dict = field(default_factory=dict)
    reach: dict = field(default_factory=dict)   # level k is read
    end: dict = field(default_factory=dict)     # the walk ends at level k
    ok: dict = field(default_factory=dict)      # ...with a usable leaf
    fault: object = None
    pa: object = None
    upper: object = None
    ttbr: object = None
    asid: object = None
    regime_ok: object = None
    access: Access | None = None
    active: object = True        # the walk is used (access executed with the MMU on, ...)
    floor: object = None         # a TLBI every level's read follows when used (_floors)
    perm: object = False         # a store's Permission fault (Features.write_permission)

    def leaf_level(self):
        """Int-valued Z3 term: the level the walk ends at."""
        t = TV.num(self.levels[-1])
        for k in reversed(self.levels[:-1]):
            t = z3.If(zb(self.end[k]), TV.num(k), t)
        return t


@dataclass(eq=False)
class HWUpdate(Serial):
    """A write of a translation table walker: the hardware sets the Access flag of a
    descriptor (FEAT_HAFDBS, TCR_ELx.HA = 1; herd7's HU effect, `Imp & TTD & W`).

    Either the update of an access's walk (`read`: the walk read it is atomic with,
    `access`, `level`), or a spurious one (`source`: the store of a valid AF = 0
    leaf it follows in coherence, None for the initial value at `addr`): a walk of no
    access, which herd7 lets happen after any such write.  It is never a CPU's own
    store (no forwarding, one visibility time `p` for every observer), so `cpu` is
    None; `owner` is the CPU of the access, for traces.  Rules: hw-af-update,
    hw-af-ordered, hw-af-spurious."""
    name: str
    addr: object                 # PA of the descriptor (64-bit term)
    value: object                # what is written: the value read, with AF = 1
    cond: object = True          # when it happens
    read: Read | None = None
    access: Access | None = None
    level: int | None = None
    source: Access | None = None
    owner: int | None = None
    size: int = 8
    cpu = None
    index = -1
    is_store = True
    exclusive = False
    atomic = False
    fetch = False
    instr = None

    @property
    def spurious(self) -> bool:
        return self.read is None


class Encoding:
    """The formula of one scenario's executions (everything but the properties)."""

    def __init__(self, scen: Scenario, traces: list[CpuTrace], *, disabled=frozenset(),
                 vsa_cap: int = 4096):
        self.scen = scen
        self.traces = traces
        self.features = scen.features
        self.regime = scen.regime
        self.ncpus = len(traces)
        self.disabled = set(disabled)
        self.constraints: list[tuple[str, object]] = []
        self.used_rules: set[str] = set()
        self.vsa = VSA(cap=vsa_cap)
        for name, dom in scen.domains.items():
            self.vsa.set_var(name, dom)
        TV.take_registered()
        self.stop = [TV.var(f"stop_{c}") for c in range(self.ncpus)]
        # CPUs whose faults are handled by executing the instruction again
        self.handled = {c.cpu for c in scen.cpus
                        if getattr(c, "faults", "fatal") in ("handled", "handler")}
        self._exec: dict[Event, object] = {}
        self.events = [e for tr in traces for e in tr.events]
        for e in self.events:
            e.t = TV.var(f"t_{e.cpu}_{e.index}")
        self.accesses = [e for e in self.events if isinstance(e, Access)]
        self.stores = [e for e in self.accesses if e.is_store]
        self.loads = [e for e in self.accesses if not e.is_store and not e.fetch]
        self.fetches = [e for e in self.accesses if e.fetch]   # instruction fetches
        self.tlbis = [e for e in self.events if isinstance(e, TLBIEvent)]
        self.reads: list[Read] = []
        self.hus: list[HWUpdate] = []        # hardware Access-flag updates (Features.hw_af)
        self._hu_keys: set = set()
        self.chains: list[Chain] = []
        self.pa: dict[Access, object] = {}
        self.mmu: dict[Access, object] = {}
        self.fault: dict[Access, object] = {}
        self.chain_of: dict[Access, Chain] = {}
        self.read_of: dict[Access, Read] = {}
        self.u: dict[Access, z3.ArithRef] = {}
        self.pi: dict[Access, z3.ArithRef] = {}
        self.dmb_time: dict = {}        # DMB -> B, its place in the order (rule dmb-orders)
        self.p: dict[Access, z3.ArithRef] = {}
        self.q: dict[Access, z3.ArithRef] = {}
        self.inv: dict[tuple, z3.ArithRef] = {}
        self.syncers: dict[SysRegWrite, list[ISBEvent]] = {}
        self.mixed: list = []           # (read, store) pairs that may overlap partially
        self.unknown_init: list[Read] = []
        self._sel_count = 0
        self.notes: list[str] = []

    # ------------------------------------------------------------------ basics
    def add(self, rule: str, c) -> None:
        """Add a constraint on behalf of an architecture rule (model/vmsa/rules.py)."""
        if rule in self.disabled:
            return
        self.used_rules.add(rule)
        if c is True or (isinstance(c, z3.BoolRef) and z3.is_true(c)):
            return
        self.constraints.append((rule, zb(c)))

    def happens(self, e: Event):
        """The instruction instance is executed (its path, within its CPU's prefix)."""
        return And(e.guard, e.t < self.stop[e.cpu])

    def exec(self, e: Event):
        """The event takes effect: it happens, and a store-exclusive succeeds."""
        if isinstance(e, HWUpdate):
            return e.cond
        x = self._exec.get(e)
        if x is None:
            x = self.happens(e)
            if isinstance(e, Access) and e.is_store and e.exclusive:
                x = And(x, V.to_z3(e.status) == 0)
            f = self.fault.get(e, False) if isinstance(e, Access) else False
            if f is not False and V.concrete_bool(f) is not False:
                x = And(x, z3.Not(zb(f)))     # a faulting access has no memory effect
            if not isinstance(e, Access) or e in self.fault:
                self._exec[e] = x             # (not before its fault condition is known)
        return x

    def trace_of(self, cpu: int) -> CpuTrace:
        return self.traces[cpu]

    @property
    def writes(self) -> list:
        """Every write to memory: the CPUs' stores and the walkers' AF updates."""
        return self.stores + self.hus if self.hus else self.stores

    def hw_db(self, cpu) -> bool:
        """Does `cpu`'s walker manage the dirty state itself (Features.hw_db)?"""
        return cpu in self.features.hw_db

    def hw_af(self, cpu) -> bool:
        """Does `cpu`'s walker set the Access flag itself (Features.hw_af)?"""
        return cpu in self.features.hw_af

    def usable(self, ch: "Chain", k: int):
        """The level-k descriptor of walk `ch` gives a translation (a leaf; with AF = 1
        unless its CPU manages AF in hardware, Features.hw_af)."""
        d = ch.d[k]
        if self.hw_af(ch.cpu):
            return D.is_leaf(d, k)
        return V.bool_and(D.is_leaf(d, k), D.access_flag(d))

    # ------------------------------------------------------------------ build
    def build(self, props=()):
        from . import properties
        from .vmsa import rules
        self._times()
        self._syncers()
        self._floors()
        for a in self.accesses:
            self._translate(a)
        self._explicit_reads()
        properties.prepare(self, props)      # witness walks, fresh walks
        self._fixpoint()
        for r in self.reads:
            self._rf(r)
        rules.apply_all(self)
        properties.witness_rules(self)
        return self

    def _times(self):
        for a in self.loads:
            self.pi[a] = TV.var(f"pi_{a.cpu}_{a.index}")
        for s in self.stores:
            self.q[s] = TV.var(f"q_{s.cpu}_{s.index}")
            self.p[s] = TV.var(f"p_{s.cpu}_{s.index}")
        for a in self.accesses:
            if a.atomic and a.is_store and a.pair in self.u:
                self.u[a] = self.u[a.pair]      # one translation per atomic instruction
            else:
                self.u[a] = TV.var(f"u_{a.cpu}_{a.index}")
        for t in self.tlbis:
            for c in TL.targets(t.effect, t.cpu, self.ncpus):
                self.inv[(t, c)] = TV.var(f"inv_{t.cpu}_{t.index}_on{c}")

    # ------------------------------------------------------------------ static floors
    FLOOR_RULES = ("po-time", "walk-order", "tlb-entry-lifetime", "fault-walk-fresh",
                   "dsb-completes-tlbi")

    def _implied(self, a: Event, x: Event) -> bool:
        """Whenever a's path is taken, so is x's (x before a on a's CPU)."""
        gx = x.guard
        if V.concrete_bool(gx) is True:
            return True
        cache = self.__dict__.setdefault("_impl", {})
        key = (a, x)
        if key not in cache:
            s = z3.Solver()
            s.add(zb(a.guard), z3.Not(zb(gx)))
            cache[key] = check(s) == z3.unsat
        return cache[key]

    def _floors(self):
        """For each access, the latest TLBI t of its CPU that every walk read its
        translation uses comes after (self.floor[a] = t): t invalidates every entry of
        a's VA at every level, a DSB completes it on a's CPU, and an ISB (or, with
        FEAT_ETS2, that DSB) orders a's lookup after the DSB, all on every path that
        reaches a.  Then, whenever a's walk is used (the access happens with the MMU
        on), every level is read at or after t is performed there: a level read
        earlier is a TLB entry that t removes before the lookup (tlb-entry-lifetime:
        a table entry must live until the next level is read, the leaf until the
        lookup; fault-walk-fresh: a faulting level is read at the lookup; walk-order:
        the levels are read in order).  encode uses it to leave out TTBR values and
        stores such a walk cannot read (see walk(), _prune())."""
        self.floor: dict = {}
        if any(r in self.disabled for r in self.FLOOR_RULES):
            return
        for a in self.accesses:
            look = "fetch-translation" if a.fetch else "walks-run-ahead"
            if look in self.disabled:
                continue
            syncs = []
            if len(a.last_isb) == 1 and not isinstance(next(iter(a.last_isb)), FaultEntry):
                syncs.append(next(iter(a.last_isb)))
            if (self.features.ets2 and not a.fetch and len(a.last_dsb) == 1
                    and "ets2-dsb-orders-walks" not in self.disabled):
                syncs.append(next(iter(a.last_dsb)))
            syncs = [x for x in syncs if self._implied(a, x)]
            if not syncs:
                continue
            sync = max(syncs, key=lambda x: x.index)
            evs = self.traces[a.cpu].events
            best = None
            for t in evs[:sync.index]:
                if not isinstance(t, TLBIEvent) or (t, a.cpu) not in self.inv:
                    continue
                if not self._matches_all(t, a):
                    continue
                done = [d for d in evs[t.index + 1:sync.index + 1]
                        if isinstance(d, Barrier) and d.op == "dsb"
                        and (t in d.completes_local or (t in d.completes_global))
                        and self._implied(a, d)]
                if done and self._implied(a, t):
                    best = t
            if best is not None:
                self.floor[a] = best

    def _matches_all(self, t, a) -> bool:
        asid = V.var("floor_asid_any", 16)
        for k in range(self.regime.start_level, 4):
            for leaf in (True, False):
                for g in (True, False):
                    m = TL.matches(t.effect, self.features, va=a.va, level=k, leaf=leaf,
                                   is_global=g, asid=asid, regime_el=self.regime.el)
                    if V.concrete_bool(m) is not True:
                        return False
        return True

    def _syncers(self):
        for tr in self.traces:
            for e in tr.events:
                if isinstance(e, ISBEvent):
                    for w in e.syncs:
                        self.syncers.setdefault(w, []).append(e)

    # ------------------------------------------------------------------ system registers
    def initial_sysreg(self, cpu: int, name: str):
        v = self.scen.cpus[cpu].sysregs.get(name)
        if isinstance(v, int):
            v = V.const(v, 64)
        if v is None:
            # the executor may have invented a variable for it; reuse the same name
            v = V.var(f"init_{name}_cpu{cpu}", 64)
        return v

    def sysreg_in_effect(self, cpu: int, name: str, time, tag: str, floor=None):
        """The value of system register `name` that translation on `cpu` may use at
        `time`: the last value made effective by an ISB, or any value written since
        (R_: a direct write is only guaranteed to be used after a context
        synchronization event).  Returns (value, constraint)."""
        writes = [e for e in self.traces[cpu].events
                  if isinstance(e, SysRegWrite) and e.name == name]
        init = self.initial_sysreg(cpu, name)
        if not writes:
            return init, True
        self._sel_count += 1
        sel = TV.Choice(f"sr_{name}_{tag}")
        cons = [sel.domain(len(writes))]

        def synced_before(w):
            return Or(*[And(self.exec(i), i.t < time) for i in self.syncers.get(w, [])])
        # sel == 0: the initial value, only if no write has been synchronized yet
        cons.append(Implies(sel == 0, And(*[z3.Not(synced_before(w)) for w in writes])))
        val = init
        for i, w in enumerate(writes, 1):
            later = writes[i:]
            cons.append(Implies(sel == i, And(self.exec(w), w.t < time,
                                              *[z3.Not(synced_before(l)) for l in later])))
            val = V.ite(sel == i, w.value, val)
        if floor is not None:
            # the read is at or after TLBI `floor[0]` is performed whenever `floor[1]`
            # holds: a write with an ISB before that TLBI on every path to `floor[2]`
            # is synchronized by then, and so are the values before it
            t, rel, a = floor
            lo = 0
            for i, w in enumerate(writes, 1):
                if any(x.index < t.index and self._implied(a, x)
                       for x in self.syncers.get(w, [])) and self._implied(a, w):
                    lo = i
            # ...and it is no later than the lookup, so no write after the access in
            # program order is in effect yet
            hi = sum(1 for w in writes if w.index < a.index)
            if lo or hi < len(writes):
                cons_rel = Implies(rel, sel.between(lo, hi))
                val = writes[lo - 1].value if lo else init
                for i in range(lo + 1, hi + 1):
                    val = V.ite(sel == i, writes[i - 1].value, val)
                return val, And(*cons, cons_rel)
        return val, And(*cons)

    # ------------------------------------------------------------------ translation
    def sysregs_written(self, cpu: int) -> frozenset:
        """The system registers CPU `cpu`'s routine writes (on some path)."""
        cache = self.__dict__.setdefault("_sysregs_written", {})
        if cpu not in cache:
            cache[cpu] = frozenset(e.name for e in self.traces[cpu].events
                                   if isinstance(e, SysRegWrite))
        return cache[cpu]

    def _lookup_asid(self, a: Access, ch: Chain, u, tag: str) -> None:
        """Rule lookup-asid (EL1&0 regime): the walk reads the level it ends at under
        its ASID -- it went on from walk-cache entries of that ASID, so that ASID is
        one the ASID's TTBR (TTBR0, or TTBR1 with TCR_EL1.A1 = 1) may give then -- and
        a non-global leaf is used only by a lookup under its ASID."""
        reg = self.regime.asid_register()
        if reg is None or "lookup-asid" in self.disabled:
            return
        if reg not in self.sysregs_written(a.cpu):
            return                          # one ASID: nothing to match
        r_end = ch.r[ch.levels[-1]]
        for k in reversed(ch.levels[:-1]):
            r_end = z3.If(zb(ch.end[k]), ch.r[k], r_end)
        t_end, c_end = self.sysreg_in_effect(a.cpu, reg, r_end, tag + "_le")
        t_u, c_u = self.sysreg_in_effect(a.cpu, reg, u, tag + "_lu")
        ng_leaf = Or(*[And(ch.ok[k], zb(D.ng(ch.d[k]))) for k in ch.levels])
        self.add("sysreg-in-effect", Implies(ch.active, And(c_end, c_u)))
        self.add("lookup-asid", Implies(ch.active, zb(V.eq(V.extract(t_end, 63, 48),
                                                           ch.asid))))
        self.add("lookup-asid", Implies(And(ch.active, ng_leaf),
                                        zb(V.eq(V.extract(t_u, 63, 48), ch.asid))))

    def _regime_regs(self):
        el = self.regime.el
        if el == 1:
            return "sctlr_el1", "ttbr0_el1", "ttbr1_el1"
        if el == 2:
            return "sctlr_el2", "ttbr0_el2", None
        return "sctlr_el3", "ttbr0_el3", None

    def _translate(self, a: Access):
        """PA, MMU state and fault condition of an explicit access."""
        if a.atomic and a.is_store and a.pair in self.pa:
            # the write of an LSE atomic: the instruction's one translation, looked up
            # (and faulting) with its read -- rule atomic-rmw
            r = a.pair
            self.mmu[a], self.pa[a], self.fault[a] = self.mmu[r], self.pa[r], self.fault[r]
            return
        sctlr, _, _ = self._regime_regs()
        u = self.u[a]
        tag = f"a{a.cpu}_{a.index}"
        sc, cons = self.sysreg_in_effect(a.cpu, sctlr, u, tag)
        self.add("sysreg-in-effect", Implies(self.exec(a), cons))
        mmu = V.bit(sc, 0)
        self.mmu[a] = mmu
        if V.concrete_bool(mmu) is False:
            self.pa[a] = a.va
            self.fault[a] = False
            return
        ch = self.walk(a.cpu, a.va, tag, kind="access", before=a.index, access=a,
                       rel=And(self.happens(a), mmu))
        ch.active = And(self.happens(a), mmu)
        self.chain_of[a] = ch
        self._lookup_asid(a, ch, u, tag)
        self.pa[a] = V.ite(mmu, ch.pa, a.va)
        flt = ch.fault
        if getattr(self.features, "write_permission", False):
            # a store (or an atomic read-modify-write, even a CAS that fails: herd7
            # checks it as a write) through a read-only leaf, or any access of an EL0
            # CPU through a leaf without EL0 access (AP[1] = 0): Permission fault
            # (Features.write_permission)
            el0 = getattr(self.scen.cpus[a.cpu], "el0", False)
            hd = self.hw_db(a.cpu)
            inh = self.in_handler(a) if el0 else False
            denied = []
            for k in ch.levels:
                no = D.read_only(ch.d[k]) if (a.is_store or a.atomic) else False
                if hd and no is not False:
                    # hardware dirty-state management: a writable-clean leaf (DBM = 1)
                    # is made dirty by the walker instead (rule hw-af-update)
                    no = V.bool_and(no, V.bool_not(V.bit(ch.d[k], D.DBM)))
                if el0:
                    el0_no = V.bool_not(V.bit(ch.d[k], 6))
                    if k == ch.levels[-1] and V.concrete_bool(inh) is not False:
                        # after a handled fault the CPU runs as the handler, whose
                        # accesses herd7 does not check against a page's el0 bit
                        # (AArch64Sem check_el0: `not in_handler`); the block that
                        # maps the tables stays out of reach (herd: an EL0 access to a
                        # page-table entry faults, handler or not)
                        el0_no = V.bool_and(el0_no, V.bool_not(inh))
                    no = V.bool_or(no, el0_no)
                if V.concrete_bool(no) is not False:
                    denied.append(And(ch.ok[k], no))
            if denied:
                ch.perm = Or(*denied)
                flt = Or(flt, ch.perm)
        self.fault[a] = And(zb(mmu), flt)

    def in_handler(self, a: Access):
        """Handled faults (CpuSetup.faults = 'handled'): access `a` is executed after a
        fault of its CPU was taken -- it is the retry of the faulting instruction, or
        comes after it (herd7 runs both as the handler: `in_handler`)."""
        if a.attempt == 2:
            return True
        if a.cpu not in self.handled:
            return False
        if getattr(self.scen.cpus[a.cpu], "faults", "") == "handler":
            return a.handler_code        # (after an ERET the thread's code runs again)
        return Or(*[x.refault for x in self.traces[a.cpu].events[:a.index]
                    if isinstance(x, Access) and x.attempt == 1 and x.refault is not None
                    and not (x.atomic and x.is_store)])

    def walk(self, cpu: int, va, tag: str, *, kind: str, before: int | None = None,
             access: Access | None = None, levels_upto: int = 3, rel=None) -> Chain:
        """A translation table walk of `va` on `cpu` (its reads are added to the
        encoding; their timing rules are applied by rules.py)."""
        R = self.regime
        ch = Chain(tag=tag, cpu=cpu, va=va, kind=kind, access=access)
        ch.levels = list(range(R.start_level, levels_upto + 1))
        sctlr, ttbr0, ttbr1 = self._regime_regs()
        for k in ch.levels:
            ch.r[k] = TV.var(f"r_{tag}_{k}")
        r0 = ch.r[R.start_level]
        floor = None
        if kind == "access" and access in self.floor and rel is not None:
            ch.floor = self.floor[access]
            ok = (V.bool_or(R.upper_range(va), R.lower_range(va)) if ttbr1 is not None
                  else R.lower_range(va))
            floor = (ch.floor, And(rel, ok), access)
        if ttbr1 is not None:
            upper = R.upper_range(va)
            lower = R.lower_range(va)
            t0, c0 = self.sysreg_in_effect(cpu, ttbr0, r0, tag + "_t0", floor)
            t1, c1 = self.sysreg_in_effect(cpu, ttbr1, r0, tag + "_t1", floor)
            ttbr = V.ite(upper, t1, t0)
            ch.asid = V.extract(t1 if R.a1 else t0, 63, 48)     # TCR_EL1.A1
            self.add("sysreg-in-effect", And(c0, c1))
        else:
            upper = False
            lower = R.lower_range(va)
            ttbr, c0 = self.sysreg_in_effect(cpu, ttbr0, r0, tag + "_t0", floor)
            ch.asid = V.const(0, 16)
            self.add("sysreg-in-effect", c0)
        ch.upper = upper
        ch.ttbr = ttbr
        ch.regime_ok = V.bool_or(upper, lower)
        base = R.ttbr_table_base(ttbr)
        reach = True
        fault_terms = [V.bool_not(ch.regime_ok)]
        for k in ch.levels:
            addr = R.descriptor_address(base, va, k)
            rd = Read(name=f"w_{tag}_{k}", addr=addr, size=8, time=ch.r[k], observer=cpu,
                      walker=True, before=before, chain=ch, level=k)
            self.reads.append(rd)
            ch.reads[k] = rd
            d = rd.value
            ch.d[k] = d
            ch.reach[k] = V.bool_and(reach, ch.regime_ok)
            is_tab = D.is_table(d, k)
            ch.end[k] = V.bool_and(ch.reach[k], V.bool_not(is_tab))
            usable = self.usable(ch, k)
            ch.ok[k] = V.bool_and(ch.end[k], usable)
            fault_terms.append(V.bool_and(ch.end[k], V.bool_not(usable)))
            reach = V.bool_and(reach, is_tab)
            base = D.table_address(d)
        # PA: the leaf of the level where the walk ends
        pa = D.translate(ch.d[ch.levels[-1]], ch.levels[-1], va)
        for k in reversed(ch.levels[:-1]):
            pa = V.ite(ch.end[k], D.translate(ch.d[k], k, va), pa)
        ch.pa = pa
        ch.fault = Or(*fault_terms)
        self.chains.append(ch)
        return ch

    def entry_global(self, ch: Chain, k: int):
        """Is the level-k entry of the walk global?  Walk-cache entries count as global
        here, for the rules that match a TLBI against the reads of every level of a
        walk by VA (as herd's TLBI-ob does); a TLBI by ASID, or by VA and ASID, still
        matches them only for the walk's ASID (model/vmsa/tlbi.py: matches), and a
        conflict treats them as the walk's ASID's (properties._entry_global)."""
        leaf = D.is_leaf(ch.d[k], k)
        return V.bool_or(V.bool_not(leaf), V.bool_not(D.ng(ch.d[k])))

    # ------------------------------------------------------------------ reads
    def _explicit_reads(self):
        for a in self.loads:
            rd = Read(name=f"x_{a.cpu}_{a.index}", addr=self.pa[a], size=a.size,
                      time=self.pi[a], observer=a.cpu, walker=False, before=a.index, access=a)
            # the load's own value variable is the read's value
            self.read_of[a] = rd
            self.reads.append(rd)
            self.add("read-value", V.to_z3(a.value) == V.to_z3(rd.value))

    def _store_sets(self):
        """PA value sets of all stores (for the current variable sets)."""
        return {s: self.vsa.values(self.pa[s]) for s in self.writes}

    def _candidates(self, rd: Read, store_sets=None):
        """Stores the read may read from (same size, possibly same address), and
        stores that may overlap it only in part: another size, or the same size at
        another address (mixed-size: not modelled, rule out or answer UNKNOWN)."""
        addrs = self.vsa.values(rd.addr)
        store_sets = store_sets or self._store_sets()
        cands, mixed = [], []
        for s in self.writes:
            if s.cpu == rd.observer and rd.before is not None and s.index >= rd.before:
                continue            # a store after the access in program order
            sa = store_sets[s]
            if s.size == rd.size:
                if may_equal(sa, addrs):
                    cands.append(s)
                if _may_overlap(sa, s.size, addrs, rd.size, distinct=True):
                    mixed.append(s)
            elif _may_overlap(sa, s.size, addrs, rd.size, distinct=False):
                mixed.append(s)
        return cands, mixed

    def init_value(self, addr, size: int, name: str):
        """The initial memory value of `size` bytes at `addr` (a term): a choice
        among the addresses the value-set analysis allows, else a read of the whole
        initial memory as a Z3 array (8-byte words)."""
        addrs = self.vsa.values(addr)
        if addrs is not TOP and len(addrs) <= self.vsa.cap:
            val = None
            for a in sorted(addrs):
                v = self._init_at(a, size)
                val = v if val is None else V.ite(V.eq(addr, V.const(a, 64)), v, val)
            return val
        if size != 8:
            return None
        word = V.and_(addr, V.const(~7 & ((1 << 64) - 1), 64))
        return z3.Select(self._memory_array(), V.to_z3(word))

    def _memory_array(self):
        arr = getattr(self, "_mem0", None)
        if arr is None:
            arr = z3.K(z3.BitVecSort(64), z3.BitVecVal(0, 64))
            for a, v in sorted(self.scen.memory.items(), key=lambda kv: kv[0]):
                vv = z3.BitVecVal(v, 64) if isinstance(v, int) else V.to_z3(v)
                arr = z3.Store(arr, z3.BitVecVal(a, 64), vv)
            self._mem0 = arr
        return arr

    def _init_at(self, a: int, size: int):
        word = a & ~7
        w = self.scen.memory.get(word, 0)
        off = (a - word) * 8
        if size == 8 and off == 0:
            return V.const(w, 64) if isinstance(w, int) else w
        wv = V.const(w, 64) if isinstance(w, int) else w
        if off + size * 8 > 64:
            # crosses a word: assemble from two words
            nxt = self.scen.memory.get(word + 8, 0)
            nv = V.const(nxt, 64) if isinstance(nxt, int) else nxt
            both = V.concat(nv, wv)
            return V.extract(both, off + size * 8 - 1, off)
        return V.extract(wv, off + size * 8 - 1, off)

    def _init_values(self, a: int, size: int):
        """The value set of the initial memory at `a` (memoised: initial memory does
        not depend on what the reads return)."""
        cache = self.__dict__.setdefault("_init_vals", {})
        key = (a, size)
        if key not in cache:
            cache[key] = self.vsa.values(self._init_at(a, size))
        return cache[key]

    def _fixpoint(self, max_rounds: int = 40):
        """Value sets of all reads: a read can return what its candidate stores write
        or the initial memory at its address.  Iterate to a fixpoint (each read's set
        is updated as soon as it is computed)."""
        init = {rd.name: frozenset() for rd in self.reads}
        init.update({V.to_z3(a.value).decl().name(): frozenset() for a in self.loads})
        self.vsa.set_vars(init)
        grew: dict[str, int] = {}
        self._grow_hus()
        for _ in range(max_rounds):
            changed = False
            for rd in self.reads:
                cands, mixed = self._candidates(rd, self._store_sets())
                addrs = self.vsa.values(rd.addr)
                vals: set | None = set()
                # (a store of the read's size that may overlap it at another address
                # leaves the value set as it is: an execution where it does is
                # answered UNKNOWN by the mixed-size check)
                if addrs is TOP or any(m.size != rd.size for m in mixed):
                    vals = None
                else:
                    for a in addrs:
                        iv = self._init_values(a, rd.size)
                        if iv is TOP:
                            vals = None
                            break
                        vals |= iv
                if vals is not None:
                    for st in cands:
                        sv = self.vsa.values(st.value)
                        if sv is TOP:
                            vals = None
                            break
                        vals |= sv
                new = None if vals is None or len(vals) > self.vsa.cap else frozenset(vals)
                if new is not None and grew.get(rd.name, 0) >= 8:
                    # widening: a set that keeps growing (a location incremented
                    # through itself, e.g. an atomic counter) is unknown; only that
                    # read loses precision, the fixpoint goes on for the others
                    new = None
                upd = {rd.name: new}
                if rd.access is not None:
                    upd[V.to_z3(rd.access.value).decl().name()] = new
                ch = self.vsa.set_vars(upd)
                if ch:
                    grew[rd.name] = grew.get(rd.name, 0) + 1
                changed |= ch
            changed |= self._grow_hus()
            if not changed:
                return
        # did not converge: give up precision (sound)
        self.vsa.set_vars({rd.name: TOP for rd in self.reads})
        self._grow_hus()

    # ------------------------------------------------------------------ hardware AF updates
    AF_MASK = 1 << D.AF
    RO_MASK = 1 << D.AP2                # read-only (herd db:0)

    def _grow_hus(self) -> bool:
        """Create the hardware Access-flag updates that the current value sets allow
        (Features.hw_af; rules hw-af-update, hw-af-spurious): one for each level of an
        access's walk on a CPU with hw_af whose descriptor may be a leaf with AF = 0;
        and, while any CPU has hw_af, a spurious one after each store that may write a
        valid AF = 0 leaf into a table of the scenario and after each such initial
        descriptor.  True if one was created."""
        if not self.features.hw_af:
            return False
        new = False
        af = V.const(self.AF_MASK, 64)
        for ch in self.chains:
            a = ch.access
            if ch.kind != "access" or a is None or a.fetch or not self.hw_af(ch.cpu):
                continue
            dirty = self.hw_db(ch.cpu) and (a.is_store or a.atomic)
            for k in ch.levels:
                key = ("walk", id(ch), k)
                if key in self._hu_keys:
                    continue
                rd = ch.reads[k]
                vals = self.vsa.values(rd.value)
                if vals is not TOP and not any(
                        _leaf_af0(v, k) or (dirty and _leaf_ro(v, k)) for v in vals):
                    continue
                self._hu_keys.add(key)
                d = rd.value
                flag = V.bool_not(D.access_flag(d))
                value = V.or_(d, af)
                if dirty:
                    # herd7 (TTHM=HD): a write, or a failed CAS that may still be treated
                    # as one, sets AF and the dirty state (AP[2] = 0) when either is
                    # unset; a CAS that fails and writes nothing may also set AF only
                    if a.atomic and a.rmw_w is not None:
                        udb = Or(self.exec(a.rmw_w), z3.Bool(f"udb_{ch.tag}_{k}"))
                    else:
                        udb = True
                    ro = D.read_only(d)
                    flag = Or(flag, And(udb, ro))
                    value = V.ite(zb(udb), V.and_(value, V.const(~self.RO_MASK & (1 << 64) - 1, 64)),
                                  value)
                cond = And(self.exec(a), self.mmu[a], ch.end[k], D.is_leaf(d, k), flag)
                self._new_hu(HWUpdate(name=f"{ch.tag}_{k}", addr=rd.addr,
                                      value=value, cond=cond, read=rd, access=a,
                                      level=k, owner=a.cpu))
                new = True
        tables = [(t.base, t.level) for t in self.scen.tables]
        for s in self.stores:
            key = ("store", id(s))
            if s.size != 8 or key in self._hu_keys:
                continue
            addrs = self.vsa.values(self.pa[s])
            vals = self.vsa.values(s.value)
            where = []
            for base, lv in tables:
                if addrs is not TOP and not any(base <= x < base + 0x1000 for x in addrs):
                    continue
                if vals is not TOP and not any(_leaf_af0(v, lv) for v in vals):
                    continue
                where.append((base, lv))
            if not where:
                continue
            self._hu_keys.add(key)
            pa = V.to_z3(self.pa[s])
            ins = []
            for base, lv in where:
                inside = z3.And(z3.UGE(pa, base), z3.ULT(pa, base + 0x1000))
                ins.append(And(inside, D.is_leaf(s.value, lv),
                               V.bool_not(D.access_flag(s.value))))
            name = f"sp_{s.cpu}_{s.index}"
            cond = And(z3.Bool(f"spx_{name}"), self.exec(s), Or(*ins),
                       V.bool_not(s.writeback) if s.writeback is not False else True)
            self._new_hu(HWUpdate(name=name, addr=self.pa[s], value=V.or_(s.value, af),
                                  cond=cond, source=s))
            new = True
        if ("init",) not in self._hu_keys:
            self._hu_keys.add(("init",))
            for base, lv in tables:
                for addr in range(base, base + 0x1000, 8):
                    v = self.scen.memory.get(addr)
                    if not isinstance(v, int) or not _leaf_af0(v, lv):
                        continue
                    name = f"sp_init_{addr:x}"
                    self._new_hu(HWUpdate(name=name, addr=V.const(addr, 64),
                                          value=V.const(v | self.AF_MASK, 64),
                                          cond=z3.Bool(f"spx_{name}")))
                    new = True
        return new

    def _new_hu(self, hu: HWUpdate):
        self.hus.append(hu)
        self.pa[hu] = hu.addr
        self.p[hu] = self.q[hu] = TV.var(f"p_hu_{hu.name}")

    def _rf(self, rd: Read):
        """What the read returns: the latest (largest `p`) candidate store visible to
        it, or the initial value when none is."""
        if not hasattr(self, "_final_store_sets"):
            self._final_store_sets = self._store_sets()
        cands, mixed = self._candidates(rd, self._final_store_sets)
        for s in mixed:
            self.mixed.append((rd, s))
        rd.cands = cands
        init = self.init_value(rd.addr, rd.size, rd.name)
        if init is None:
            init = V.var(f"init_{rd.name}", rd.size * 8)
            self.unknown_init.append(rd)
        cons = [rd.sel.domain(len(cands)), rd.M >= 0]
        val = init
        vis_all = []
        for i, s in enumerate(cands, 1):
            vis = self.visible(s, rd)
            vis_all.append(vis)
            cons.append(Implies(vis, rd.M >= self.p[s]))
            cons.append(Implies(rd.sel == i, And(vis, rd.M == self.p[s])))
            val = V.ite(rd.sel == i, s.value, val)
        cons.append(Implies(rd.sel == 0, And(rd.M == 0, *[z3.Not(v) for v in vis_all])))
        cons.append(V.to_z3(rd.value) == V.to_z3(val))
        self.add("read-latest-visible", And(*cons))

    def same_addr(self, s: Access, addr):
        sa, ra = self.vsa.values(self.pa[s]), self.vsa.values(addr)
        if sa is not TOP and ra is not TOP and len(sa) == 1 and sa == ra:
            return True
        return V.eq(self.pa[s], addr)

    def visible(self, s: Access, rd: Read):
        """Store s is visible to read rd (same address, happened, performed for the
        reader by the read's time)."""
        same = self.same_addr(s, rd.addr)
        if rd.walker:
            when = (self.q[s] if s.cpu == rd.observer else self.p[s]) < rd.time
        elif s.cpu == rd.observer:
            when = True             # own earlier store: forwarded (candidates exclude later)
        else:
            when = self.p[s] < rd.time
        return And(self.exec(s), same, when)

    # ------------------------------------------------------------------ helpers for rules
    def chain_alive(self, ch: Chain, k: int, leaf, start, end):
        """The level-k entry of `ch`, read at `start`, is not invalidated up to `end`
        by any TLBI performed on its CPU in between.  At one instant a TLBI is
        performed before reads and lookups: an entry read at the instant the TLBI is
        performed survives it, an entry used at that instant does not."""
        out = []
        for t in self.tlbis:
            inv = self.inv.get((t, ch.cpu))
            if inv is None:
                continue
            m = TL.matches(t.effect, self.features, va=ch.va, level=k, leaf=leaf,
                           is_global=self.entry_global(ch, k), asid=ch.asid,
                           regime_el=self.regime.el)
            if V.concrete_bool(m) is False:
                continue
            out.append(z3.Not(And(self.exec(t), m, start < inv, inv <= end)))
        return And(*out)

    def earlier(self, e: Event, cls=None, pred=None):
        """Events of e's CPU before it in the list (program-order earlier when both
        happen), optionally of a class."""
        tr = self.traces[e.cpu]
        out = []
        for f in tr.events[:e.index]:
            if cls is not None and not isinstance(f, cls):
                continue
            if pred is not None and not pred(f):
                continue
            out.append(f)
        return out

    def later(self, e: Event, cls=None):
        tr = self.traces[e.cpu]
        return [f for f in tr.events[e.index + 1:] if cls is None or isinstance(f, cls)]
