"""Every solver query of bbmcheck goes through `check`, so that Ctrl-C stops the run
instead of being taken for the solver giving up.

Left to itself, Z3 catches SIGINT while it solves and the query answers `unknown`,
with the reason "interrupted from keyboard" on a solver's first query but "canceled"
on later (incremental) ones -- the reason a timeout gives too.  The checker would
then go on to its fallbacks (property by property, step by step) and the user's
Ctrl-C would be lost.  So the command line (`stop_on_sigint`) turns Z3's handler off
and watches for SIGINT itself: Python's own handler stays in place (it raises
KeyboardInterrupt in the main thread once the query returns), and a watcher thread,
woken through `signal.set_wakeup_fd` while the main thread is still inside Z3,
interrupts every query that is running -- the checker's and the shortest-trace
search's on its own thread (model/shortest.py).  Once it has seen SIGINT, no query
starts, and the command line exits 130 even if Python's KeyboardInterrupt was lost
(raised inside a finalizer, where Python drops it)."""
from __future__ import annotations

import os
import signal
import threading

import z3

_lock = threading.Lock()
_running: dict = {}                 # id -> function that interrupts a running query
user_stop = threading.Event()       # SIGINT seen by the watcher
_watching = False


def interrupted_by_user(s) -> bool:
    """Did the last `unknown` of solver `s` (Solver or Optimize) come from Ctrl-C?"""
    if user_stop.is_set():
        return True
    try:
        return "keyboard" in s.reason_unknown()
    except z3.Z3Exception:
        return False


# With Options.bit_blast, the checker's solver rewrites the formula before solving:
# simplification, constant propagation, elimination of variables defined by an
# equation, then bit-blasting, so that descriptor and register values (bit-vectors)
# become propositional and only the times are left to arithmetic.  Each step keeps
# satisfiability, and Z3 maps a model of the rewritten formula back to the checker's
# variables.  Measured on kpti (stop 25, docs/performance.md): the all-properties
# query 1.3-2.8x faster on PROVED scenes and up to 6x on violations.  Not the default
# yet: with it, once, the base-architecture kpti trace was a store fault whose report
# lacked its fault walk's row (not reproduced alone); the solver is also no longer
# incremental (each check rewrites and solves the assertions anew).
PREPROCESS = ("simplify", "propagate-values", "solve-eqs", "bit-blast", "smt")


def new_solver(bit_blast: bool = False):
    """A solver for the checker's queries: with `bit_blast`, the PREPROCESS pipeline;
    otherwise Z3's default (incremental) solver."""
    return z3.Then(*PREPROCESS).solver() if bit_blast else z3.Solver()


def check(s, *assumptions, interrupt=None):
    """s.check(*assumptions); raises KeyboardInterrupt when Ctrl-C stopped it, or came
    before it: a KeyboardInterrupt that Python raised while a finalizer (`__del__`, e.g.
    of a Z3 term) ran is printed and dropped, and the run would go on as if nothing had
    happened; the watcher's flag keeps it.
    `interrupt`: how to stop this query from another thread (default s.interrupt)."""
    if user_stop.is_set():
        raise KeyboardInterrupt
    key = object()
    with _lock:
        _running[key] = interrupt or s.interrupt
    try:
        r = s.check(*assumptions)
    finally:
        with _lock:
            del _running[key]
    if r == z3.unknown and interrupted_by_user(s):
        raise KeyboardInterrupt
    return r


def _interrupt_all():
    user_stop.set()
    with _lock:
        stops = list(_running.values())
    for stop in stops:
        stop()


def stop_on_sigint():
    """Ctrl-C stops the running queries at once and raises KeyboardInterrupt (the
    command line calls this; a library user keeps Z3's own handling).  Only from the
    main thread; when SIGINT is ignored (a background job) it stays ignored."""
    global _watching
    z3.set_param("ctrl_c", False)
    if _watching or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return
    r, w = os.pipe()
    os.set_blocking(w, False)
    old = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    if old != -1:                   # someone else's (an event loop): leave it theirs
        signal.set_wakeup_fd(old)
        os.close(r)
        os.close(w)
        return
    _watching = True

    def watch():
        while True:
            if signal.SIGINT in os.read(r, 64):
                _interrupt_all()
    threading.Thread(target=watch, name="sigint-watch", daemon=True).start()
