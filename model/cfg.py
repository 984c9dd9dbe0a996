"""Static control flow of a routine: successors, immediate post-dominators, loop
headers and register liveness.

Symbolic execution uses it to merge paths again after a data-dependent branch (at
the branch's immediate post-dominator) and to recognise await loops (an iteration
that changes nothing a later iteration reads).  Branch targets and the registers an
instruction reads and writes are found by running its semantics once against a
probe context, so the analysis never disagrees with the semantics.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..grammar.program import Instruction, Program
from . import values as V
from .isa import decode

EXIT = -1


@dataclass
class InstrInfo:
    instr: Instruction
    succs: list[int] = field(default_factory=list)   # addresses, EXIT for returns
    reads: frozenset = frozenset()     # 'x0'..'x30', 'sp', 'nzcv'
    writes: frozenset = frozenset()
    kind: str = ""
    call_target: int | None = None
    indirect: bool = False


class _Probe:
    """A Context that records register reads/writes and the branch taken."""

    def __init__(self, program: Program, pc: int, symbols):
        self.program = program
        self.pc = pc
        self._symbols = symbols
        self.reads: set[str] = set()
        self.writes: set[str] = set()
        self.branches: list = []
        self.n = 0

    def _fresh(self, w=64):
        self.n += 1
        return V.fresh(f"probe{self.n}", w)

    def read_gpr(self, n):
        self.reads.add(f"x{n}")
        return self._fresh()

    def write_gpr(self, n, value):
        self.writes.add(f"x{n}")

    def read_sp(self):
        self.reads.add("sp")
        return self._fresh()

    def write_sp(self, value):
        self.writes.add("sp")

    def read_nzcv(self):
        self.reads.add("nzcv")
        return self._fresh(4)

    def write_nzcv(self, value):
        self.writes.add("nzcv")

    def branch(self, cond, target, *, link=False, kind="b"):
        self.branches.append((cond, target, link, kind))

    def symbol(self, name):
        return self._symbols(name)

    def load(self, addr, size, *, acquire=False, exclusive=False):
        return self._fresh(size * 8)

    def store(self, addr, size, value, *, release=False):
        pass

    def store_exclusive(self, addr, size, value, *, release=False):
        return self._fresh(32)

    def clear_exclusive(self):
        pass

    def read_sysreg(self, name):
        return self._fresh()

    def write_sysreg(self, name, value):
        pass

    def effect(self, effect):
        pass


class CFG:
    def __init__(self, program: Program, entry: int, symbols):
        self.program = program
        self.entry = entry
        self.info: dict[int, InstrInfo] = {}
        self._symbols = symbols
        self._build()
        self.ipdom = self._post_dominators()
        self.live_in = self._liveness()
        self.loop_headers = self._loop_headers()

    # ------------------------------------------------------------------ build
    def _analyse(self, addr: int) -> InstrInfo | None:
        instr = self.program.instruction_at(addr)
        if instr is None:
            return None
        op = decode(instr)
        probe = _Probe(self.program, addr, self._symbols)
        info = InstrInfo(instr, kind=op.kind)
        try:
            op.run(probe)
        except Exception:
            # symbol missing or similar: leave it to symbolic execution to report
            info.succs = [EXIT]
            return info
        info.reads = frozenset(probe.reads)
        info.writes = frozenset(probe.writes)
        nxt = addr + instr.size
        if op.kind == "unsupported":
            info.succs = [EXIT]
            return info
        if not probe.branches:
            info.succs = [nxt]
            return info
        cond, target, link, kind = probe.branches[0]
        always = V.concrete_bool(cond) is True
        if kind == "ret":
            info.succs = [EXIT]
        elif kind in ("br", "blr") or not V.is_concrete(target):
            info.indirect = True
            info.succs = [nxt] if link else [EXIT]
        elif link:
            info.call_target = V.as_int(target)
            info.succs = [nxt]
        else:
            t = V.as_int(target)
            info.succs = [t] if always else [nxt, t]
        return info

    def _build(self):
        todo = [self.entry]
        while todo:
            a = todo.pop()
            if a in self.info or a == EXIT:
                continue
            inf = self._analyse(a)
            if inf is None:
                continue
            self.info[a] = inf
            for s in inf.succs:
                if s != EXIT and s not in self.info:
                    todo.append(s)
            if inf.call_target is not None and inf.call_target not in self.info:
                todo.append(inf.call_target)

    def succs(self, a: int) -> list[int]:
        inf = self.info.get(a)
        if inf is None:
            return [EXIT]
        return [s if (s == EXIT or s in self.info) else EXIT for s in inf.succs]

    # ------------------------------------------------------------------ post-dominators
    def _post_dominators(self) -> dict[int, int | None]:
        """Immediate post-dominator of each node (EXIT-rooted), by the iterative
        algorithm of Cooper, Harvey and Kennedy on the reverse graph."""
        nodes = list(self.info)
        preds_rev = {n: [] for n in nodes}      # successors in the reverse graph
        for n in nodes:
            preds_rev[n] = self.succs(n)
        # reverse post-order of the reverse graph from EXIT
        rev_succ: dict[int, list[int]] = {EXIT: []}
        for n in nodes:
            rev_succ.setdefault(n, [])
        for n in nodes:
            for s in self.succs(n):
                rev_succ.setdefault(s, []).append(n)
        order, seen = [], set()

        def dfs(u):
            stack = [(u, iter(rev_succ.get(u, [])))]
            seen.add(u)
            while stack:
                v, it = stack[-1]
                for w in it:
                    if w not in seen:
                        seen.add(w)
                        stack.append((w, iter(rev_succ.get(w, []))))
                        break
                else:
                    order.append(v)
                    stack.pop()
        dfs(EXIT)
        rpo = list(reversed(order))
        num = {n: i for i, n in enumerate(rpo)}
        idom: dict[int, int | None] = {EXIT: EXIT}

        def intersect(a, b):
            while a != b:
                while num[a] > num[b]:
                    a = idom[a]
                while num[b] > num[a]:
                    b = idom[b]
            return a
        changed = True
        while changed:
            changed = False
            for n in rpo:
                if n == EXIT:
                    continue
                ps = [p for p in preds_rev[n] if p in idom and p in num]
                if not ps:
                    continue
                new = ps[0]
                for p in ps[1:]:
                    new = intersect(p, new)
                if idom.get(n) != new:
                    idom[n] = new
                    changed = True
        return {n: (idom.get(n) if idom.get(n) != EXIT else None) for n in nodes}

    # ------------------------------------------------------------------ liveness
    def _liveness(self) -> dict[int, frozenset]:
        """Registers live on entry to each instruction (backward may-analysis).  A
        call or an indirect branch is taken to read every register."""
        everything = frozenset([f"x{i}" for i in range(31)] + ["sp", "nzcv"])
        live: dict[int, frozenset] = {n: frozenset() for n in self.info}
        changed = True
        while changed:
            changed = False
            for n, inf in self.info.items():
                out = frozenset()
                for s in self.succs(n):
                    if s == EXIT:
                        out |= everything      # the caller may read anything
                    else:
                        out |= live[s]
                if inf.call_target is not None or inf.indirect:
                    out |= everything
                new = (out - inf.writes) | inf.reads
                if new != live[n]:
                    live[n] = new
                    changed = True
        return live

    def _loop_headers(self) -> set[int]:
        """Targets of back edges found by depth-first search from the entry."""
        headers, state = set(), {}
        stack = [(self.entry, iter(self.succs(self.entry)))]
        state[self.entry] = 1
        while stack:
            v, it = stack[-1]
            for w in it:
                if w == EXIT:
                    continue
                if state.get(w) == 1:
                    headers.add(w)
                elif w not in state:
                    state[w] = 1
                    stack.append((w, iter(self.succs(w))))
                    break
            else:
                state[v] = 2
                stack.pop()
        return headers
