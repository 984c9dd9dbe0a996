"""Symbolic execution of one CPU: program -> guarded events.

Every path of the routine is executed at once.  A data-dependent branch forks the
state; the two halves meet again at the branch's immediate post-dominator and are
merged (registers become if-then-else terms), so a traversal of a table tree costs
the size of the tree, not the number of its shapes.  Loads return fresh variables
(the encoder decides what they read); every load, store, barrier, TLBI, ISB and
translation-register write becomes an Event carrying its path condition.

Await loops: an iteration of a loop that stores nothing, invalidates nothing,
writes no system register and leaves every register the next iteration reads
unchanged cannot influence anything; an execution that spins k times is the same,
to every other observer, as one where the CPU arrives late and runs the final
iteration only.  Such a back edge ends the path as `blocked` (the CPU is waiting),
which makes the bound independent of how long a CPU waits.  The reduction is on by
default and can be disabled (`reduce_await=False`); tests check it leaves verdicts
unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import z3

from ..errors import ModelError
from ..grammar.program import Program
from . import effects as E
from .solving import check
from . import values as V
from .cfg import CFG, EXIT
from .events import (TRANSLATION_REGS, Access, Barrier, CpuTrace, Event, ExceptionReturn,
                     FaultEntry, ISBEvent,
                     Other, Return, Step, Stop, SysRegWrite, TLBIEvent)
from .isa import decode

TRACK_FIELDS = ("last_isb", "last_dsb", "pend_local", "pend_global", "pend_tlbi_local",
                "pend_tlbi_global", "pend_dmb_all", "pend_dmb_st", "pend_dmb_ld",
                "last_dmb_all", "last_dmb_st", "last_dmb_ld", "pend_loads", "ctrl",
                "pend_msr", "addr_src")
DMB_TYPES = ("all", "st", "ld")


@dataclass
class Frame:
    pc: int
    depth: int
    fork: int


class SymState:
    __slots__ = ("pc", "regs", "sp", "nzcv", "sysregs", "guard", "steps", "calls",
                 "merge", "trk", "msr_last", "snaps", "log", "excl", "forks", "fwd")

    def copy(self) -> "SymState":
        s = SymState.__new__(SymState)
        s.pc = self.pc
        s.regs = list(self.regs)
        s.sp = self.sp
        s.nzcv = self.nzcv
        s.sysregs = dict(self.sysregs)
        s.guard = self.guard
        s.steps = self.steps
        s.calls = self.calls
        s.merge = self.merge
        s.trk = dict(self.trk)
        s.msr_last = dict(self.msr_last)
        s.snaps = dict(self.snaps)
        s.log = self.log
        s.excl = self.excl
        s.forks = self.forks
        s.fwd = dict(self.fwd)
        return s


def _and(g, c):
    if g is True:
        return V.to_z3(c) if not isinstance(c, bool) else c
    if c is True:
        return g
    if c is False or g is False:
        return False
    return z3.And(g, V.to_z3(c))


def _same(a, b) -> bool:
    if a is b:
        return True
    ca, cb = V.is_concrete(a), V.is_concrete(b)
    if ca and cb:
        return a == b
    if ca or cb:
        return False
    return a.eq(b)


class LoadIndex:
    """Maps load-value variables back to their events (for dependencies)."""

    def __init__(self):
        self.by_name: dict[str, Access] = {}
        self._cache: dict[int, frozenset] = {}
        self._keep: list = []

    def leaves(self, term, pick: bool = True) -> frozenset:
        """The load events whose values `term` mentions.  With pick=False, not the
        condition of an if-then-else whose two sides are the same term: a conditional
        select of two equal values (model/isa/condsel.py) depends on its condition
        only by herd7's "pick" dependency, which orders later stores but neither loads
        nor translation table walks."""
        if isinstance(term, bool) or V.is_concrete(term):
            return frozenset()
        key = (term.get_id(), pick)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        out: set = set()
        todo, seen = [term], set()
        while todo:
            t = todo.pop()
            i = t.get_id()
            if i in seen:
                continue
            seen.add(i)
            if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED:
                ev = self.by_name.get(t.decl().name())
                if ev is not None:
                    out.add(ev)
            elif not pick and z3.is_app_of(t, z3.Z3_OP_ITE) and t.arg(1).eq(t.arg(2)):
                todo.append(t.arg(1))
            else:
                todo.extend(t.children())
        res = frozenset(out)
        self._cache[key] = res
        self._keep.append(term)        # keep the term alive: Z3 reuses ids of freed terms
        return res


class _Ctx:
    """The Context (model/isa/context.py) of one step of one state."""

    def __init__(self, ex: "Executor", st: SymState, step: Step):
        self.ex = ex
        self.st = st
        self.step = step
        self.pc = st.pc
        self.branch_info = None
        self.stop: tuple[str, str] | None = None

    # registers
    def read_gpr(self, n):
        return self.st.regs[n]

    def write_gpr(self, n, value):
        self.st.regs[n] = value
        self.step.writes[f"x{n}"] = value

    def read_sp(self):
        return self.st.sp

    def write_sp(self, value):
        self.st.sp = value
        self.step.writes["sp"] = value

    def read_nzcv(self):
        return self.st.nzcv

    def write_nzcv(self, value):
        self.st.nzcv = value
        self.step.writes["nzcv"] = value

    def branch(self, cond, target, *, link=False, kind="b"):
        self.branch_info = (cond, target, link, kind)

    def symbol(self, name):
        return self.ex.symbol(name)

    # memory
    def _access(self, **kw) -> Access:
        st, ex = self.st, self.ex
        ev = Access(cpu=ex.cpu, index=0, guard=st.guard, step=self.step, **kw)
        ev.handler_code = ex.in_handler_code(st.pc)
        ev.addr_deps = ex.loads.leaves(kw["va"], pick=False)
        ev.pick_deps = ex.loads.leaves(kw["va"]) - ev.addr_deps
        if ev.pick_deps:
            # (an address dependency already orders its loads before the access's
            # lookup, and so before a later ISB: rule addr-dep-orders-walks; a pick
            # dependency orders no walk, so a later ISB needs them: rule isb-orders)
            st.trk["addr_src"] = st.trk["addr_src"] | ev.pick_deps
        ev.regs_before = tuple(st.regs)
        ev.ctrl = st.trk["ctrl"]
        ev.last_isb = st.trk["last_isb"]
        ev.last_dsb = st.trk["last_dsb"]
        ev.dmb_before = (st.trk["last_dmb_all"] | st.trk["last_dmb_st"]
                         | st.trk["last_dmb_ld"])
        ex.add_event(st, ev)
        for ty in DMB_TYPES:
            st.trk["pend_dmb_" + ty] = st.trk["pend_dmb_" + ty] | {ev}
        if not ev.is_store:
            st.trk["pend_loads"] = st.trk["pend_loads"] | {ev}
        return ev

    def _hint(self, name, addr, size):
        """Record the value a load from `addr` is expected to read (Executor.load_hint):
        this path's own last store to that address (a term; store-to-load forwarding
        as the CPU sees it), else the initial memory's value.  Only a guess for
        choosing which side of a loop's back edge to explore (Executor._hinted)."""
        ex = self.ex
        if ex.load_hint is None or not V.is_concrete(addr):
            return
        a = V.as_int(addr)
        own = self.st.fwd.get(a)
        if own is not None:
            if own[0] == size:
                ex._hints[name] = own[1]
            return
        if any(b < a + size and a < b + sz for b, (sz, _) in self.st.fwd.items()):
            return                      # an overlapping store of another size: no guess
        h = ex.load_hint(a, size)
        if h is not None:
            ex._hints[name] = h

    def _forward(self, addr, size, value):
        """This path's last store to a concrete address (for _hint)."""
        if self.ex.load_hint is None or not V.is_concrete(addr):
            return
        a = V.as_int(addr)
        fwd = self.st.fwd
        for b in [b for b, (sz, _) in fwd.items() if b < a + size and a < b + sz]:
            del fwd[b]
        fwd[a] = (size, value)

    def load(self, addr, size, *, acquire=False, exclusive=False):
        name = f"ld_{self.ex.cpu}_{len(self.ex.trace.events)}"
        val = V.var(name, size * 8)
        self._hint(name, addr, size)
        ev = self._access(is_store=False, va=addr, size=size, value=val, acquire=acquire,
                          exclusive=exclusive)
        self.ex.loads.by_name[name] = ev
        if exclusive:
            self.st.excl = ev
        return val

    def store(self, addr, size, value, *, release=False):
        ev = self._access(is_store=True, va=addr, size=size, value=value, release=release)
        ev.data_deps = self.ex.loads.leaves(value)
        self._pend_store(ev)
        self._forward(addr, size, value)

    def _pend_store(self, ev):
        t = self.st.trk
        t["pend_local"] = t["pend_local"] | {ev}
        t["pend_global"] = t["pend_global"] | {ev}

    def store_exclusive(self, addr, size, value, *, release=False):
        name = f"sx_{self.ex.cpu}_{len(self.ex.trace.events)}"
        status = V.var(name, 32)
        ev = self._access(is_store=True, va=addr, size=size, value=value, release=release,
                          exclusive=True, status=status)
        ev.data_deps = self.ex.loads.leaves(value)
        ev.pair = self.st.excl
        self.st.excl = None
        self._pend_store(ev)
        if self.ex.load_hint is not None and V.is_concrete(addr):
            a = V.as_int(addr)
            prev = self.st.fwd.get(a)
            prev = prev[1] if prev is not None and prev[0] == size else \
                self.ex.load_hint(a, size)
            if prev is None:
                self.st.fwd.pop(a, None)
            else:
                if isinstance(prev, int):
                    prev = V.const(prev, size * 8)
                self._forward(addr, size, V.ite(V.eq(status, V.const(0, 32)), value, prev))
        return status

    def clear_exclusive(self):
        self.st.excl = None

    def atomic(self, addr, size, new_of, *, acquire=False, release=False, ret=True):
        """An LSE atomic (model/isa/atomics.py): a read event and a write event of one
        instruction, tied by rule atomic-rmw (single-copy atomic, one translation).
        The write happens when new_of says it writes; where it does not (a failed
        CAS) the machine may still write back the value read, or write nothing: its
        `status` is then free (0 = written), as for a store-exclusive."""
        ex = self.ex
        name = f"ld_{ex.cpu}_{len(ex.trace.events)}"
        old = V.var(name, size * 8)
        self._hint(name, addr, size)
        rd = self._access(is_store=False, va=addr, size=size, value=old,
                          acquire=acquire and ret, atomic=True, noret=not ret)
        ex.loads.by_name[name] = rd
        new, w = new_of(old)
        c = V.concrete_bool(w)
        if c is True:
            status, value = V.const(0, 32), new
        else:
            free = V.var(f"sx_{ex.cpu}_{len(ex.trace.events)}", 32)
            status = free if c is False else V.ite(w, V.const(0, 32), free)
            value = old if c is False else V.ite(w, new, old)
        wr = self._access(is_store=True, va=addr, size=size, value=value, release=release,
                          exclusive=True, status=status, atomic=True)
        wr.data_deps = ex.loads.leaves(value)
        wr.writeback = c is False or (c is None and V.bool_not(w))
        wr.pair = rd
        rd.rmw_w = wr
        self._pend_store(wr)
        self._forward(addr, size, value)    # (a CAS that writes nothing leaves `old`)
        return old

    # system registers
    def read_sysreg(self, name):
        v = self.st.sysregs.get(name)
        if v is None:
            v = self.ex.initial_sysreg(name)
            self.st.sysregs[name] = v
        return v

    def write_sysreg(self, name, value):
        st = self.st
        st.sysregs[name] = value
        self.step.writes[name] = value
        if name in TRANSLATION_REGS:
            ev = SysRegWrite(cpu=self.ex.cpu, index=0, guard=st.guard, step=self.step,
                             name=name, value=value, prev=st.msr_last.get(name, frozenset()),
                             ctrl=st.trk["ctrl"])
            self.ex.add_event(st, ev)
            st.msr_last[name] = frozenset({ev})
            st.trk["pend_msr"] = st.trk["pend_msr"] | {ev}

    # everything else
    def effect(self, eff):
        st, ex = self.st, self.ex
        t = st.trk
        if isinstance(eff, E.Barrier):
            ev = Barrier(cpu=ex.cpu, index=0, guard=st.guard, step=self.step, op=eff.kind,
                         domain=eff.domain, types=eff.types)
            if eff.kind == "dsb":
                # A DSB waits for earlier stores (all but DSB LD) and completes earlier
                # TLBIs (only a DSB covering loads and stores, not DSB ST/LD).
                if eff.types in ("all", "st"):
                    ev.covers_local = t["pend_local"]
                    t["pend_local"] = frozenset()
                    if ev.global_domain:
                        ev.covers_global = t["pend_global"]
                        t["pend_global"] = frozenset()
                if eff.types in ("all", "ld"):
                    ev.load_cover = t["pend_loads"]
                    t["pend_loads"] = frozenset()
                if eff.types == "all":
                    ev.completes_local = t["pend_tlbi_local"]
                    t["pend_tlbi_local"] = frozenset()
                    if ev.global_domain:
                        ev.completes_global = t["pend_tlbi_global"]
                        t["pend_tlbi_global"] = frozenset()
                t["last_dsb"] = frozenset({ev})
            elif ev.global_domain:
                # A DMB orders the accesses before it (of its type) with those after it,
                # since the previous DMB of the same type (rules chain same-type DMBs).
                # A DMB NSH orders nothing for other observers (rule dmb-orders), so it
                # takes no accesses from the next DMB ISH/OSH/SY of its type.
                ev.dmb_cover = t["pend_dmb_" + eff.types]
                ev.dmb_prev = t["last_dmb_" + eff.types]
                t["pend_dmb_" + eff.types] = frozenset()
                t["last_dmb_" + eff.types] = frozenset({ev})
            ex.add_event(st, ev)
        elif isinstance(eff, E.ISB):
            ev = ISBEvent(cpu=ex.cpu, index=0, guard=st.guard, step=self.step,
                          ctrl=t["ctrl"], syncs=t["pend_msr"], addr_src=t["addr_src"])
            t["pend_msr"] = frozenset()
            t["last_isb"] = frozenset({ev})
            ex.add_event(st, ev)
        elif isinstance(eff, E.TLBI):
            ev = TLBIEvent(cpu=ex.cpu, index=0, guard=st.guard, step=self.step, effect=eff,
                           ctrl=t["ctrl"], last_isb=t["last_isb"],
                           deps=ex.loads.leaves(eff.xt) if eff.xt is not None else frozenset())
            t["pend_tlbi_local"] = t["pend_tlbi_local"] | {ev}
            t["pend_tlbi_global"] = t["pend_tlbi_global"] | {ev}
            ex.add_event(st, ev)
        elif isinstance(eff, (E.DC, E.IC, E.Event)):
            what = type(eff).__name__.lower() + " " + (eff.op if hasattr(eff, "op") else eff.kind)
            ex.add_event(st, Other(cpu=ex.cpu, index=0, guard=st.guard, step=self.step,
                                   what=what))
        elif (isinstance(eff, E.Exception_) and eff.kind == "eret"
              and ex.in_handler_code(st.pc)):
            # the end of a fault handler: back to ELR_EL1 through a context
            # synchronization event (herd7: EXC-RET is in IFB)
            elr = st.sysregs.get("elr_el1")
            if elr is None or not V.is_concrete(elr):
                self.stop = ("unsupported", "eret to an ELR_EL1 that is not a known address")
                return
            ev = ExceptionReturn(cpu=ex.cpu, index=0, guard=st.guard, step=self.step,
                                 ctrl=t["ctrl"], syncs=t["pend_msr"], addr_src=t["addr_src"])
            t["pend_msr"] = frozenset()
            t["last_isb"] = frozenset({ev})
            ex.add_event(st, ev)
            self.branch_info = (True, V.as_int(elr), False, "b")
        elif isinstance(eff, E.Exception_):
            self.stop = ("unsupported", f"{eff.kind}: exception-generating instructions "
                                        f"are not modelled")
        elif isinstance(eff, E.Unsupported):
            self.stop = ("unsupported", eff.reason)
        else:
            self.stop = ("unsupported", f"unknown effect {eff!r}")


