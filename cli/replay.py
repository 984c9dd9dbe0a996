"""`bbmcheck replay TRACE.json`: re-run a saved counterexample concretely.

The JSON report (`bbmcheck prove --format json`) names the check it came from
(`invocation`: assembly file, spec, options).  Replay rebuilds that scenario and
re-executes the trace without the solver:

1. Every CPU runs its routine on the concrete interpreter (the same instruction
   semantics as the checker, model/isa, through model/runner's ConcreteContext)
   from the scenario's initial registers; each load returns the value the trace
   claims.  The instructions it executes must be exactly the trace's (pc by pc, the
   register-only ones included), and the addresses and values of its stores and its
   register writes must be the trace's.  The times of each CPU's instructions follow
   program order and the ordering rules (load-after-issue, DSB and ISB before later
   loads, acquire/release, DMB, one location's stores, with FEAT_ETS2 a DSB before
   later translation lookups), recomputed from the
   instructions executed (Replay.check_ordering).
2. The trace's claims about memory are then checked against the stores the CPUs
   made and the scenario's initial memory: every load and every walk read returns
   the latest store (in the order stores become visible to everyone) visible to its
   reader at its time; a read-modify-write (load-/store-exclusive, LSE atomic) is
   atomic in that order — a CPU's own earlier stores at once to its loads, to its own
   walker from the step the store reaches it, to others from the step it reaches
   everyone; each walk starts at the TTBR and follows its table descriptors.
3. The machine's steps must be legal: a store reaches its walker and then everyone
   after it is issued; a TLBI is performed after it is issued; a DSB only completes
   after the stores it waits for are visible and the TLBIs it completes are
   performed on every CPU in their scope; an access's translation comes from a walk
   whose entry was not invalidated between the walk and the access.
4. The violated property holds in the replayed state: for `conflict`, both entries
   are in the CPU's TLB at the failing time (filled, not invalidated) and differ; for
   `bbm`, the old descriptor (recomputed) is valid, the new one is valid and needs
   break-before-make, and the holder's entry from the old value is still alive when
   the new value reaches a walker; for `fault`, the access's walk reads an invalid
   descriptor at its lookup time; for `stale`, the entry the access uses differs
   from what a walk of memory, as the CPU's walker sees it at the lookup time, gives
   (from a TTBR value the CPU's translation may use then);
   for `post`, every CPU has returned and the postcondition, evaluated on the
   replayed final state (memory after every store, each CPU's registers, the TLB
   entries of the trace not invalidated by the end), fails.

Exit status: 0 the violation is confirmed; 1 the trace is rejected (the first
failed check is printed with the step it concerns); 2 bad input; 3 the steps replay
but the property has no concrete check (a postcondition kind without one).
"""
from __future__ import annotations

import json
import os
import sys

import click

from ..errors import BbmError
from .report import tlbi_hits


class Rejected(Exception):
    pass


def _int(x):
    if x is None:
        return None
    if isinstance(x, bool):
        return int(x)
    if isinstance(x, int):
        return x
    return int(x, 16) if isinstance(x, str) and x.startswith("0x") else int(x)


# --------------------------------------------------------------------------- scenario

def rebuild_scenario(rep: dict, trace_path: str):
    """The scenario of the report's invocation (paths relative to its cwd)."""
    from ..specs.spec import load_spec, parse_entries
    inv = rep.get("invocation")
    if not inv:
        raise BbmError("the report has no `invocation` (written by an older bbmcheck?)",
                       file=trace_path)
    cwd = inv.get("cwd") or os.getcwd()

    def at(p):
        return p if p is None or os.path.isabs(p) else os.path.join(cwd, p)
    defs = {}
    for d in inv.get("defines", []):
        k, _, v = d.partition("=")
        defs[k] = v if _ else None
    entries = parse_entries(inv["entries"]) if inv.get("entries") else None
    kw = dict(features=inv.get("features", []), cpus=inv.get("cpus"),
              bound=inv.get("bound"), profile=inv.get("profile"),
              include_dirs=[at(p) for p in inv.get("include_dirs", [])], defines=defs,
              capabilities=inv.get("capabilities", []), entries=entries)
    if inv.get("spec"):
        scen = load_spec(at(inv["spec"]), asm_file=at(inv.get("file")), **kw)
        if inv.get("entry"):
            for c in scen.cpus:
                c.entry = inv["entry"]
        return scen
    # a bundled spec, picked by its title, loaded as `bbmcheck prove` loaded it
    from .. import specs
    f = at(inv["file"])
    for title, scen in specs.bundled_scenarios(f, inv.get("entry"), **kw):
        if title == inv.get("bundled", rep["check"]):
            return scen
    raise BbmError(f"no bundled spec '{inv.get('bundled', rep['check'])}' fits {f}",
                   file=trace_path)


# --------------------------------------------------------------------------- replay

