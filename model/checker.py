"""The checker: scenario -> symbolic execution -> formula -> verdict.

Verdicts (nothing but a complete, non-vacuous search prints PROVED):
  REFUTED       an execution within the bounds violates a property (with a shortest
                trace: fewest executed instructions).
  PROVED        no execution within the bounds violates any property, every path of
                every CPU ends within the step bound (returns or waits), no
                unsupported instruction is reachable, and there is an execution in
                which every CPU returns (the reachability witness).
  INCONCLUSIVE  the bound cuts some path, or no execution lets every CPU return.
  VACUOUS       the scenario's assumptions contradict each other.
  UNKNOWN       the solver gave up, or the search reached something the model
                cannot execute (an unsupported instruction, mixed-size accesses).
"""
from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field

import z3

from ..errors import ModelError
from . import properties as P
from . import timevars as TV
from . import values as V
from .encode import Or, And, Encoding, zb
from .events import Return
from .scenario import Scenario
from .shortest import ShortestSearch, cores
from .solving import check, new_solver
from .symex import Executor
from .trace import Trace, _true, extract

EXIT = {"PROVED": 0, "REFUTED": 1, "INCONCLUSIVE": 3, "VACUOUS": 3, "UNKNOWN": 3}


class UntrackedVA(Exception):
    """A descriptor the routine makes valid that no tracked VA's walk reads:
    args[0] = [(VA to track, why)], the VA whose walk reads it first."""


MAX_VA_ROUNDS = 16
UNTRACKED = "untracked"     # pseudo-property: a descriptor made valid no tracked VA walks


def _title(name: str) -> str:
    return P.PROPERTIES[name][0] if name in P.PROPERTIES else \
        "descriptor made valid where no tracked VA's walk reads"


@dataclass
class Verdict:
    status: str
    reason: str = ""
    prop: str | None = None
    trace: Trace | None = None
    witness: Trace | None = None
    bounds: dict = field(default_factory=dict)
    omits: list = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    scenario: str = ""

    @property
    def exit_code(self) -> int:
        return EXIT[self.status]


@dataclass
class Options:
    props: tuple = ("bbm", "conflict", "fault", "stale", "post")
    minimize: bool = True
    timeout_ms: int = 0                # 0: no limit
    reduce_await: bool = True
    prune_forks: bool = True           # symbolic execution: no fork on a decided branch
    minimize_step_ms: int = 10_000     # time limit of each step of trace minimisation
    optimize: bool = True              # shortest trace by one optimisation query first
    optimize_ms: int = 120_000         # its time limit (then: bisection, step by step)
    jobs: int = field(default_factory=lambda: min(2, cores()))  # 2: that optimisation runs
                                       # beside the all-properties query, on a second core
    disabled_rules: frozenset = frozenset()
    witness: bool = True
    progress: object = None            # callable(str) for progress messages
    time_sort: str = "int"             # "int" (default, faster on kpti) or "bv" (pure QF_BV)
    bit_blast: bool = False            # bit-blast before solving (solving.py; not yet the
                                       # default: docs/performance.md, stop 25)


# starts with what is omitted: a REFUTED report shows only the words before the first
# ':' (or ',' or ' ('), and "instruction fetch" there would say fetches are not modelled
FETCH_MODELLED = (
    "self-modifying code and instruction caches: each instruction, and the caller's "
    "instruction at a concrete return address, is fetched through the translation in "
    "effect (looked up after the last ISB), but instruction caches and self-modifying "
    "code are not modelled")

MODEL_OMITS = [
    "caches: data and instruction cache maintenance (DC, IC) is recorded but not modelled; "
    "memory is coherent even with the MMU off",
    "instruction fetch: instructions are fetched without translation (the code mapping is "
    "assumed valid and unchanged)",
    "stage 2 translation, hardware updates of AF/DBM, 16K/64K granules",
    "permission faults: a store through a read-only mapping is not checked",
    "exceptions and interrupts (eret/hvc/smc end the analysis as unsupported)",
    "shareability domains beyond 'own CPU' (NSH) and 'every modelled CPU' (ISH/OSH/SY)",
]


