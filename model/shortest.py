"""The first violated property and its shortest trace, in one optimisation query.

Z3's `Optimize` minimises, in this order (lexicographically), the index of the first
property an execution violates, then the number of instructions it executes; a `sat`
answer means both are optimal.  The query runs in its own Z3 context, so that it can
run on a second core beside the checker's all-properties query: whichever answers
first decides (a violation with its shortest trace; or, when the optimiser finds no
execution that violates any property, the same proof the all-properties query would
give).  Run alone, or on one core, it is the same query with the same answer and the
same model (a fresh context each time, so the trace does not depend on what ran
before in the process).

Why a lexicographic optimisation and the wmax engine: docs/performance.md (stop 17).
"""
from __future__ import annotations

import os
import threading
import time

import z3

from .solving import check


def cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:      # not Linux
        return os.cpu_count() or 1


class ShortestSearch:
    """One lexicographic optimisation over `assertions` (the checker's formula):
    first `index` (the first violated property's position, `bound` when none), then
    `count` (instructions executed).  Build it in the caller's thread (it translates
    the formula into a context of its own), then `run()` it there or `start()` it on
    a thread; `result()` gives (answer, index, count, model in the main context)."""

    def __init__(self, assertions, index, bound: int, count, timeout_ms: int):
        self.ctx = z3.Context()
        self.opt = o = z3.Optimize(ctx=self.ctx)
        o.set("timeout", timeout_ms)
        # the count is a sum of 0/1 terms, which Z3 turns into soft constraints; of
        # its MaxSAT engines, wmax (improve the model found, then prove no better one
        # exists) was fastest on the kpti mutants: 8-10 s where maxres took 15-20 s
        o.set("maxsat_engine", "wmax")
        t = time.perf_counter()
        for a in assertions:
            o.add(a.translate(self.ctx))
        o.add((index < bound).translate(self.ctx))
        o.minimize(index.translate(self.ctx))
        o.minimize(count.translate(self.ctx))
        self.index, self.count = index, count
        self.translate_s = time.perf_counter() - t
        self.answer = None          # z3.sat / z3.unsat / z3.unknown once it has run
        self.reason = ""
        self.by_user = False        # Ctrl-C stopped it (model/solving.py)
        self.seconds = 0.0
        self._thread = None
        self._done_hook = None

    def run(self):
        t = time.perf_counter()
        try:
            self.answer = check(self.opt, interrupt=self.ctx.interrupt)
            if self.answer == z3.unknown:
                self.reason = self.opt.reason_unknown()
        except KeyboardInterrupt:       # Ctrl-C (model/solving.py): the caller raises it
            self.answer, self.by_user = z3.unknown, True
        except z3.Z3Exception as e:     # interrupted while building its answer
            self.answer, self.reason = z3.unknown, str(e)
        self.seconds = time.perf_counter() - t
        if self._done_hook:
            self._done_hook(self)

    def start(self, done_hook=None):
        """Run on a thread (Z3 releases Python's lock while it solves); `done_hook(self)`
        is called from that thread when it has answered."""
        self._done_hook = done_hook
        self._thread = threading.Thread(target=self.run, name="shortest-trace", daemon=True)
        self._thread.start()

    def cancel(self):
        """Stop the optimisation (it then answers unknown); safe at any time."""
        self.ctx.interrupt()

    def join(self):
        if self._thread is not None:
            self._thread.join()

    def result(self):
        """(answer, index, count, model) after it has answered; the model, translated
        into the main context, only when the answer is sat."""
        self.join()
        if self.answer != z3.sat:
            return self.answer, None, None, None
        m = self.opt.model().translate(z3.main_ctx())
        return (self.answer, m.eval(self.index, model_completion=True).as_long(),
                m.eval(self.count, model_completion=True).as_long(), m)