class Replay:
    def __init__(self, scen, tr: dict):
        self.scen = scen
        self.tr = tr
        self.steps = tr["steps"]
        self.by_n = {s["n"]: s for s in self.steps}
        self.instr = {s["data"]["event"]: s for s in self.steps if s["kind"] == "instr"}
        # each CPU's instruction steps in program order (by event index)
        self.program_order: dict = {}
        for st in sorted((x for x in self.steps if x["kind"] == "instr"),
                         key=lambda x: int(x["data"]["event"].split(".")[1])):
            self.program_order.setdefault(st["cpu"], []).append(st)
        self.ncpus = len(scen.cpus)
        self.notes: list[str] = []
        self.final_ctx: dict = {}       # cpu -> its concrete context when it stopped
        self.access_kind: dict = {}     # step n -> acquire/noret (loads), release (stores)
        self.barrier_of: dict = {}      # step n -> the DMB/DSB its instruction makes
        self.returned: dict = {}        # cpu -> whether it returned from its routine
        self.rmw: list = []             # (read step, write step, "exclusive" | "atomic")
        self.read_from: dict = {}       # load step n -> the store it reads (None: initial)
        self.translated_as: dict = {}   # an atomic's write event -> its read's: one translation

    def fail(self, s, msg):
        where = f"step {s['n']} (CPU{s['cpu']}{', ' + s['loc'] if s.get('loc') else ''})" \
            if s else "trace"
        raise Rejected(f"{where}: {msg}")

    # ---- 1. run every CPU
    def run_cpus(self):
        from ..model import values as V
        from ..model.isa import decode
        from ..model.runner import RETURN_SENTINEL, STACK_TOP, FlatMemory
        scen = self.scen
        cpus_data = {c["cpu"]: c for c in self.tr.get("cpus", [])}
        for c, cs in enumerate(scen.cpus):
            mine = self.program_order.get(c, [])
            expected = []       # (pc, step, local dict or None)
            also = {}           # step n -> the other steps of the same instruction
            for s in mine:
                for x in s["data"].get("locals", []):
                    expected.append((_int(x["pc"]), s, x))
                prev = expected[-1][1] if expected and expected[-1][2] is None else None
                if prev is not None and self._same_instruction(prev, s):
                    # one instruction, several steps: a pair's two accesses, or its
                    # faulting fetch beside its access or return
                    also.setdefault(prev["n"], []).append(s)
                    continue
                expected.append((_int(s["data"]["pc"]), s, None))
            ctx = _TraceContext(FlatMemory(), scen.symbol_address, self, c)
            regs = {30: RETURN_SENTINEL}
            given = cpus_data.get(c, {}).get("regs", {})
            for n, v in cs.regs.items():
                iv = v if isinstance(v, int) else _int(given.get(f"x{n}"))
                if iv is None:
                    raise Rejected(f"CPU{c}: initial x{n} is symbolic and the trace does not "
                                   f"give its value")
                regs[n] = iv
            for r, v in cpus_data.get(c, {}).get("open_regs", {}).items():
                # registers the scenario leaves open: the values the check picked (X30
                # too: a `ret` at call depth 0 returns whatever it holds)
                if int(r[1:]) not in cs.regs and _int(v) is not None:
                    regs[int(r[1:])] = _int(v)
            for n, v in regs.items():
                ctx.regs[n] = V.const(v, 64)
            if isinstance(cs.sp, int):
                sp = cs.sp
            elif cs.sp is not None and V.is_concrete(cs.sp):
                sp = V.as_int(cs.sp)           # the scenario's stack (spec.py: [[cpu]] sp)
            else:
                sp = _int(cpus_data.get(c, {}).get("sp"))
                if sp is None:
                    sp = STACK_TOP
            ctx.sp = V.const(sp, 64)
            for name, v in cs.sysregs.items():
                iv = v if isinstance(v, int) else _int(cpus_data.get(c, {}).get(name))
                if iv is not None:
                    ctx.sysregs[name] = V.const(iv, 64)
            for name, v in cpus_data.get(c, {}).get("sysregs", {}).items():
                # registers the scenario leaves open: the values the check picked
                if name not in ctx.sysregs and _int(v) is not None:
                    ctx.sysregs[name] = V.const(_int(v), 64)
            pc = scen.symbol_address(cs.entry)
            for i, (want_pc, s, local) in enumerate(expected):
                if pc != want_pc:
                    self.fail(s, f"CPU{c} executes the instruction at {pc:#x}, the trace says "
                                 f"{want_pc:#x}" + (f" ({local['loc']})" if local else ""))
                instr = scen.program.instruction_at(pc)
                if instr is None:
                    self.fail(s, f"no instruction at {pc:#x}")
                if (local is None and s["data"].get("fault") and s["data"]["kind"] == "fetch"
                        and _int(s["data"].get("va")) == pc):
                    # the instruction's own fetch faults: it is not executed, and the
                    # CPU's trace ends with the fault
                    if i != len(expected) - 1:
                        self.fail(s, "the instruction's fetch faults, yet the CPU goes on")
                    pc = None
                    break
                group = [] if local is not None else \
                    [x for x in (s, *also.get(s["n"], [])) if x["data"]["kind"] != "fetch"]
                if group:
                    s = group[0]                 # what the instruction did, not its fetch
                ctx.pc, ctx.next_pc = pc, pc + 4
                ctx.text = instr.text or str(instr)
                ctx.current = None if local else s
                # its access steps, one per load or store, in order (ldp/stp: two)
                ctx.queue = [x for x in group if x["data"]["kind"] in ("load", "store")]
                ctx.seen = []
                ctx.before = {f"x{n}": r.value for n, r in enumerate(ctx.regs)}
                op = instr.__dict__.get("_bbm_op") or decode(instr)
                op.run(ctx)
                for x in (group or [s]):
                    self._check_effects(ctx, x, local)
                if ctx.queue:
                    self.fail(ctx.queue[0], "the instruction makes fewer accesses than the "
                                            "trace shows")
                self._check_regs(ctx, s, local)
                if ctx.stop == "ret" and ctx.depth == 0:
                    pc = RETURN_SENTINEL
                else:
                    pc = ctx.next_pc
                    ctx.stop = None
            self.final_ctx[c] = ctx
            self.returned[c] = pc == RETURN_SENTINEL

    @staticmethod
    def _same_instruction(a, b) -> bool:
        """Are trace steps a and b (consecutive on one CPU) events of one instruction
        instance?"""
        da, db = a["data"], b["data"]
        if "instance" in da and "instance" in db:
            return da["instance"] == db["instance"]
        # reports without it: an instruction cannot follow itself without a branch
        # in between, which the trace lists as a register-only step
        return not db.get("locals") and _int(da["pc"]) == _int(db["pc"])

    def _check_regs(self, ctx, s, local):
        want = (local or s)["changes"]
        for r, v in want.items():
            if not r.startswith("x"):
                continue
            n = int(r[1:])
            if n < 31 and ctx.regs[n].value != _int(v):
                self.fail(s, f"{r} = {ctx.regs[n].value:#x} after "
                             f"{(local or s)['source'] or (local or s)['text']}, the trace "
                             f"says {v}")

    def _check_effects(self, ctx, s, local):
        kinds = [k for k, _ in ctx.seen]
        if local is not None:
            bad = [k for k in kinds if k not in ("other",)]
            if bad:
                self.fail(s, f"the instruction at {local['loc']} is not register-only "
                             f"({bad[0]}) but the trace folds it")
            return
        want = s["data"]["kind"]
        if want in ("return", "stop"):
            return
        if want == "fetch":
            # every instruction is fetched; a step shown as its fetch alone did nothing
            # else visible
            bad = [k for k in kinds if k not in ("other",)]
            if bad:
                self.fail(s, f"the instruction does {bad[0]}, the trace shows only its fetch")
            return
        if want not in kinds:
            self.fail(s, f"the instruction does {', '.join(kinds) or 'nothing visible'}, "
                         f"the trace says {want}")

    # ---- 2. memory
    def store_log(self):
        log = {}
        for s in self.steps:
            d = s["data"]
            if s["kind"] == "instr" and d.get("kind") == "store" and not d.get("failed") \
                    and not d.get("fault"):
                log[d["event"]] = {"step": s, "cpu": s["cpu"], "index": int(d["event"].split(".")[1]),
                                   "pa": _int(d["pa"]), "size": d["size"],
                                   "value": _int(d["value"]), "t": s["time"],
                                   "q": None, "p": None}
        for s in self.steps:
            if s["kind"] == "visible":
                d = s["data"]
                e = log.get(d["store"])
                if e is None:
                    self.fail(s, f"a store that did not happen ({d['store']}) becomes visible")
                if d["to"] == "own-walker":
                    e["q"] = s["time"]
                else:
                    e["p"] = s["time"]
        for e in log.values():
            if e["p"] is None:
                self.fail(e["step"], "the store never becomes visible to the other CPUs")
            if e["q"] is None:
                e["q"] = e["p"]
            if not e["t"] <= e["q"] <= e["p"]:
                self.fail(e["step"], f"store visibility out of order (issued at {e['t']}, own "
                                     f"walker at {e['q']}, everyone at {e['p']})")
        self.log = log
        return log

    def initial(self, pa: int, size: int) -> int:
        word = pa & ~7
        w = self.scen.memory.get(word)
        if not isinstance(w, int):
            w = _int(self.tr.get("initial", {}).get(hex(word)))
        if w is None:
            w = self.progmem.read(word, 8)
        off = (pa - word) * 8
        return (w >> off) & ((1 << (size * 8)) - 1)

    def value_at(self, pa, size, cpu, time, *, walker, before=None):
        e = self.store_at(pa, size, cpu, time, walker=walker, before=before)
        return e["value"] if e else self.initial(pa, size)

    def store_at(self, pa, size, cpu, time, *, walker, before=None):
        """The store a read of `cpu` at `time` sees (None: the initial value): the
        latest, in the order stores reach everyone, of those visible to it -- its
        own earlier ones in program order (`before`: the read's index), the others'
        once they reached it."""
        best, bp = None, -1
        for e in self.log.values():
            if e["pa"] != pa or e["size"] != size:
                continue
            if walker:
                vis = (e["q"] if e["cpu"] == cpu else e["p"]) < time
            elif e["cpu"] == cpu and before is not None:
                vis = e["index"] < before
            else:
                vis = e["p"] < time
            if vis and e["p"] > bp:
                best, bp = e, e["p"]
        return best

    def check_reads(self):
        from ..model.runner import FlatMemory, program_memory
        self.progmem = FlatMemory(program_memory(self.scen.program, self.scen.symbol_address,
                                                 skip_unresolved=True))
        reads: dict = {}        # (cpu, pa, size) -> [(index, store read or None, step)]
        for s in self.steps:
            d = s["data"]
            if s["kind"] == "instr" and d.get("kind") == "load" and not d.get("fault"):
                index = int(d["event"].split(".")[1])
                e = self.store_at(_int(d["pa"]), d["size"], s["cpu"],
                                  d.get("satisfied", s["time"]), walker=False, before=index)
                want = e["value"] if e else self.initial(_int(d["pa"]), d["size"])
                if want != _int(d["value"]):
                    self.fail(s, f"the load reads {want:#x} from PA {d['pa']}, the trace says "
                                 f"{d['value']}")
                reads.setdefault((s["cpu"], _int(d["pa"]), d["size"]), []).append((index, e, s))
                self.read_from[s["n"]] = e
            if s["kind"] in ("fill", "fault"):
                before = int(d["for"].split(".")[1]) if d.get("for") else None
                want = self.value_at(_int(d["desc_addr"]), 8, s["cpu"], s["time"], walker=True,
                                     before=before)
                if want != _int(d["desc"]):
                    self.fail(s, f"the walk reads {want:#x} at {d['desc_name']} "
                                 f"({d['desc_addr']}), the trace says {d['desc']}")
        self.check_read_coherence(reads)
        self.check_atomicity()

    def check_read_coherence(self, reads: dict):
        """One CPU's reads of one location, against the order stores reach everyone
        (the coherence order): a read never sees an older store than a read before it
        in program order (CoRR), nor a store later than one of its own CPU's stores
        after it in program order (CoRW)."""
        for (cpu, pa, size), rs in reads.items():
            rs.sort(key=lambda r: r[0])
            seen, at = -1, None
            for _, e, s in rs:
                p = e["p"] if e else -1
                if p < seen:
                    self.fail(s, f"the load reads an older value of PA {pa:#x} than the load "
                                 f"of step {at['n']} before it in program order (coherence, "
                                 f"CoRR)")
                if p >= seen:
                    seen, at = p, s
            own = [w for w in self.log.values()
                   if w["cpu"] == cpu and w["pa"] == pa and w["size"] == size]
            for index, e, s in rs:
                for w in own:
                    if w["index"] > index and e is not None and e["p"] > w["p"]:
                        self.fail(s, f"the load reads a store to PA {pa:#x} that comes after "
                                     f"its own CPU's later store of step {w['step']['n']} "
                                     f"(coherence, CoRW)")

    def check_atomicity(self):
        """A read-modify-write -- a load-exclusive and the store-exclusive that
        succeeds after it, or an LSE atomic's read and write -- is atomic: its write
        comes after the store its read read in coherence order (the order stores
        reach everyone), and no other store to the location comes between the two
        (rules exclusive-atomic and atomic-rmw).  An atomic's read is also satisfied
        before its own write is visible."""
        for rd, wr, kind in self.rmw:
            rule = "exclusive-atomic" if kind == "exclusive" else "atomic-rmw"
            pa, size = _int(wr["data"]["pa"]), wr["data"]["size"]
            if _int(rd["data"]["pa"]) != pa:
                self.fail(wr, f"the {'store-exclusive' if kind == 'exclusive' else 'atomic'} "
                              f"writes PA {pa:#x}, its read (step {rd['n']}) read PA "
                              f"{rd['data']['pa']} (rule {rule})")
            w = self.log[wr["data"]["event"]]
            e = self.read_from.get(rd["n"])
            lo = e["p"] if e else -1
            if w["p"] <= lo:
                self.fail(wr, f"the write reaches everyone at {w['p']}, not after the store "
                              f"its read (step {rd['n']}) read, at {lo} (rule {rule})")
            for o in self.log.values():
                if o is not w and o["pa"] == pa and o["size"] == size and lo < o["p"] < w["p"]:
                    self.fail(wr, f"the store of step {o['step']['n']} to PA {pa:#x} comes "
                                  f"between this write and the store its read (step "
                                  f"{rd['n']}) read, in coherence order: the read-modify-"
                                  f"write is not atomic (rule {rule})")
            if kind == "atomic" and not w["q"] > rd["data"].get("satisfied", rd["time"]):
                self.fail(wr, f"the atomic's write is visible to its own CPU at {w['q']}, "
                              f"before its read (step {rd['n']}) is satisfied (rule {rule})")

    def check_walks(self):
        from ..model import values as V
        R = self.scen.regime
        chains: dict = {}
        for s in self.steps:
            if s["kind"] in ("fill", "fault"):
                chains.setdefault(s["data"]["chain"], []).append(s)
        self.chains = chains
        for tag, ss in chains.items():
            ss.sort(key=lambda s: s["data"]["level"])
            prev = None
            for s in ss:
                d = s["data"]
                va, k = _int(d["va"]), d["level"]
                if prev is None:
                    if k != R.start_level:
                        self.fail(s, f"the walk starts at level {k}, not {R.start_level}")
                    base = V.as_int(R.ttbr_table_base(V.const(_int(d["ttbr"]), 64)))
                else:
                    if prev["time"] > s["time"]:
                        self.fail(s, "walk levels read out of order")
                    base = _int(prev["data"]["desc"]) & 0x0000_FFFF_FFFF_F000
                want = V.as_int(R.descriptor_address(V.const(base, 64), V.const(va, 64), k))
                if want != _int(d["desc_addr"]):
                    self.fail(s, f"the walk of VA {va:#x} at level {k} reads {want:#x}, the "
                                 f"trace says {d['desc_addr']}")
                prev = s

    # ---- 3. the machine's steps
    def tlbi_perf(self):
        perf: dict = {}
        for s in self.steps:
            if s["kind"] == "tlbi-performed":
                t = self.instr.get(s["data"]["tlbi"])
                if t is None:
                    self.fail(s, "a TLBI that was not issued is performed")
                if s["time"] < t["time"]:
                    self.fail(s, f"the TLBI of step {t['n']} is performed before it is issued")
                perf.setdefault(s["data"]["tlbi"], {})[s["data"]["on"]] = s["time"]
        self.perf = perf
        return perf

    def targets(self, t):
        return list(range(self.ncpus)) if t["data"].get("scope") in ("is", "os") else [t["cpu"]]

    def check_barriers(self):
        for s in self.steps:
            d = s["data"]
            if s["kind"] != "instr" or d.get("kind") != "barrier" or d.get("op") != "dsb":
                continue
            for r in d.get("waits_local", []):
                e = self.log.get(r)
                if e and not e["q"] < s["time"]:
                    self.fail(s, f"the DSB completes before the store of step {e['step']['n']} "
                                 f"reaches its own walker")
            for r in d.get("waits_global", []):
                e = self.log.get(r)
                if e and not e["p"] < s["time"]:
                    self.fail(s, f"the DSB completes before the store of step {e['step']['n']} "
                                 f"is visible to every CPU")
            for r, scope in [(r, "local") for r in d.get("completes_local", [])] + \
                            [(r, "global") for r in d.get("completes_global", [])]:
                t = self.instr.get(r)
                if t is None:
                    continue
                on = [t["cpu"]] if scope == "local" else self.targets(t)
                for c in on:
                    when = self.perf.get(r, {}).get(c)
                    if when is None or not when < s["time"]:
                        self.fail(s, f"the DSB completes before the TLBI of step {t['n']} is "
                                     f"performed on CPU{c}")

    def check_ordering(self):
        """Each CPU's instructions in program order, against the times the trace gives
        them: one after the other (po-time); a load satisfied no earlier than its
        translation (load-after-issue); after the last DSB and ISB before it
        (dsb-completes-loads, isb-orders); before a DSB (not ST) after it; acquire and
        release (acquire-release); DMB ISH/OSH/SY between the accesses of its type
        (dmb-orders); one CPU's stores to one location visible in program order
        (coherence).  Which instruction is an acquire, a release or a barrier comes
        from the instructions replay executed, not from the trace.  Dependencies are
        not re-checked."""
        for c in range(self.ncpus):
            mine = self.program_order.get(c, [])
            prev = None
            for s in mine:
                if prev is not None and not prev["time"] < s["time"]:
                    self.fail(s, f"the trace puts it at time {s['time']}, not after the "
                                 f"instruction of step {prev['n']} (time {prev['time']}) "
                                 f"before it in program order")
                prev = s
            self._check_cpu_order(mine)

    def _effect_time(self, s):
        """When an access takes effect for other observers: a load when it is
        satisfied, a store when it is visible to every CPU (None: no effect)."""
        d = s["data"]
        if d.get("kind") == "load" and not d.get("fault"):
            return d.get("satisfied", s["time"])
        if d.get("kind") == "store" and d["event"] in self.log:
            return self.log[d["event"]]["p"]
        return None

    def _check_cpu_order(self, mine):
        def order(a, b, x, y, rule):
            # x (taking effect at time a) must be before y (at time b)
            if a is not None and b is not None and not a < b:
                self.fail(y, f"rule {rule}: step {x['n']} must take effect before step "
                             f"{y['n']}, the trace has them at times {a} and {b}")
        last_dsb = last_isb = None
        ets2 = self.scen.features.ets2          # FEAT_ETS2: a DSB orders later walks
        loads_since_dsb: list = []
        earlier: list = []                  # (step, effect time) of the accesses so far
        acquires: list = []                 # load-acquires so far
        releases: list = []                 # RCsc: store-releases so far
        dmb_last: dict = {}                 # types -> the last DMB ISH/OSH/SY
        dmb_pend: dict = {"all": [], "st": [], "ld": []}
        same_loc: dict = {}                 # PA -> the last store of this CPU to it
        for s in mine:
            d = s["data"]
            kind = d.get("kind")
            bar = self.barrier_of.get(s["n"]) if kind == "barrier" else None
            if kind == "barrier" and bar is None:
                self.fail(s, "the trace shows a barrier the instruction does not make")
            if bar is not None and (bar.kind, bar.domain, bar.types) != \
                    (d.get("op"), d.get("domain"), d.get("types")):
                self.fail(s, f"the instruction is a {bar.kind} {bar.domain} ({bar.types}), "
                             f"the trace says {d.get('op')} {d.get('domain')} "
                             f"({d.get('types')})")
            if bar is not None and bar.kind == "dsb":
                if bar.types in ("all", "ld"):
                    for x in loads_since_dsb:
                        if bar.types == "ld" and self.access_kind.get(x["n"], {}).get("noret"):
                            continue
                        order(self._effect_time(x), s["time"], x, s, "dsb-completes-loads")
                    loads_since_dsb = []
                last_dsb = s
                continue
            if bar is not None and bar.kind == "dmb":
                if bar.domain not in ("ish", "osh", "sy") or d.get("ordered_at") is None:
                    continue
                ty, B = bar.types, d["ordered_at"]
                for x in dmb_pend[ty]:
                    v = self._dmb_side(x, ty, before=True)
                    if v is not None and not v < B:
                        self.fail(x, f"rule dmb-orders: it takes effect at time {v}, not "
                                     f"before the DMB of step {s['n']} (time {B})")
                if ty in dmb_last and not dmb_last[ty]["data"]["ordered_at"] < B:
                    self.fail(s, f"rule dmb-orders: the DMB is ordered at {B}, not after the "
                                 f"DMB of step {dmb_last[ty]['n']}")
                dmb_last[ty], dmb_pend[ty] = s, []
                continue
            if kind == "isb":
                last_isb = s
                continue
            if kind in ("load", "store") and last_dsb is not None and ets2:
                u = d.get("lookup")
                if u is not None and not last_dsb["time"] < u:
                    self.fail(s, f"rule ets2-dsb-orders-walks: its translation is looked up "
                                 f"at {u}, not after the DSB of step {last_dsb['n']} (time "
                                 f"{last_dsb['time']}) before it in program order")
            if kind not in ("load", "store") or d.get("fault"):
                continue
            flags = self.access_kind.get(s["n"], {})
            v = self._effect_time(s)
            if kind == "load":
                u = d.get("lookup")
                if u is not None and v is not None and v < u:
                    self.fail(s, f"rule load-after-issue: satisfied at {v}, before its "
                                 f"translation is looked up ({u})")
                for b, rule in ((last_dsb, "dsb-completes-loads"), (last_isb, "isb-orders")):
                    if b is not None:
                        order(b["time"], v, b, s, rule)
                loads_since_dsb.append(s)
                if flags.get("acquire") is True:
                    for r in releases:
                        order(self._effect_time(r), v, r, s, "acquire-release")
            for ty, b in dmb_last.items():
                w = self._dmb_side(s, ty, before=False)
                if w is not None:
                    order(b["data"]["ordered_at"], w, b, s, "dmb-orders")
            for a in acquires:
                order(self._effect_time(a), v, a, s, "acquire-release")
            if kind == "store" and flags.get("release"):
                for x, xv in earlier:
                    order(xv, v, x, s, "acquire-release")
                if v is not None:
                    releases.append(s)
            if kind == "store" and v is not None:
                pa = _int(d["pa"])
                p = same_loc.get((pa, d["size"]))
                if p is not None:
                    e, f = self.log[p["data"]["event"]], self.log[d["event"]]
                    if not (e["p"] < f["p"] and e["q"] < f["q"]):
                        self.fail(s, f"rule coherence: this store to PA {pa:#x} becomes "
                                     f"visible before the store of step {p['n']}, earlier "
                                     f"in program order")
                same_loc[(pa, d["size"])] = s
            if kind == "load" and flags.get("acquire"):
                acquires.append(s)
            earlier.append((s, v))
            for ty in dmb_pend:
                dmb_pend[ty].append(s)

    def _dmb_side(self, s, types, *, before: bool):
        """The time at which access s is ordered by a DMB of `types` on that side (None:
        that DMB does not order it)."""
        if s["data"]["kind"] == "store":
            return None if (types == "ld" and before) else self._effect_time(s)
        if types == "st":
            return None
        if types == "ld" and before and self.access_kind.get(s["n"], {}).get("noret"):
            return None
        return self._effect_time(s)

    def alive(self, cpu, fill, until):
        """The entry of a fill step is not invalidated on `cpu` in (fill time, until]."""
        d = fill["data"]
        for r, ons in self.perf.items():
            when = ons.get(cpu)
            if when is None or not fill["time"] < when <= until:
                continue
            t = self.instr[r]["data"]
            if tlbi_hits(t, d):
                return False, self.instr[r]["n"]
        return True, None

    def check_translations(self):
        for s in self.steps:
            d = s["data"]
            if s["kind"] != "instr" or d.get("kind") not in ("load", "store", "fetch") \
                    or not d.get("mmu", False):
                continue
            ev = self.translated_as.get(d["event"], d["event"])
            fills = [f for tag, ss in self.chains.items() for f in ss
                     if f["data"].get("for") == ev]
            leaf = [f for f in fills if f["data"].get("entry") in ("leaf", "invalid")]
            if not leaf:
                self.fail(s, "the access has no translation in the trace")
            f = leaf[-1]
            if f["data"]["entry"] == "invalid":
                continue
            u = d.get("lookup", s["time"])
            ok, by = self.alive(s["cpu"], f, u)
            if not ok:
                self.fail(s, f"the entry filled at step {f['n']} was invalidated by the TLBI of "
                             f"step {by} before the access used it")
            level = f["data"]["level"]
            desc, asid = _int(f["data"]["desc"]), _int(f["data"].get("asid"))
            if self.scen.regime.el == 1 and desc >> 11 & 1 and asid is not None:
                # a non-global entry matches only a lookup under its ASID
                ok = self.usable_sysreg(s["cpu"], self.scen.regime.asid_register(), u)
                if None not in ok and asid not in {t >> 48 & 0xFFFF for t in ok}:
                    self.fail(s, f"the access uses the non-global entry filled at step "
                                 f"{f['n']} (ASID {asid}); at its lookup the ASID is "
                                 f"{', '.join(str(t >> 48 & 0xFFFF) for t in sorted(ok))}")
            off = (1 << (12 + 9 * (3 - level))) - 1
            pa = _int(f["data"]["oa"]) | (_int(d["va"]) & off)
            if pa != _int(d["pa"]):
                self.fail(s, f"the access translates to {pa:#x}, the trace says {d['pa']}")

    # ---- 4. the property
    def check_property(self) -> str:
        from ..model import values as V
        from ..model.vmsa import descriptor as D
        tr = self.tr
        prop = tr["property"]
        det = tr.get("details", {})
        at = tr.get("at")
        if prop == "conflict":
            c = det["cpu"]
            got = []
            for e in det["entries"]:
                fs = [f for f in self.chains.get(e["witness"], [])
                      if f["data"]["level"] == e["level"]]
                if not fs:
                    raise Rejected(f"conflict: no fill of entry {e['witness']} in the trace")
                f = fs[0]
                if f["cpu"] != c or f["time"] > at:
                    self.fail(f, "the entry is not in CPU{c}'s TLB at the failing time")
                ok, by = self.alive(c, f, at)
                if not ok:
                    self.fail(f, f"the entry is invalidated by the TLBI of step {by} before the "
                                 f"failing time")
                got.append(f)
            a, b = got
            da, db = a["data"], b["data"]
            if not (_int(da["va_start"]) <= _int(db["va_end"])
                    and _int(db["va_start"]) <= _int(da["va_end"])):
                raise Rejected("conflict: the two entries do not cover a common VA")
            # as the model's rule: the two walks differ at some level both entries
            # cover (the coarser entry's, or a level above it whose two walk-cache
            # entries are live too)
            wa, wb = (self.chains[e["witness"]] for e in det["entries"])
            top = min(da["level"], db["level"])
            differ = None
            for k in range(self.scen.regime.start_level, top + 1):
                fa = [f for f in wa if f["data"]["level"] == k]
                fb = [f for f in wb if f["data"]["level"] == k]
                if not fa or not fb:
                    raise Rejected(f"conflict: a walk has no level-{k} read in the trace")
                if k < top and not (self.alive(c, fa[0], at)[0]
                                    and self.alive(c, fb[0], at)[0]):
                    continue       # above the coarser entry: only live walk-cache entries
                if self._differ(fa[0], fb[0], k):
                    differ = (k, fa[0], fb[0])
                    break
            if differ is None:
                raise Rejected("conflict: the two entries are the same translation")
            k, fa, fb = differ
            where = "" if k == da["level"] == db["level"] else (
                f"; their walks differ at level {k}: step {fa['n']} "
                f"({D.describe(_int(fa['data']['desc']), k)}) and step {fb['n']} "
                f"({D.describe(_int(fb['data']['desc']), k)})")
            return (f"CPU{c}'s TLB holds both entries at time {at}: step {a['n']} "
                    f"({D.describe(_int(da['desc']), da['level'])}) and step {b['n']} "
                    f"({D.describe(_int(db['desc']), db['level'])}){where}")
        if prop == "bbm":
            s = self.instr.get(det["store"])
            e = self.log.get(det["store"])
            if s is None or e is None:
                raise Rejected("bbm: the store of the violation is not in the trace")
            k = det["level"]
            old = None
            best = -1
            for o in self.log.values():
                if o is not e and o["pa"] == e["pa"] and o["size"] == 8 and best < o["p"] < e["p"]:
                    old, best = o["value"], o["p"]
            if old is None:
                old = self.initial(e["pa"], 8)
            if old != _int(det["old"]):
                self.fail(s, f"the store overwrites {old:#x}, the trace says {det['old']}")
            new = e["value"]
            feats = self.scen.features
            o, n = V.const(old, 64), V.const(new, 64)
            need = V.concrete_bool(V.bool_and(V.bool_and(D.is_valid(o, k), D.is_valid(n, k)),
                                              D.needs_bbm(o, n, k, feats)))
            if not need:
                self.fail(s, f"{D.describe(old, k)} → {D.describe(new, k)} needs no "
                             f"break-before-make")
            fs = [f for f in self.chains.get(det["witness"], []) if f["data"]["level"] == k]
            if not fs:
                raise Rejected("bbm: the holder's entry is not in the trace")
            f = fs[0]
            if _int(f["data"]["desc_addr"]) != e["pa"] or _int(f["data"]["desc"]) != old:
                self.fail(f, "the holder's entry does not come from the old descriptor")
            ok, by = self.alive(f["cpu"], f, e["q"])
            if not ok:
                self.fail(f, f"the holder's entry is invalidated (step {by}) before the new "
                             f"descriptor reaches a walker")
            return (f"CPU{f['cpu']} holds the entry from {D.describe(old, k)} (step {f['n']}) "
                    f"when {D.describe(new, k)} (step {s['n']}) reaches a walker at time {e['q']}")
        if prop == "fault":
            s = self.instr.get(det["access"])
            fs = [f for ss in self.chains.values() for f in ss
                  if f["data"].get("for") == det["access"] and f["kind"] == "fault"]
            if s is None or not fs:
                raise Rejected("fault: the faulting walk is not in the trace")
            f = fs[-1]
            if f["time"] != s["data"].get("lookup", f["time"]):
                self.fail(f, "the invalid descriptor is not read at the access's lookup time")
            return (f"the access of step {s['n']} walks to {f['data']['desc_name']} = "
                    f"{f['data']['desc']}: no translation")
        if prop == "stale":
            return self.check_stale(det)
        if prop == "post":
            return self.check_post(det)
        return ""

    def _differ(self, fa, fb, k) -> bool:
        """Do the level-k entries of fill steps fa and fb differ, as the model's
        conflict rule compares them (D.entry_content; under `ng-arm-arm` an nG change
        alone is none; with FEAT_BBM level 2 a block-size change is none)?"""
        from ..model import values as V
        from ..model.vmsa import descriptor as D
        ca, cb = (V.as_int(D.entry_content(V.const(_int(f["data"]["desc"]), 64), k))
                  for f in (fa, fb))
        feats = self.scen.features
        if feats.bbm_level >= 2 and (ca >> 71) != (cb >> 71):
            return False
        if feats.ng_policy == "arm-arm":
            ca, cb = ca >> 1, cb >> 1
        return ca != cb

    def check_stale(self, det) -> str:
        """The access used an entry (its walk in the trace, alive at its lookup) that a
        walk of memory as its CPU's walker sees at the lookup time would not give."""
        from ..model import values as V
        from ..model.vmsa import descriptor as D
        s = self.instr.get(det["access"])
        if s is None:
            raise Rejected("stale: the access is not in the trace")
        d = s["data"]
        va = _int(d["va"])
        if not any((va >> 12) == (v >> 12) for v in self.scen.stale_vas):
            self.fail(s, f"VA {va:#x} is not one the scenario checks for stale use")
        used = [f for ss in self.chains.values() for f in ss
                if f["data"].get("for") == d["event"] and f["kind"] == "fill"]
        if not used:
            self.fail(s, "the access's translation is not in the trace")
        by_level = {f["data"]["level"]: f for f in used}
        u = d.get("lookup", s["time"])
        R = self.scen.regime
        first = by_level[min(by_level)]
        # a walk at the lookup time starts from a TTBR value the CPU's translation may
        # use then (rule sysreg-in-effect: after an MSR with no ISB yet, the old value
        # or the new one; the checker's walk picks either), without the ASID in
        # TTBR[63:48].  Stop 20: replay compared only along the entry's own walk, so a
        # global entry from the old TTBR0, used after a switch, was REJECTED.
        reg = self.ttbr_name(va)
        ttbrs = sorted(t for t in self.usable_sysreg(s["cpu"], reg, u) if t is not None) or \
            ([_int(first["data"]["ttbr"])] if first["data"].get("ttbr") else [])
        for ttbr in ttbrs:
            base = V.as_int(R.ttbr_table_base(V.const(ttbr, 64)))
            for k in sorted(by_level):
                f = by_level[k]
                addr = V.as_int(R.descriptor_address(V.const(base, 64), V.const(va, 64), k))
                now = self.value_at(addr, 8, s["cpu"], u, walker=True)
                old = _int(f["data"]["desc"])
                co = V.as_int(D.entry_content(V.const(old, 64), k))
                cn = V.as_int(D.entry_content(V.const(now, 64), k))
                if co != cn:
                    at = self.scen.table_at(addr)
                    name = f"{at[0].name}[{at[1]}]" if at else f"the descriptor at {addr:#x}"
                    via = "" if addr == _int(f["data"]["desc_addr"]) else \
                        f" (a walk through {reg.upper()} = {ttbr:#x})"
                    return (f"the access of step {s['n']} uses the entry of step {f['n']} "
                            f"({D.describe(old, k)}), but at its lookup time "
                            f"CPU{s['cpu']}'s walker sees {name} = {D.describe(now, k)}{via}")
                base = now & 0x0000_FFFF_FFFF_F000
        self.fail(s, "the entry the access uses matches the tables at its lookup time")

    def check_post(self, det) -> str:
        name = det.get("postcondition")
        pcs = [p for p in self.scen.postconditions if p.name == name]
        if not pcs:
            raise Rejected(f"post: the scenario has no postcondition {name!r}")
        pc = pcs[0]
        if pc.concrete is None:
            return ""
        gone = [c for c in range(self.ncpus) if not self.returned.get(c)]
        if gone:
            raise Rejected(f"post: CPU{gone[0]} has not returned at the end of the trace "
                           f"(postconditions hold when every CPU has returned)")
        what = pc.concrete(FinalState(self))
        if not what:
            raise Rejected(f"post: {name} ({pc.text}) holds in the replayed final state")
        return f"{name}: {what}"

    def run(self) -> tuple[bool, str]:
        self.store_log()
        self.run_cpus()
        self.check_reads()
        self.check_walks()
        self.check_registers_in_effect()
        self.tlbi_perf()
        self.check_barriers()
        self.check_ordering()
        self.check_translations()
        what = self.check_property()
        return bool(what), what

    # ---- translation registers in effect
    def initial_sysreg(self, cpu: int, name: str):
        from ..model import values as V
        v = self.scen.cpus[cpu].sysregs.get(name)
        if isinstance(v, int):
            return v
        if v is not None and V.is_concrete(v):
            return V.as_int(v)
        data = next((c for c in self.tr.get("cpus", []) if c["cpu"] == cpu), {})
        return _int(data.get(name, data.get("sysregs", {}).get(name)))

    def usable_sysreg(self, cpu: int, name: str, t) -> set:
        """The values of translation register `name` that CPU `cpu`'s translation may
        use at time t (rule sysreg-in-effect): the one the last ISB before t made
        effective (the initial value if none) and every one written since.  None in
        the set: an initial value the trace does not give."""
        synced, pending = self.initial_sysreg(cpu, name), []
        for s in self.program_order.get(cpu, []):
            d = s["data"]
            if s["time"] >= t:
                continue
            if d.get("kind") == "msr" and d.get("reg") == name:
                pending.append(_int(d.get("value")))
            elif d.get("kind") == "isb" and pending:
                synced, pending = pending[-1], []
        return {synced, *pending}

    def ttbr_name(self, va: int) -> str:
        """The translation table base register a walk of `va` starts from."""
        R = self.scen.regime
        upper = R.el == 1 and (va >> R.va_bits) == (1 << (64 - R.va_bits)) - 1
        return "ttbr1_el1" if upper else f"ttbr0_el{R.el}"

    def check_registers_in_effect(self):
        """Every walk starts at a TTBR value its CPU's translation may use at the
        walk's time, and every access's MMU state is one an SCTLR value it may use at
        its lookup gives."""
        R = self.scen.regime
        el = R.el
        for tag, ss in self.chains.items():
            f = ss[0]
            d = f["data"]
            va, ttbr = _int(d["va"]), _int(d.get("ttbr"))
            if ttbr is None:
                continue
            name = self.ttbr_name(va)
            ok = self.usable_sysreg(f["cpu"], name, f["time"])
            if None not in ok and ttbr not in ok:
                self.fail(f, f"the walk uses {name} = {ttbr:#x}; at its time CPU{f['cpu']}'s "
                             f"translation may use only "
                             f"{', '.join(f'{x:#x}' for x in sorted(ok))}")
        for s in self.steps:
            d = s["data"]
            if s["kind"] != "instr" or "mmu" not in d:
                continue
            t = s["time"] if d.get("lookup") is None else d["lookup"]
            ok = self.usable_sysreg(s["cpu"], f"sctlr_el{el}", t)
            if None not in ok and not any(bool(x & 1) == d["mmu"] for x in ok):
                self.fail(s, f"the access runs with the MMU {'on' if d['mmu'] else 'off'}; "
                             f"no SCTLR_EL{el} value its translation may use says so")