def model_omits(scen: Scenario) -> list[str]:
    """MODEL_OMITS, with the instruction-fetch line replaced when the scenario models
    fetches."""
    if not getattr(scen, "fetch", False):
        return list(MODEL_OMITS)
    return [FETCH_MODELLED if o.startswith("instruction fetch:") else o for o in MODEL_OMITS]


def _unapplied_writes(scen: Scenario, traces) -> list[str]:
    """What the routine writes that the model records but does not apply: TCR
    (every walk uses the spec's regime) and MAIR (memory types are not modelled)."""
    from .events import SysRegWrite
    at: dict = {}
    for tr in traces:
        for e in tr.events:
            if isinstance(e, SysRegWrite) and e.name.split("_")[0] in ("tcr", "mair"):
                loc = e.instr.loc.short() if e.instr is not None else "?"
                at.setdefault(e.name.split("_")[0], []).append(f"{e.name} at {loc}")
    out = []
    if "tcr" in at:
        out.append(f"TCR writes are recorded, not applied ({', '.join(sorted(set(at['tcr'])))}): "
                   f"every walk uses the spec's regime ({scen.regime.describe()}"
                   + ("" if scen.regime.a1 else "; ASID from TTBR0, TCR.A1 = 0") + ")")
    if "mair" in at:
        out.append(f"MAIR writes are recorded, not applied ({', '.join(sorted(set(at['mair'])))}): "
                   f"memory types are not modelled")
    return out


def initial_load_hint(scen: Scenario, c):
    """load_hint(va, size) for CPU setup `c`: the value of the scenario's initial memory
    at the PA that a walk of the CPU's *initial* tables gives for `va` (VA = PA with
    the MMU off), when every descriptor and the word read are concrete; else None.
    Only a guess for symbolic execution (which side of a branch to explore first,
    symex.Executor._hinted): a wrong one costs an INCONCLUSIVE, never a verdict."""
    R, mem, el = scen.regime, scen.memory, scen.regime.el

    def concrete(v):
        if isinstance(v, int):
            return v
        return V.as_int(v) if v is not None and V.is_concrete(v) else None

    def word(pa):
        return concrete(mem.get(pa))

    def translate(va):
        sctlr = concrete(c.sysregs.get(f"sctlr_el{el}"))
        if sctlr is None:
            return None
        if not sctlr & 1:
            return va
        top = va >> R.va_bits
        if top == 0:
            ttbr = c.sysregs.get(f"ttbr0_el{el}")
        elif el == 1 and top == (1 << (64 - R.va_bits)) - 1:
            ttbr = c.sysregs.get("ttbr1_el1")
        else:
            return None
        ttbr = concrete(ttbr)
        if ttbr is None:
            return None
        base = V.as_int(R.ttbr_table_base(V.const(ttbr, 64)))
        for level in range(R.start_level, 4):
            hi, lo = R.index_bits(level)
            d = word(base + 8 * ((va >> lo) & ((1 << (hi - lo + 1)) - 1)))
            if d is None or not d & 1:
                return None
            if level < 3 and d & 2:                      # table
                base = d & ((1 << 48) - 1) & ~0xFFF
                continue
            if level == 0 or (level == 3 and not d & 2):  # reserved encodings
                return None
            mask = (1 << lo) - 1
            return (d & ((1 << 48) - 1) & ~mask) | (va & mask)
        return None

    def hint(va, size):
        pa = translate(va)
        if pa is None or (pa & 7) + size > 8:
            return None
        w = word(pa & ~7)
        if w is None:
            return None
        return (w >> (8 * (pa & 7))) & ((1 << (8 * size)) - 1)
    return hint


def _cpu_traces(scen: Scenario, opts: Options):
    """Each CPU's symbolic execution.  Where the step bound cuts a path (typically a
    loop whose trip count is a loaded value: every iteration forks, and the paths
    that leave it merge with the one the bound cuts) and the reductions are on, the
    CPU is executed again with load hints (initial_load_hint): a loop is left where
    the values its loads would read from the initial memory leave it, and the next
    iteration is kept as an unexplored path — reported if any execution takes it."""
    traces = []
    for c in scen.cpus:
        entry_addr = scen.symbol_address(c.entry)
        handler = None
        if getattr(c, "faults", "fatal") == "handler":
            handler = tuple(scen.symbol_address(x) for x in c.handler)

        def execute(hint=None):
            ex = Executor(scen.program, c.cpu, c.entry, entry_addr, c.regs, c.sysregs,
                          scen.symbol_address, scen.bound, sp=c.sp,
                          reduce_await=opts.reduce_await,
                          fetch=getattr(scen, "fetch", False),
                          end_before=getattr(scen, "end_before", ()),
                          prune_forks=opts.prune_forks, load_hint=hint,
                          handled=getattr(c, "faults", "fatal") == "handled",
                          handler=handler)
            return ex.run()
        tr = execute()
        if opts.prune_forks and tr.stats.get("cut"):
            hinted = execute(initial_load_hint(scen, c))
            if hinted.stats.get("unexplored"):
                tr = hinted
        traces.append(tr)
    return traces