class Executor:
    """Symbolic execution of one CPU from an entry address."""

    def __init__(self, program: Program, cpu: int, entry: str, entry_addr: int,
                 regs: dict[int, object], sysregs: dict[str, object],
                 symbol: Callable[[str], int], bound: int, *,
                 sp=None, reduce_await: bool = True, cfg: CFG | None = None,
                 fetch: bool = False, end_before=(), prune_forks: bool = True,
                 load_hint: Callable[[int, int], int | None] | None = None,
                 handled: bool = False, handler: tuple[int, int] | None = None):
        self.program = program
        # faults handled by executing the instruction again (CpuSetup.faults):
        # every explicit access is executed as attempt 1, then, if it faulted, an
        # exception entry and attempt 2 (see _retry)
        self.handled = handled
        # or by a handler (litmus `P<n>.F` column): [start, end) of its code; an
        # access outside it that faults enters it instead (see _enter_handler)
        self.handler = handler
        self._detached: list = []
        # load_hint(va, size): the value a load from a concrete VA is expected to read
        # (None: no guess); used only to choose not to run a loop's next iteration
        self.load_hint = load_hint
        self._hints: dict[str, int] = {}
        self.fetch = fetch
        self.end_before = tuple(" ".join(p.lower().split()) for p in end_before)
        self.cpu = cpu
        self.symbol = symbol
        self.bound = bound
        self.reduce_await = reduce_await
        self.prune_forks = prune_forks
        self.trace = CpuTrace(cpu, entry)
        self.loads = LoadIndex()
        self.cfg = cfg or CFG(program, entry_addr, symbol)
        def bv(x):
            return V.const(x, 64) if isinstance(x, int) else x
        regs = {n: bv(v) for n, v in regs.items()}
        sysregs = {k: bv(v) for k, v in sysregs.items()}
        sp = bv(sp) if sp is not None else None
        self._init_sysregs = dict(sysregs)
        self._fork_id = 0
        self._fork_guard: dict[int, object] = {}
        self._lost: set[int] = set()
        self.stats = {"forks": 0, "merges": 0, "blocked": 0, "cut": 0, "paths_done": 0}
        self._feas = z3.Solver()
        self._feas.set("timeout", 2000)

        st = SymState.__new__(SymState)
        st.pc = entry_addr
        st.regs = [regs.get(n, V.var(f"init_x{n}_cpu{cpu}", 64)) for n in range(31)]
        self.trace.open_inputs.update({f"x{n}": st.regs[n] for n in range(31) if n not in regs})
        st.sp = sp if sp is not None else V.var(f"init_sp_cpu{cpu}", 64)
        st.nzcv = V.var(f"init_nzcv_cpu{cpu}", 4)
        st.sysregs = dict(sysregs)
        st.guard = True
        st.steps = 0
        st.calls = ()
        st.merge = ()
        st.trk = {f: frozenset() for f in TRACK_FIELDS}
        st.msr_last = {}
        st.snaps = {}
        st.log = None
        st.excl = None
        st.forks = ()
        st.fwd = {}
        self.initial = st

    def initial_sysreg(self, name):
        v = self._init_sysregs.get(name)
        if v is None:
            v = V.var(f"init_{name}_cpu{self.cpu}", 64)
            self._init_sysregs[name] = v
            self.trace.open_inputs[name] = v
        return v

    # ------------------------------------------------------------------ events
    def add_event(self, st: SymState, ev: Event):
        ev.index = len(self.trace.events)
        self.trace.events.append(ev)
        if ev.step is not None:
            ev.step.events.append(ev)
        st.log = (ev, st.log)

    def _stop(self, st: SymState, reason: str, detail: str = "", step: Step | None = None):
        if reason == "return":
            ev = Return(cpu=self.cpu, index=0, guard=st.guard, step=step)
            ev.state = st
            self.trace.final_states.append(st)
        else:
            ev = Stop(cpu=self.cpu, index=0, guard=st.guard, step=step, reason=reason,
                      detail=detail)
        self.add_event(st, ev)
        self._lost.update(st.forks)       # the forks it belonged to lost a state
        self.stats["paths_done"] += 1
        if reason == "blocked":
            self.stats["blocked"] += 1
        if reason == "bound":
            self.stats["cut"] += 1

    # ------------------------------------------------------------------ run
    def run(self) -> CpuTrace:
        work: list[SymState] = [self.initial]
        parked: dict[int, list[SymState]] = {}
        outstanding: dict[int, int] = {}

        def finished(st: SymState):
            for fid in st.forks:
                outstanding[fid] -= 1
                ready(fid)

        def ready(fid):
            ps = parked.get(fid)
            if ps is not None and len(ps) == outstanding[fid]:
                del parked[fid]
                merged = self._merge(ps)
                if fid not in self._lost:
                    merged.guard = self._fork_guard[fid]
                # the merged state leaves the fork: enclosing forks lose len-1 states
                for f2 in merged.forks:
                    outstanding[f2] -= len(ps) - 1
                work.append(merged)
                for f2 in merged.forks:
                    ready(f2)

        while work:
            st = work.pop()
            # arrived at the merge point of the innermost fork?
            if st.merge:
                fr = st.merge[-1]
                if st.pc == fr.pc and len(st.calls) == fr.depth:
                    st.merge = st.merge[:-1]
                    st.forks = st.forks[:-1]
                    parked.setdefault(fr.fork, []).append(st)
                    ready(fr.fork)
                    continue
            branch_pc = st.pc
            succ = self._step(st)
            for h in self._detached:
                # a fault handler's path: it ends in the handler, so it leaves the
                # enclosing forks like a path that returns
                for f2 in h.forks:
                    outstanding[f2] += 1
                work.append(h)
            self._detached = []
            if not succ:
                finished(st)
                continue
            if len(succ) == 2:
                fid = self._fork_id
                self._fork_guard[fid] = self._parent_guard
                self._fork_id += 1
                self.stats["forks"] += 1
                for f2 in st.forks:
                    outstanding[f2] += 1
                ip = self.cfg.ipdom.get(branch_pc)
                if ip is not None:
                    outstanding[fid] = 2
                    for c in succ:
                        c.merge = c.merge + (Frame(ip, len(c.calls), fid),)
                        c.forks = c.forks + (fid,)
            work.extend(reversed(succ))
        self.trace.stats = dict(self.stats, events=len(self.trace.events),
                                steps=len(self.trace.steps))
        return self.trace

    def _merge(self, states: list[SymState]) -> SymState:
        if len(states) == 1:
            return states[0]
        self.stats["merges"] += 1
        base = states[0]
        for other in states[1:]:
            base = self._merge2(base, other)
        return base

    def _merge2(self, a: SymState, b: SymState) -> SymState:
        if a.calls != b.calls or a.pc != b.pc:
            raise ModelError("internal: merging states at different points")
        g = a.guard

        def m(x, y):
            return x if _same(x, y) else V.ite(g, x, y)
        s = a.copy()
        s.regs = [m(x, y) for x, y in zip(a.regs, b.regs)]
        s.sp = m(a.sp, b.sp)
        s.nzcv = m(a.nzcv, b.nzcv)
        keys = set(a.sysregs) | set(b.sysregs)
        s.sysregs = {k: m(a.sysregs.get(k) if k in a.sysregs else self.initial_sysreg(k),
                          b.sysregs.get(k) if k in b.sysregs else self.initial_sysreg(k))
                     for k in keys}
        s.guard = z3.Or(a.guard, b.guard)
        s.steps = max(a.steps, b.steps)
        s.trk = {f: a.trk[f] | b.trk[f] for f in TRACK_FIELDS}
        s.msr_last = {k: a.msr_last.get(k, frozenset()) | b.msr_last.get(k, frozenset())
                      for k in set(a.msr_last) | set(b.msr_last)}
        s.snaps = {}          # loop snapshots do not survive a merge
        s.excl = a.excl if a.excl is b.excl else None
        s.log = None
        s.fwd = {}
        for k in set(a.fwd) | set(b.fwd):
            xa, xb = a.fwd.get(k), b.fwd.get(k)
            size = (xa or xb)[0]
            if (xa and xa[0] != size) or (xb and xb[0] != size):
                continue
            va = xa[1] if xa else self.load_hint(k, size)
            vb = xb[1] if xb else self.load_hint(k, size)
            if va is None or vb is None:
                continue
            s.fwd[k] = (size, m(V.const(va, size * 8) if isinstance(va, int) else va,
                                V.const(vb, size * 8) if isinstance(vb, int) else vb))
        return s

    # ------------------------------------------------------------------ one instruction
    def _step(self, st: SymState) -> list[SymState]:
        instr = self.program.instruction_at(st.pc)
        if instr is None:
            self._stop(st, "unsupported", f"no instruction at {st.pc:#x}")
            return []
        if st.steps >= self.bound:
            self._stop(st, "bound", f"{self.bound} steps reached at {instr.loc.short()}")
            return []
        if self.end_before and not st.calls:
            text = " ".join(str(instr).lower().split())
            if any(text.startswith(p) for p in self.end_before):
                # the scenario ends here (e.g. before a jump into the next kernel or an
                # exception return): the routine counts as returned, the instruction
                # is not executed
                self._stop(st, "return", f"ends before `{instr}` (end_before)")
                return []
        step = Step(cpu=self.cpu, order=len(self.trace.steps), instr=instr, guard=st.guard,
                    prev_event=len(self.trace.events) - 1)
        self.trace.steps.append(step)
        st.steps += 1
        if self.fetch:
            self._fetch(st, st.pc, step)
        ctx = _Ctx(self, st, step)
        op = decode(instr)
        in_handler = self.in_handler_code(st.pc)
        before = st.copy() if (self.handled or self.handler) and not in_handler else None
        try:
            op.run(ctx)
        except ModelError as e:
            ctx.stop = ("unsupported", e.message)
        if ctx.stop is not None:
            self._stop(st, ctx.stop[0], ctx.stop[1], step)
            return []
        handler_path = None
        if before is not None and any(isinstance(e, Access) and not e.fetch
                                      for e in step.events):
            if self.handler:
                why = handler_path = self._enter_handler(st, before, step, ctx)
                why = why if isinstance(why, str) else None
            else:
                why = self._retry(st, before, step, op, ctx)
            if why is not None:
                self._stop(st, "unsupported", why, step)
                return []
        nxt = st.pc + instr.size
        if handler_path is not None:
            self._detached.append(handler_path)      # never merges back (run)
            return self._goto(st, nxt, step)
        if ctx.branch_info is None:
            return self._goto(st, nxt, step)
        cond, target, link, kind = ctx.branch_info
        c = V.concrete_bool(cond)
        if kind == "ret" and not st.calls and c is True:
            if self.fetch and V.is_concrete(target):
                # the caller's next instruction is fetched from the return address
                self._fetch(st, V.as_int(target), step, collapse=False)
            self._stop(st, "return", "", step)
            return []
        if kind == "ret" or (kind in ("br", "blr") and not link and c is True):
            if not V.is_concrete(target):
                self._stop(st, "unsupported", "return/indirect branch to a symbolic address",
                           step)
                return []
            t = V.as_int(target)
            if kind == "ret" and not st.calls:
                self._stop(st, "return", "", step)
                return []
            if st.calls and st.calls[-1] == t:
                st.calls = st.calls[:-1]
            return self._goto(st, t, step)
        if link:
            if not V.is_concrete(target):
                self._stop(st, "unsupported", "call to a symbolic address", step)
                return []
            st.calls = st.calls + (nxt,)
            return self._goto(st, V.as_int(target), step)
        if not V.is_concrete(target):
            self._stop(st, "unsupported", "branch to a symbolic address", step)
            return []
        t = V.as_int(target)
        if c is True:
            return self._goto(st, t, step)
        if c is False:
            return self._goto(st, nxt, step)
        # data-dependent: fork, unless the path condition already decides it (a merged
        # state's registers are if-then-else terms that no syntactic check relates,
        # e.g. a loop counter against its end; without this a loop unrolls to the bound)
        c = self._decided(st.guard, cond) if self.prune_forks else None
        if c is not None:
            # not forked, but still a control dependency on the loads the condition
            # mentions (herd7's ctrl is syntactic: e.g. a branch on a CSEL of two equal
            # values, a pick dependency)
            st.trk["ctrl"] = st.trk["ctrl"] | self.loads.leaves(cond)
        if c is True:
            return self._goto(st, t, step)
        if c is False:
            return self._goto(st, nxt, step)
        deps = self.loads.leaves(cond)
        h = self._hinted(st.guard, cond, deps, st.pc, t, nxt) if self.prune_forks else None
        if h is not None:
            # leave the loop where the loads' expected values leave it; the next
            # iteration ends as an unexplored path (a cut: INCONCLUSIVE if any
            # execution takes it)
            h, exit_taken = h
            st.trk["ctrl"] = st.trk["ctrl"] | deps
            again = st.copy()
            stay = V.bool_not(cond) if exit_taken else cond
            again.guard = _and(st.guard, stay)
            st.guard = _and(st.guard, cond if exit_taken else V.bool_not(cond))
            self.stats["unexplored"] = self.stats.get("unexplored", 0) + 1
            self._stop(again, "unexplored",
                       f"the loop at {instr.loc.short()} was left where "
                       + ", ".join(f"the load at {e.step.instr.loc.short()} reads "
                                   + (f"{v:#x}" if isinstance(v, int) else
                                      "what this CPU stored there")
                                   for e, v in h), step)
            return self._goto(st, t if exit_taken else nxt, step)
        self._parent_guard = st.guard
        st.trk["ctrl"] = st.trk["ctrl"] | deps
        taken = st.copy()
        taken.guard = _and(st.guard, cond)
        st.guard = _and(st.guard, V.bool_not(cond))
        out = []
        for s, pc in ((taken, t), (st, nxt)):
            out.extend(self._goto(s, pc, step))
        # if one side ended at once (an await back edge), there is no fork to merge
        return out

    def in_handler_code(self, pc: int) -> bool:
        """Is `pc` in the CPU's fault handler (litmus P<n>.F)?"""
        return self.handler is not None and self.handler[0] <= pc < self.handler[1]

    def _fault_accesses(self, step: Step, ctx, how: str) -> list | str:
        """The explicit accesses of an instruction whose fault the CPU takes, or why
        that is not modelled."""
        accs = [e for e in step.events if isinstance(e, Access) and not e.fetch]
        if ctx.branch_info is not None:
            return f"a memory access that branches, in a thread whose faults are {how}"
        if len(accs) == 2 and accs[0].atomic and accs[1].pair is accs[0]:
            pass                        # an LSE atomic: one translation, one fault
        elif len(accs) != 1:
            return (f"an instruction with several memory accesses (pair, ...) in a thread "
                    f"whose faults are {how}")
        if accs[0].exclusive and not accs[0].atomic:
            return f"a load/store-exclusive in a thread whose faults are {how}"
        return accs

    def _refault(self, accs) -> z3.BoolRef:
        """The fresh Bool "this instruction's first attempt faulted" (the encoder ties
        it to the fault condition: rules.py retry_taken), set on its accesses."""
        hf = z3.Bool(f"refault_{self.cpu}_{accs[0].index}")
        for a in accs:
            a.attempt, a.refault = 1, hf
        return hf

    def _exception_entry(self, st: SymState, step: Step, of: Access):
        """The exception entry of the fault of access `of` on path `st`: a context
        synchronization event (rule exception-entry-syncs)."""
        fe = FaultEntry(cpu=self.cpu, index=0, guard=st.guard, step=step,
                        ctrl=st.trk["ctrl"], addr_src=st.trk["addr_src"], of=of)
        self.add_event(st, fe)
        st.trk["last_isb"] = frozenset({fe})

    def _enter_handler(self, st: SymState, before: SymState, step: Step, ctx):
        """Faults taken by a handler (litmus `P<n>.F`, herd7: the thread's fault
        handler): `st` has just executed the instruction from `before`.  If it
        faulted (a fresh Bool, `refault`, that the encoder ties to its fault
        condition, as for _retry) the CPU takes the exception -- a FaultEntry event,
        a context synchronization event -- and runs the handler from the registers
        before the instruction; the handler's end ends the CPU's run.  `st` goes on
        without the fault.  Returns the handler's path, or why it is not modelled."""
        accs = self._fault_accesses(step, ctx, "taken by a handler")
        if isinstance(accs, str):
            return accs
        g = before.guard
        hf = self._refault(accs)
        h = before
        h.guard = _and(g, hf)
        self._exception_entry(h, step, accs[0])
        h.pc = self.handler[0]
        h.sysregs["elr_el1"] = V.const(step.instr.address, 64)   # the faulting instruction
        st.guard = _and(g, z3.Not(hf))
        return h

    def _retry(self, st: SymState, before: SymState, step: Step, op, ctx) -> str | None:
        """Faults handled by executing the instruction again (herd7's `handled`, which
        `imprecise` means): `st` has just executed the instruction (attempt 1) from
        `before`.  If attempt 1 faulted (a fresh Bool, `refault`, that the encoder ties
        to its fault condition) the CPU takes the exception -- a FaultEntry event, a
        context synchronization event -- and executes the instruction again from the
        same registers (attempt 2, whose events are guarded by `refault`); the two
        continuations merge at once, registers as if-then-else on `refault`.  Whether
        the retry may fault is the encoder's business (rule retry-must-not-fault).
        Returns a reason when the instruction is not modelled this way."""
        accs = self._fault_accesses(step, ctx, "handled by executing it again")
        if isinstance(accs, str):
            return accs
        g = before.guard
        hf = self._refault(accs)
        # attempt 2, from the registers before the instruction
        st2 = before
        st2.guard = _and(g, hf)
        step2 = Step(cpu=self.cpu, order=len(self.trace.steps), instr=step.instr,
                     guard=st2.guard, prev_event=len(self.trace.events) - 1)
        self.trace.steps.append(step2)
        self._exception_entry(st2, step2, accs[0])
        ctx2 = _Ctx(self, st2, step2)
        try:
            op.run(ctx2)
        except ModelError as e:
            return e.message
        if ctx2.stop is not None:
            return ctx2.stop[1]
        accs2 = [e for e in step2.events if isinstance(e, Access) and not e.fetch]
        if len(accs2) != len(accs):
            return "the retry of a faulting instruction made other accesses"
        for a1, a2 in zip(accs, accs2):
            a2.attempt, a2.retry_of = 2, a1
        # the two continuations meet at once: attempt 1 without a fault, or attempt 2
        st.guard = _and(g, z3.Not(hf))
        log = st.log
        merged = self._merge2(st2, st)
        # keep the no-fault path's log (with the retry's events on it) and loop
        # snapshots; _stuttered refuses an iteration with a FaultEntry on it
        for ev in step2.events:
            log = (ev, log)
        merged.log = log
        merged.snaps = st.snaps
        merged.guard = g
        merged.forks = st.forks
        merged.merge = st.merge
        for f in SymState.__slots__:
            setattr(st, f, getattr(merged, f))
        return None

    def _fetch(self, st: SymState, pc: int, step: Step, *, collapse: bool = True):
        """An instruction fetch from `pc` (rule fetch-translation): an event whose
        translation is looked up between the last context synchronization event and
        the instruction's execution.  Consecutive fetches from one 4 KiB page with no
        other event between them on this path are one event: its lookup window
        contains each of theirs (same earliest bound, the latest instruction's time),
        so one fetch that may fault stands for all of them."""
        head = st.log[0] if st.log is not None else None
        if (collapse and isinstance(head, Access) and head.fetch and head.guard is st.guard
                and V.as_int(head.va) >> 12 == pc >> 12):
            return
        ev = Access(cpu=self.cpu, index=0, guard=st.guard, step=step, is_store=False,
                    va=V.const(pc, 64), size=4, fetch=True)
        ev.ctrl = st.trk["ctrl"]
        ev.last_isb = st.trk["last_isb"]
        ev.last_dsb = st.trk["last_dsb"]
        self.add_event(st, ev)

    def _decided(self, guard, cond):
        """True/False when `cond` is implied (or refuted) by the path condition, by
        Z3 within a short time limit; None when both are possible or unknown (then
        the executor forks, which is always sound)."""
        zc = V.to_z3(cond)
        zg = V.to_z3(guard) if guard is not True else z3.BoolVal(True)
        s = self._feas
        out = []
        for side in (zc, z3.Not(zc)):
            s.push()
            s.add(zg, side)
            out.append(check(s))
            s.pop()
        self.stats["fork_checks"] = self.stats.get("fork_checks", 0) + 1
        if out[0] == z3.unsat and out[1] != z3.unsat:
            return False
        if out[1] == z3.unsat and out[0] != z3.unsat:
            return True
        return None

    def _hinted(self, guard, cond, deps, pc, target, nxt):
        """([(load, value)], exit_taken) when a branch that continues or leaves a loop
        -- the back edge of a loop (a branch to a loop header at or before it), or a
        branch with one side that comes back to it and one that cannot -- leaves it,
        given the path condition and the values the loads the branch depends on are
        expected to read (`load_hint`: their initial memory through the CPU's initial
        tables, or what this path stored there last); None otherwise.  exit_taken:
        the loop is left by taking the branch.  Only a choice of what to explore: the
        loop's next iteration is kept as an unexplored path, which the checker
        reports (INCONCLUSIVE) if any execution takes it."""
        if self.load_hint is None:
            return None
        if target <= pc and target in self.cfg.loop_headers:
            exit_taken = False
        else:
            back_t, back_n = self._reaches(target, pc), self._reaches(nxt, pc)
            if back_t == back_n:
                return None
            exit_taken = back_n
        val = [(e, self._hints[e.value.decl().name()]) for e in deps
               if z3.is_const(e.value) and e.value.decl().name() in self._hints]
        if not val:
            return None
        hyp = z3.And(*[e.value == (z3.BitVecVal(v, e.value.size()) if isinstance(v, int)
                                   else V.to_z3(v)) for e, v in val])
        g = hyp if guard is True else z3.And(V.to_z3(guard), hyp)
        if self._decided(g, cond) is not (True if exit_taken else False):
            return None
        return sorted(val, key=lambda x: x[0].index), exit_taken

    def _reaches(self, src: int, dst: int) -> bool:
        """Can control flow go from `src` to `dst` (CFG edges, calls included)?"""
        memo = self.__dict__.setdefault("_reach_memo", {})
        key = (src, dst)
        if key not in memo:
            seen, todo = set(), [src]
            while todo:
                a = todo.pop()
                if a == dst:
                    break
                if a in seen or a == EXIT:
                    continue
                seen.add(a)
                todo.extend(self.cfg.succs(a))
                inf = self.cfg.info.get(a)
                if inf is not None and inf.call_target is not None:
                    todo.append(inf.call_target)
            else:
                memo[key] = False
                return False
            memo[key] = True
        return memo[key]

    def _goto(self, st: SymState, pc: int, step: Step) -> list[SymState]:
        st.pc = pc
        if pc in self.cfg.loop_headers:
            snap = st.snaps.get(pc)
            if (snap is not None and self.reduce_await and self._stuttered(st, snap, pc)):
                self._stop(st, "blocked", f"waiting in the loop at "
                                          f"{self.program.instruction_at(pc).loc.short()}", step)
                return []
            st.snaps[pc] = (list(st.regs), st.sp, st.nzcv, dict(st.sysregs), st.log, st.calls)
        return [st]

    def _stuttered(self, st: SymState, snap, header: int) -> bool:
        """Did the iteration since `snap` leave nothing a later iteration or another
        CPU could observe?  (Loads, barriers and events only; a store-exclusive only
        if this path's condition says it failed; every register live at the loop
        header unchanged.)"""
        regs, sp, nzcv, sysregs, log, calls = snap
        if calls != st.calls:
            return False
        cell = st.log
        while cell is not None and cell is not log:
            ev, cell = cell
            if isinstance(ev, Access):
                if not ev.is_store:
                    continue
                if ev.exclusive and ev.status is not None and self._failed(st.guard, ev.status):
                    continue
                return False
            if isinstance(ev, FaultEntry):
                return False            # a fault was taken (and is observable): not idle
            if isinstance(ev, (Barrier, ISBEvent, Other)):
                continue
            return False
        if cell is not log:
            return False
        live = self.cfg.live_in.get(header, frozenset())
        for n in range(31):
            if f"x{n}" in live and not _same(regs[n], st.regs[n]):
                return False
        if "sp" in live and not _same(sp, st.sp):
            return False
        if "nzcv" in live and not _same(nzcv, st.nzcv):
            return False
        if set(sysregs) != set(st.sysregs) or any(not _same(sysregs[k], st.sysregs[k])
                                                   for k in sysregs):
            return False
        return True

    @staticmethod
    def _failed(guard, status) -> bool:
        if guard is True:
            return False
        s = z3.Solver()
        s.set("timeout", 2000)
        s.add(guard, V.to_z3(status) == 0)
        return check(s) == z3.unsat