class FinalState:
    """The replayed state when every CPU has returned, for Postcondition.concrete."""

    def __init__(self, replay: Replay):
        self.r = replay
        self.ncpus = replay.ncpus
        self.end = max([s["time"] for s in replay.steps] + [0]) + 1

    def initial(self, pa: int, size: int = 8) -> int:
        return self.r.initial(pa, size)

    def final(self, pa: int, size: int = 8) -> int:
        return self.r.value_at(pa, size, -1, float("inf"), walker=False)

    def memory_words(self):
        return [a for a in self.r.scen.memory]

    def reg(self, cpu: int, n: int) -> int:
        return self.r.final_ctx[cpu].regs[n].value

    def sysreg(self, cpu: int, name: str) -> int | None:
        v = self.r.final_ctx[cpu].sysregs.get(name)
        return v.value if v is not None and hasattr(v, "value") else v

    def sysreg_usable(self, cpu: int, name: str) -> set:
        """The values of translation register `name` that CPU `cpu`'s translation may
        use when it stops (Replay.usable_sysreg after its last step)."""
        return self.r.usable_sysreg(cpu, name, float("inf"))

    def entries(self):
        """(cpu, fill step) for every TLB entry filled in the trace and not invalidated
        before the end."""
        out = []
        for ss in self.r.chains.values():
            for f in ss:
                if f["kind"] != "fill" or f["data"].get("entry") not in ("leaf", "table"):
                    continue
                ok, _ = self.r.alive(f["cpu"], f, self.end)
                if ok:
                    out.append((f["cpu"], f))
        return out