def bounds_of(scen: Scenario) -> dict:
    return {
        "cpus": len(scen.cpus),
        "steps": scen.bound,
        "regime": scen.regime.describe(),
        "geometry": scen.geometry or f"{scen.regime.entries} entries per table",
        "features": scen.features.describe(),
        "initial_tlb": scen.initial_tlb,
    }


class Checker:
    def __init__(self, scen: Scenario, opts: Options | None = None):
        self.scen = scen
        self.opts = opts or Options()
        self.stats: dict = {}
        self._last_s = 0.0             # seconds of the last query (_why_unknown)

    def _say(self, msg):
        if self.opts.progress:
            self.opts.progress(msg)

    def _solver(self):
        s = new_solver(self.opts.bit_blast)
        if self.opts.timeout_ms:
            s.set("timeout", self.opts.timeout_ms)
        return s

    def run(self) -> Verdict:
        """Check the scenario.  The tracked VAs (the spec's, one per path of declared
        table entries) are extended with each VA whose descriptor the routine makes
        valid where no tracked VA's walk reads (a mapping it creates), and the check
        run again, until none is left (at most MAX_VA_ROUNDS rounds)."""
        t0 = time.perf_counter()
        added = []
        for _ in range(MAX_VA_ROUNDS):
            try:
                verdict = self._run_once()
            except UntrackedVA as e:
                new = [(va, where) for va, where in e.args[0]
                       if va not in self.scen.tracked_vas]
                if not new or new[0][0] != e.args[0][0][0]:
                    raise ModelError(f"internal: tracked VA {e.args[0][0][0]:#x} reported "
                                     f"untracked")
                self._say(f"tracking VA {new[0][0]:#x} too ({new[0][1]})")
                self.scen = dataclasses.replace(self.scen, tracked_vas=sorted(
                    set(self.scen.tracked_vas) | {va for va, _ in new}))
                added += new
                continue
            break
        else:
            verdict = Verdict("INCONCLUSIVE", f"the routine keeps making descriptors valid "
                                              f"where no tracked VA's walk reads, after "
                                              f"{MAX_VA_ROUNDS} VAs added")
            verdict.bounds = bounds_of(self.scen)
            verdict.omits = model_omits(self.scen) + list(self.scen.omits)
            verdict.scenario = self.scen.name
        if added:
            verdict.bounds["tracked_vas_added"] = [
                {"va": f"{va:#x}", "store": where} for va, where in added]
            self.stats["tracked_vas_added"] = len(added)
            self.stats["total_s"] = round(time.perf_counter() - t0, 3)
            verdict.stats = dict(self.stats)
        return verdict

    def _run_once(self) -> Verdict:
        t0 = time.perf_counter()
        scen, opts = self.scen, self.opts
        props = [p for p in opts.props if p != "stale" or scen.stale_vas]
        if "post" in props and not scen.postconditions:
            props.remove("post")
        self._say("symbolic execution")
        traces = _cpu_traces(scen, opts)
        self.stats["symex_s"] = round(time.perf_counter() - t0, 3)
        self.stats["events"] = sum(len(t.events) for t in traces)
        self.stats["paths"] = [t.stats for t in traces]
        self._say(f"encoding {self.stats['events']} events")
        t1 = time.perf_counter()
        TV.set_kind(opts.time_sort)
        enc = Encoding(scen, traces, disabled=opts.disabled_rules)
        enc.build(props)
        violations = {p: P.BUILDERS[p](enc) for p in props}
        # a violation counts only in an execution the model computes exactly: one
        # with a store overlapping a read only in part (mixed-size) is left to the
        # mixed-size check, which answers UNKNOWN
        mixed, _ = P.mixed_size(enc)
        if not (isinstance(mixed, z3.BoolRef) and z3.is_false(mixed)):
            for v in violations.values():
                v.cond = And(v.cond, z3.Not(zb(mixed)))
        # the tracked VAs must cover every descriptor the routine makes valid: asked
        # with the properties, last in their order (a violation of it is no finding:
        # run() adds the VA and checks again)
        if violations:
            ucond, uparts = P.untracked_descriptors(enc)
            violations[UNTRACKED] = P.Violation(UNTRACKED, ucond, uparts)
        self.enc = enc
        self.stats["encode_s"] = round(time.perf_counter() - t1, 3)
        self.stats["constraints"] = len(enc.constraints)
        base = self._solver()
        for _, c in enc.constraints:
            base.add(c)
        for a in scen.assumptions:
            base.add(zb(a))
        for v in TV.take_registered():
            base.add(TV.in_range(v))
        self.solver = base
        verdict = self._decide(enc, base, violations)
        verdict.bounds = bounds_of(scen)
        verdict.omits = model_omits(scen) + list(scen.omits) + _unapplied_writes(scen, traces)
        self.stats["total_s"] = round(time.perf_counter() - t0, 3)
        verdict.stats = dict(self.stats)
        verdict.scenario = scen.name
        return verdict

    # ------------------------------------------------------------------ queries
    def _solve(self, s, phase: str):
        """s.check(), its seconds added to its phase (stats['phase_s']): 'all' (every
        property at once), 'search' (property by property), 'minimize', 'checks'
        (unsupported, mixed-size, bound, witness).  Returns (answer, seconds)."""
        t = time.perf_counter()
        r = check(s)
        dt = time.perf_counter() - t
        self._last_s = dt
        ph = self.stats.setdefault("phase_s", {})
        ph[phase] = round(ph.get(phase, 0.0) + dt, 3)
        return r, dt

    def _check(self, s, *extra, phase: str = "checks"):
        s.push()
        for e in extra:
            s.add(zb(e))
        r, dt = self._solve(s, phase)
        self.stats.setdefault("queries", []).append(round(dt, 3))
        m = s.model() if r == z3.sat else None
        if r != z3.sat:
            s.pop()
        return r, m

    def _decide(self, enc: Encoding, s, violations) -> Verdict:
        live = {n: v for n, v in violations.items()
                if not (v.cond is False or (isinstance(v.cond, z3.BoolRef)
                                            and z3.is_false(v.cond)))}
        # 1. the properties, all at once: one proof when they all hold.  A violation
        #    also shows the assumptions are consistent.
        first = None        # (the first violable property in order, a model violating it)
        if live:
            r, m, first = self._any_violation(enc, s, live)
            if first is None and r == z3.sat:
                first = self._first_violable(enc, s, live, m)
            elif r == z3.unsat:
                live = {}
        # 2. the first violated property in order is reported, its trace minimised
        if first is not None:
            name, m = first
            if name == UNTRACKED:
                raise UntrackedVA(P.untracked_va(enc, m, live[name].parts))
            trace = self._explain(enc, m, name, live[name])
            return Verdict("REFUTED", trace.violation, prop=name, trace=trace)
        # ...or, when the solver gave up, property by property
        unknowns = []
        for name, viol in live.items():
            self._say(f"searching for a {_title(name)}")
            r, m = self._check(s, viol.cond, phase="search")
            if r == z3.unknown:
                unknowns.append((name, self._why_unknown(s)))
                continue
            if r == z3.sat and name == UNTRACKED:
                s.pop()
                raise UntrackedVA(P.untracked_va(enc, m, viol.parts))
            if r == z3.sat:
                if self.opts.minimize:
                    m = self._minimize(enc, s, m)
                s.pop()
                trace = self._explain(enc, m, name, viol)
                return Verdict("REFUTED", trace.violation, prop=name, trace=trace)
        if unknowns:
            why = {}            # properties by reason, in property order
            for name, reason in unknowns:
                why.setdefault(reason, []).append(
                    name if name != UNTRACKED else "the tracked VAs' coverage")
            return Verdict("UNKNOWN", "solver gave up on " + "; ".join(
                f"{', '.join(names)}: {reason}" for reason, names in why.items()))
        # 3. can the search reach what the model cannot execute?
        cond, parts = P.unsupported(enc)
        r, m = self._check(s, cond)
        if r == z3.unknown:
            return self._gave_up(s, "the check for unsupported instructions")
        if r == z3.sat:
            s.pop()
            stop = next(d["stop"] for c, d in parts if z3.is_true(m.eval(zb(c), True)))
            return Verdict("UNKNOWN", f"an instruction the model cannot execute is reachable "
                                      f"on CPU{stop.cpu} at {stop.instr.loc if stop.instr else '?'}: "
                                      f"{stop.detail}")
        cond, parts = P.mixed_size(enc)
        r, m = self._check(s, cond)
        if r == z3.unknown:
            return self._gave_up(s, "the mixed-size check")
        if r == z3.sat:
            s.pop()
            rd, st = next((d["read"], d["store"]) for c, d in parts
                          if z3.is_true(m.eval(zb(c), True)))
            return Verdict("UNKNOWN", f"mixed-size accesses to one location are not modelled "
                                      f"({P.describe_mixed(st, rd)})")
        if enc.unknown_init:
            pass   # reads of unknown initial memory are over-approximated (sound)
        # 4. does the bound cut a path?
        cond, parts = P.cut_by_bound(enc)
        r, m = self._check(s, cond)
        if r == z3.unknown:
            return self._gave_up(s, "the check that the bound cuts no path")
        if r == z3.sat:
            s.pop()
            stop = next(d["stop"] for c, d in parts if z3.is_true(m.eval(zb(c), True)))
            if stop.reason == "unexplored":
                return Verdict("INCONCLUSIVE", f"an execution of CPU{stop.cpu} takes a branch "
                                               f"symbolic execution did not explore ({stop.detail}, "
                                               f"its initial value); no violation in the "
                                               f"explored ones")
            return Verdict("INCONCLUSIVE", f"the bound of {self.scen.bound} steps per CPU cuts an "
                                           f"execution of CPU{stop.cpu} ({stop.detail}); no "
                                           f"violation within it — raise --bound")
        # 5. reachability witness: every CPU returns
        if self.opts.witness:
            r, m = self._check(s, P.completion(enc))
            if r == z3.sat:
                w = extract(enc, m)
                s.pop()
                v = Verdict("PROVED", "no violation in any execution within the bounds; every "
                                      "path ends within the bound and an execution exists in "
                                      "which every CPU returns")
                v.witness = w
                return v
            if r == z3.unknown:
                return Verdict("UNKNOWN", f"solver gave up on the reachability witness: "
                                          f"{self._why_unknown(s)}")
        # no witness: are the scenario's assumptions consistent at all?
        self._say("checking the scenario's assumptions")
        r, m = self._check(s)
        if r == z3.sat:
            s.pop()
        if r == z3.unsat:
            return Verdict("VACUOUS", "the scenario's assumptions contradict each other: "
                                      "no execution exists")
        if r == z3.unknown:
            return Verdict("UNKNOWN", f"solver gave up: {self._why_unknown(s)}")
        if self.opts.witness:
            # without property fault, a routine whose every path has an access that
            # faults lands here too (a fault stops its CPU); with it, that fault would
            # have been reported
            why = ("" if "fault" in self.opts.props else
                   ", or an access that faults on every path: check property fault too")
            return Verdict("INCONCLUSIVE", "no execution within the bounds lets every CPU "
                                           f"return (deadlock, or a CPU waits forever{why})")
        return Verdict("PROVED", "no violation in any execution within the bounds")

    def _gave_up(self, s, what: str) -> "Verdict":
        return Verdict("UNKNOWN", f"solver gave up on {what}: {self._why_unknown(s)}")

    def _why_unknown(self, s) -> str:
        """Why the last query of `s` answered unknown.  Z3 says only "canceled" (or
        "unknown", through the bit-blasting solver) when the time limit stops it, so a
        query that ran for the whole limit says that instead."""
        limit = self.opts.timeout_ms
        if limit and self._last_s * 1000 >= 0.95 * limit:
            return f"time limit of {limit / 1000:g} s per query reached (--timeout)"
        return s.reason_unknown()

    def _any_violation(self, enc, s, live: dict):
        """Step 1: does any execution violate any property?  With minimisation, the
        shortest-trace optimisation (model/shortest.py) also runs: with two jobs on
        a thread of its own, at once, and whichever answers first stops the other (its
        sat answer is a violation, its unsat answer the same proof); with one job
        after the all-properties query, when that finds a violation.  Returns (answer,
        a model of the all-properties query or None, (name, model) of the first
        violated property with its shortest trace, or None)."""
        wanted = self.opts.minimize and self.opts.optimize
        race = wanted and self.opts.jobs >= 2
        search = self._shortest_search(enc, s, live) if race else None
        lock = threading.Lock()
        state = {"all": False, "done": False, "interrupted": False}

        def answered(srch):
            if srch.answer in (z3.sat, z3.unsat) or srch.by_user:
                with lock:
                    state["done"] = True
                    if state["all"]:
                        state["interrupted"] = True
                        s.interrupt()     # this solver only: its context stays usable
        if race:
            search.start(answered)
        self._say("searching for any violation")
        s.push()
        s.add(zb(Or(*[v.cond for v in live.values()])))
        with lock:
            skipped = state["done"]       # the optimiser has answered already
            state["all"] = not skipped
        if skipped:
            r, dt = z3.unknown, 0.0
        else:
            try:
                r, dt = self._solve(s, "all")
            except BaseException:       # Ctrl-C: stop the other thread too
                if race:
                    search.cancel()
                raise
            finally:
                with lock:
                    state["all"] = False
            self.stats.setdefault("queries", []).append(round(dt, 3))
        if race and r == z3.unknown:
            search.join()
            if search.by_user:
                raise KeyboardInterrupt
        m = s.model() if r == z3.sat else None
        s.pop()
        if race:
            self.stats["race"] = {"all": "skipped" if skipped else str(r),
                                  "interrupted": state["interrupted"]}
        first = None
        if wanted and (r == z3.sat or (race and r == z3.unknown)):
            if not race:
                search = self._shortest_search(enc, s, live)
                search.run()
            first = self._shortest_result(search, live)
            if r == z3.unknown and search.answer == z3.unsat:
                r = z3.unsat        # the optimiser's proof: no execution violates any
        elif search is not None:
            search.cancel()
            search.join()
        return r, m, first

    def _shortest_search(self, enc, s, live: dict) -> ShortestSearch:
        """The first property, in property order, that some execution violates, and
        its shortest trace, in one lexicographic optimisation (model/shortest.py):
        one query instead of an unsat proof of the earlier properties, a bisection on
        the trace's length and an unsat proof one instruction below the shortest
        (stop 17: the kpti fixmap mutants' 47-70 s became 14-19 s;
        docs/performance.md).  Built here, run beside the all-properties query (on a
        second core) or after it."""
        names = list(live)
        budget = self.opts.optimize_ms
        if self.opts.timeout_ms:
            budget = min(budget, self.opts.timeout_ms)
        first = z3.IntVal(len(names))
        for k in reversed(range(len(names))):
            first = z3.If(zb(live[names[k]].cond), k, first)
        return ShortestSearch(s.assertions(), first, len(names), self._count(enc), budget)

    def _shortest_result(self, search: ShortestSearch, live: dict):
        """(name, model) from the optimisation, or None when it gave up within its
        time limit (the caller then searches step by step) or found no violation."""
        self._say("searching for the first property violated and its shortest trace")
        answer, index, count, m = search.result()
        if search.by_user:
            raise KeyboardInterrupt
        dt = search.seconds
        ph = self.stats.setdefault("phase_s", {})
        ph["minimize"] = round(ph.get("minimize", 0.0) + dt, 3)
        self.stats.setdefault("queries", []).append(round(dt, 3))
        self.stats["optimize"] = {"answer": str(answer), "s": round(dt, 3),
                                  "translate_s": round(search.translate_s, 3)}
        if answer != z3.sat:
            return None
        self.stats["minimal"] = True
        self.stats["instructions"] = count
        return list(live)[index], m

    def _first_violable(self, enc, s, live: dict, m):
        """The first property, in property order, that some execution violates, and
        a trace of it (minimised), from a model `m` that violates some property:
        one query asks for a violation of any property before the first one `m`
        violates (an unsat proof of all of them at once, not one each); when it
        finds one, the same again from its model.  Returns (name, model), or None
        when the solver gave up (then the caller searches property by property)."""
        names = list(live)
        while True:
            i = next(k for k, n in enumerate(names) if _true(m, zb(live[n].cond)))
            if i > 0:
                self._say("searching the earlier properties: "
                          + ", ".join(_title(n) for n in names[:i]))
                r, m2 = self._check(s, Or(*[live[n].cond for n in names[:i]]),
                                    phase="search")
                if r == z3.sat:
                    s.pop()
                    m, names = m2, names[:i]
                    continue
                if r != z3.unsat:
                    return None
            if self.opts.minimize:
                s.push()
                s.add(zb(live[names[i]].cond))
                m = self._minimize(enc, s, m)
                s.pop()
            return names[i], m

    def _count(self, enc):
        return TV.count([zb(enc.happens(e)) for tr in enc.traces for e in tr.events
                         if e.step is not None])

    def _minimize(self, enc, s, m):
        """Fewest executed instructions: binary search on a bound of the count, with
        a probe one below each trace found (at most twice in a row).  Each
        step is time-limited (proving that no shorter trace exists can cost far more
        than finding the violation); when a step gives up, the shortest trace found so
        far is kept and stats['minimal'] says it may not be the shortest."""
        count = self._count(enc)
        best = m.eval(count, model_completion=True).as_long()
        lo = 0
        step_ms = self.opts.minimize_step_ms
        if self.opts.timeout_ms:
            step_ms = min(step_ms, self.opts.timeout_ms)
        s.set("timeout", step_ms)
        minimal = True
        descend = 0     # consecutive probes just below a trace found
        try:
            while lo < best:
                # after a trace is found, probe one instruction shorter: the solver's
                # traces tend to sit at or just above the shortest length, so one
                # unsat proof there often ends the search (the unsat steps close to
                # the shortest length are the costly ones); binary search otherwise
                mid = best - 1 if 0 < descend <= 2 else (lo + best) // 2
                s.push()
                s.add(count <= mid)
                r, dt = self._solve(s, "minimize")
                found = None
                if r == z3.sat:
                    m = s.model()
                    best = found = m.eval(count, model_completion=True).as_long()
                    descend += 1
                elif r == z3.unsat:
                    lo = mid + 1
                    descend = 0
                # (bound tried, answer, seconds, instructions of the trace found)
                self.stats.setdefault("min_steps", []).append((mid, str(r), round(dt, 3), found))
                s.pop()
                if r == z3.unknown:
                    minimal = False
                    break
        finally:
            s.set("timeout", self.opts.timeout_ms or 4294967295)
        self.stats["minimal"] = minimal
        self.stats["instructions"] = best
        return m

    # ------------------------------------------------------------------ outcomes
    def reachable(self, outcome, *, require_end: bool = True):
        """Is a final-state condition reachable?  `outcome(enc, final)` builds a Z3
        Bool from the encoding and an `Outcome` helper (final registers, memory,
        faults).  With `require_end`, every CPU must have ended: returned, or stopped
        by a fault.  Returns (answer, trace): answer is 'reachable', 'unreachable',
        'unknown' (with the reason in trace) or 'unsupported'."""
        t0 = time.perf_counter()
        scen = self.scen
        traces = _cpu_traces(scen, self.opts)
        TV.set_kind(self.opts.time_sort)
        enc = Encoding(scen, traces, disabled=self.opts.disabled_rules)
        enc.build(())
        self.enc = enc
        fin = Outcome(enc)
        cond = outcome(enc, fin)
        if require_end:
            cond = And(fin.all_ended(), cond)
        s = self._solver()
        for _, c in enc.constraints:
            s.add(c)
        for a in scen.assumptions:
            s.add(zb(a))
        for v in TV.take_registered():
            s.add(TV.in_range(v))
        # mixed-size accesses to one location are not modelled: no answer either way
        mcond, mparts = P.mixed_size(enc)
        if not (isinstance(mcond, z3.BoolRef) and z3.is_false(mcond)):
            rm, mm = self._check(s, mcond)
            if rm == z3.unknown:
                return "unknown", f"mixed-size check: {self._why_unknown(s)}"
            if rm == z3.sat:
                s.pop()
                rd, st = next((d["read"], d["store"]) for c, d in mparts
                              if z3.is_true(mm.eval(zb(c), True)))
                return "unsupported", (f"mixed-size accesses to one location "
                                       f"({P.describe_mixed(st, rd)})")
        r, m = self._check(s, cond)
        self.stats["total_s"] = round(time.perf_counter() - t0, 3)
        if r == z3.sat:
            tr = extract(enc, m)
            s.pop()
            return "reachable", tr
        if r == z3.unknown:
            return "unknown", self._why_unknown(s)
        # unreachable -- unless the search hits something the model cannot execute
        ucond, parts = P.unsupported(enc)
        r2, m2 = self._check(s, ucond)
        if r2 == z3.unknown:
            return "unknown", f"unsupported-instruction check: {self._why_unknown(s)}"
        if r2 == z3.sat:
            s.pop()
            stop = next(d["stop"] for c, d in parts if z3.is_true(m2.eval(zb(c), True)))
            return "unsupported", stop.detail
        return "unreachable", None

    # ------------------------------------------------------------------ explanation
    def _explain(self, enc, m, name, viol) -> Trace:
        from .explain import explain
        return explain(enc, m, name, viol)