def _ctx_class():
    from ..model import values as V
    from ..model.runner import ConcreteContext
    from ..model.values import _mk

    class TraceContext(ConcreteContext):
        """A CPU whose loads return the trace's values and whose stores and system
        effects are recorded for comparison with the trace."""

        def __init__(self, memory, symbol, replay, cpu):
            super().__init__(memory, symbol)
            self.replay, self.cpu = replay, cpu
            self.current = None
            self.queue = []
            self.seen = []
            self.before = {}
            self.noret = False
            self.exclusive_read = None      # the load-exclusive that armed the monitor
            self.atomic_read = None         # an atomic's read, while it runs

        def _want(self, kind):
            s = self.current
            if s is None:
                self.replay.fail(None, f"CPU{self.cpu}: a {kind} at {self.pc:#x} that the trace "
                                       f"folds as register-only")
            if kind in ("load", "store"):
                # an instruction's accesses are its steps, in order (ldp/stp: two)
                if not self.queue:
                    self.replay.fail(s, "the instruction makes more accesses than the "
                                        "trace shows")
                s = self.queue.pop(0)
                if s["data"].get("kind") != kind:
                    self.replay.fail(s, f"the instruction makes a {kind}, the trace says "
                                        f"{s['data'].get('kind')}")
            return s

        def load(self, addr, size, *, acquire=False, exclusive=False):
            s = self._want("load")
            self.seen.append(("load", None))
            self.replay.access_kind[s["n"]] = {"acquire": acquire, "noret": self.noret}
            d = s["data"]
            a = addr.value if hasattr(addr, "value") else int(addr)
            if a != _int(d.get("va")):
                self.replay.fail(s, f"the load is from VA {a:#x}, the trace says {d.get('va')}")
            if exclusive:
                self.monitor = (a, size)
                self.exclusive_read = s
            if self.atomic_read is False:
                self.atomic_read = s
            v = _int(d.get("value")) or 0
            return _mk(v, size * 8)

        def store(self, addr, size, value, *, release=False):
            s = self._want("store")
            self.seen.append(("store", None))
            self.replay.access_kind[s["n"]] = {"release": release}
            d = s["data"]
            a = addr.value if hasattr(addr, "value") else int(addr)
            v = value.value if hasattr(value, "value") else int(value)
            if a != _int(d.get("va")) or v != _int(d.get("value")) or size != d.get("size"):
                self.replay.fail(s, f"the store writes {v:#x} ({size} bytes) to VA {a:#x}, the "
                                    f"trace says {d.get('value')} to {d.get('va')}")
            if self.atomic_read:
                self.replay.rmw.append((self.atomic_read, s, "atomic"))
                self._one_translation(s)

        def _one_translation(self, write):
            if self.atomic_read:
                self.replay.translated_as[write["data"]["event"]] = \
                    self.atomic_read["data"]["event"]

        def atomic(self, addr, size, new_of, *, acquire=False, release=False, ret=True):
            # an atomic whose old value no register receives (ST<op>, LD<op> to XZR):
            # its read is not ordered by a DMB LD / DSB LD before it (herd7 NoRet)
            self.noret = not ret
            self.atomic_read = False

            def written(old):
                # a CAS whose comparison fails writes nothing, or writes back the value
                # it read (model/symex.py: atomic); the trace says which
                new, w = new_of(old)
                if V.concrete_bool(w) is False and self.queue \
                        and self.queue[0]["data"].get("kind") == "store":
                    if self.queue[0]["data"].get("failed"):
                        self._one_translation(self._want("store"))
                        self.seen.append(("store", None))
                    else:
                        return old, True
                return new, w
            try:
                return super().atomic(addr, size, written, acquire=acquire, release=release,
                                      ret=ret)
            finally:
                self.noret = False
                self.atomic_read = None

        def store_exclusive(self, addr, size, value, *, release=False):
            s = self.queue[0] if self.queue else self._want("store")
            rd, self.exclusive_read = self.exclusive_read, None
            if s["data"].get("failed"):
                self._want("store")
                self.seen.append(("store", None))
                self.monitor = None
                return _mk(1, 32)
            self.monitor = None
            if rd is None:
                # the model pairs a store-exclusive with the last load-exclusive before
                # it (none after a CLREX or an earlier store-exclusive): none, it fails
                self.replay.fail(s, "the store-exclusive succeeds, but no load-exclusive "
                                    "armed the monitor (rule exclusive-atomic)")
            self.store(addr, size, value, release=release)
            self.replay.rmw.append((rd, s, "exclusive"))
            return _mk(0, 32)

        def clear_exclusive(self):
            super().clear_exclusive()
            self.exclusive_read = None

        def write_sysreg(self, name, value):
            from ..model.events import TRANSLATION_REGS
            super().write_sysreg(name, value)
            if name in TRANSLATION_REGS:
                s = self._want("msr")
                self.seen.append(("msr", None))
                want = _int(s["data"].get("value"))
                if want is not None and self.sysregs[name].value != want:
                    self.replay.fail(s, f"{name} := {self.sysregs[name].value:#x}, the trace "
                                        f"says {s['data'].get('value')}")

        def effect(self, effect):
            from ..model.effects import ISB, TLBI, Barrier
            super().effect(effect)
            if isinstance(effect, Barrier):
                self.seen.append(("barrier", effect))
                if self.current is not None:
                    self.replay.barrier_of[self.current["n"]] = effect
            elif isinstance(effect, ISB):
                self.seen.append(("isb", effect))
            elif isinstance(effect, TLBI):
                s = self._want("tlbi")
                self.seen.append(("tlbi", effect))
                if effect.va is not None and s["data"].get("va") is not None:
                    va = effect.va if isinstance(effect.va, int) else effect.va.value
                    if va != _int(s["data"]["va"]):
                        self.replay.fail(s, f"the TLBI is for VA page {va:#x}, the trace says "
                                            f"{s['data']['va']}")
            else:
                self.seen.append(("other", effect))
    return TraceContext