class Outcome:
    """Final-state terms for outcome conditions (litmus `exists` clauses).

    A CPU ends when it returns from its entry or when an access faults (it stops
    there, as herd7's `fatal` variant says) -- unless its faults are handled
    (CpuSetup.faults = 'handled'): then only by returning."""

    def __init__(self, enc: Encoding):
        self.enc = enc

    def _returns(self, cpu):
        return [e for e in self.enc.traces[cpu].events if isinstance(e, Return)]

    def _faults(self, cpu):
        # (the write of an LSE atomic shares its read's translation and fault)
        return [(a, f) for a, f in self.enc.fault.items()
                if a.cpu == cpu and V.concrete_bool(f) is not False
                and not (a.atomic and a.is_store)]

    def ended(self, cpu):
        enc = self.enc
        outs = [enc.happens(r) for r in self._returns(cpu)]
        if cpu not in enc.handled:      # a handled fault does not end the CPU's run
            outs += [And(enc.happens(a), f) for a, f in self._faults(cpu)]
        from .encode import Or
        return Or(*outs)

    def all_ended(self):
        return And(*[self.ended(c) for c in range(self.enc.ncpus)])

    def reg(self, cpu: int, n: int):
        """X<n> of `cpu` when it ended (64-bit term)."""
        enc = self.enc
        val = V.const(0, 64)
        for a, f in self._faults(cpu) if cpu not in enc.handled else ():
            if a.regs_before:
                val = V.ite(And(enc.happens(a), f), a.regs_before[n], val)
        for r in self._returns(cpu):
            val = V.ite(enc.happens(r), r.state.regs[n], val)
        return val

    def fault(self, cpu: int, address: int | None = None, va=None, kind: str | None = None):
        """Some access of `cpu` (at instruction `address`, to `va`) faulted.
        kind: 'translation' (invalid descriptor), 'access-flag' (AF = 0) or
        'permission' (a store through a read-only leaf, Features.write_permission)."""
        from .encode import Or
        from .vmsa import descriptor as D
        enc = self.enc
        outs = []
        for a, f in self._faults(cpu):
            if address is not None and a.instr is not None and a.instr.address != address:
                continue
            c = And(enc.happens(a), f)
            if va is not None:
                c = And(c, V.eq(a.va, V.const(va, 64) if isinstance(va, int) else va))
            if kind is not None and a in enc.chain_of:
                ch = enc.chain_of[a]
                ks = []
                for k in ch.levels:
                    d = ch.d[k]
                    leaf = D.is_leaf(d, k)
                    af0 = (False if enc.hw_af(a.cpu) else      # the walker sets AF
                           V.bool_and(leaf, V.bool_not(D.access_flag(d))))
                    ks.append(And(ch.end[k], af0 if kind == "access-flag" else
                                  V.bool_not(leaf) if kind == "translation" else
                                  And(ch.ok[k], ch.perm)))
                c = And(c, Or(*ks))
            outs.append(c)
        return Or(*outs)

    def mem(self, addr: int, size: int = 8):
        """The value at physical `addr` at the end (after every store)."""
        return P.final_value(self.enc, addr, size)

    def final_time(self):
        return P.final_time(self.enc)