def _TraceContext(*a, **kw):
    return _ctx_class()(*a, **kw)


# --------------------------------------------------------------------------- command

def self_check(scen, rep: dict) -> dict:
    """`bbmcheck prove`'s check of its own counterexample: the report's trace (as
    written, JSON) replayed on the concrete interpreter against the scenario the
    check used.  {"status": "CONFIRMED" | "REJECTED" | "UNCHECKED", "detail": ...};
    REJECTED means the trace and the model disagree: a bbmcheck bug."""
    trace = json.loads(json.dumps(rep["trace"]))
    try:
        ok, what = Replay(scen, trace).run()
    except Rejected as e:
        return {"status": "REJECTED", "detail": str(e)}
    except (BbmError, KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        return {"status": "REJECTED", "detail": f"{type(e).__name__}: {e}"}
    if not ok:
        return {"status": "UNCHECKED",
                "detail": f"every step is legal; the property '{trace['property']}' has no "
                          f"concrete check"}
    return {"status": "CONFIRMED", "detail": what}


def replay_report(rep: dict, trace_path: str = "<trace>") -> tuple[int, str]:
    if rep.get("status") != "REFUTED" or not rep.get("trace"):
        return 2, f"{trace_path}: error: not a counterexample (status {rep.get('status')})"
    scen = rebuild_scenario(rep, trace_path)
    r = Replay(scen, rep["trace"])
    try:
        ok, what = r.run()
    except Rejected as e:
        return 1, f"REJECTED  {rep['check']}: {e}"
    if not ok:
        return 3, (f"REPLAYED  {rep['check']}: every step of the trace is a legal step of the "
                   f"model, but replay has no concrete check of the property "
                   f"'{rep['trace']['property']}' yet")
    n = len(rep["trace"]["steps"])
    return 0, (f"CONFIRMED  {rep['check']}: {rep['trace']['property']} — {what}\n"
               f"  {n} steps replayed on the concrete interpreter: instructions, register "
               f"values, loads and walk reads, read coherence, store visibility, DSB and "
               f"TLBI completion, "
               f"TLB entry lifetimes")


@click.command(name="replay")
@click.argument("trace", type=click.Path(dir_okay=False))
def replay_cmd(trace):
    """Re-run a saved counterexample (bbmcheck prove --format json) concretely and
    confirm the violation.  Exit status 0 confirmed, 1 rejected, 2 bad input, 3 the
    property has no concrete check."""
    try:
        with open(trace, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise BbmError(f"cannot read trace: {e.strerror}", file=trace)
    except json.JSONDecodeError as e:
        raise BbmError(f"not JSON: {e.msg}", file=trace, line=e.lineno)
    reps = data if isinstance(data, list) else [data]
    if not reps or not all(isinstance(r, dict) and "status" in r for r in reps):
        raise BbmError("not a bbmcheck JSON report (bbmcheck prove --format json)", file=trace)
    if any(r.get("schema") != 2 for r in reps):
        raise BbmError(f"report schema {reps[0].get('schema')} is not supported (this "
                       f"bbmcheck reads schema 2)", file=trace)
    refuted = [r for r in reps if r.get("status") == "REFUTED" and r.get("trace")]
    if not refuted:
        raise BbmError("the report holds no counterexample (no REFUTED check)", file=trace)
    worst = 0
    for rep in refuted:
        try:
            rc, text = replay_report(rep, trace)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            rc, text = 1, f"REJECTED  {rep.get('check')}: malformed trace ({type(e).__name__}: {e})"
        click.echo(text)
        worst = max(worst, rc, key=lambda c: {0: 0, 3: 1, 1: 2, 2: 3}[c])
    sys.exit(worst)
