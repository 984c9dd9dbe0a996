"""Two solver threads (model/shortest.py, Options.jobs = 2): the shortest-trace
optimisation runs in its own Z3 context beside the all-properties query, and
whichever answers first decides.  The verdict, the property and the trace must not
depend on which one that is, or on how many threads ran."""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from remap_mutants import REMAP, make, prove  # noqa: E402

import pytest  # noqa: E402
import z3  # noqa: E402

from bbmcheck.model.checker import Checker, Options  # noqa: E402
from bbmcheck.model.shortest import ShortestSearch  # noqa: E402
from bbmcheck.specs.spec import load_spec  # noqa: E402


def _check(asm, spec, **opts):
    scen = load_spec(str(spec), asm_file=str(asm))
    o = Options(**opts)
    o.props = tuple(scen.properties)
    return Checker(scen, o).run()


def _stall_all_query(monkeypatch, limit_ms=60_000):
    """Stand in for the all-properties query a query the solver cannot finish in the
    test's time (pigeonhole: 12 pigeons, 11 holes), so only the other thread can end
    it (by interrupting the checker's solver, which is forwarded to it).  Its own time
    limit turns a race that does not work into a failed test, not a hang.  The
    optimiser starts half a second late, so that it answers while the query runs."""
    holes, pigeons = 11, 12
    p = [[z3.Bool(f"pigeon_{i}_{j}") for j in range(holes)] for i in range(pigeons)]
    hard = z3.Solver()
    for i in range(pigeons):
        hard.add(z3.Or(p[i]))
    for j in range(holes):
        for i in range(pigeons):
            for k in range(i + 1, pigeons):
                hard.add(z3.Or(z3.Not(p[i][j]), z3.Not(p[k][j])))
    hard.set("timeout", limit_ms)
    solve, run = Checker._solve, ShortestSearch.run

    def stalled(self, s, phase):
        if phase != "all":
            return solve(self, s, phase)
        s.interrupt = hard.interrupt
        try:
            return solve(self, hard, phase)
        finally:
            del s.interrupt

    def late(self):
        time.sleep(0.5)
        run(self)
    monkeypatch.setattr(Checker, "_solve", stalled)
    monkeypatch.setattr(ShortestSearch, "run", late)


def test_violation_found_by_the_optimiser_stops_the_other_query(tmp_path, monkeypatch):
    asm, spec = make(tmp_path, "nobreak")
    alone = _check(asm, spec, jobs=1)
    assert "race" not in alone.stats and alone.stats["optimize"]["answer"] == "sat"
    _stall_all_query(monkeypatch)
    v = _check(asm, spec, jobs=2)
    assert v.stats["race"] == {"all": "unknown", "interrupted": True}
    assert (v.status, v.prop) == (alone.status, alone.prop) == ("REFUTED", "bbm")
    assert v.stats["instructions"] == alone.stats["instructions"]
    assert v.stats["minimal"] is True


def test_proof_by_the_optimiser_stops_the_other_query(monkeypatch):
    """The optimiser's unsat answer (no execution violates any property) is the
    same proof; the final checks then run on the interrupted solver as usual."""
    asm, spec = REMAP / "remap.S", REMAP / "remap.bbm.toml"
    _stall_all_query(monkeypatch)
    v = _check(asm, spec, jobs=2)
    assert v.status == "PROVED", v.reason
    assert v.stats["race"] == {"all": "unknown", "interrupted": True}
    assert v.stats["optimize"]["answer"] == "unsat"
    assert v.witness is not None        # the reachability witness still ran


def test_one_job_when_the_other_query_stalls_waits_for_it(tmp_path, monkeypatch):
    """With one thread nothing interrupts the all-properties query: the stalled one
    runs to its limit and the checker searches property by property (the fallback)."""
    asm, spec = make(tmp_path, "nobreak")
    _stall_all_query(monkeypatch, limit_ms=1000)
    v = _check(asm, spec, jobs=1)
    assert "race" not in v.stats and "optimize" not in v.stats
    assert (v.status, v.prop) == ("REFUTED", "bbm")


def test_optimiser_answering_first_skips_the_other_query(tmp_path, monkeypatch):
    """When the optimiser has answered before the all-properties query starts, that
    query is not run at all."""
    asm, spec = make(tmp_path, "nobreak")
    say = Checker._say

    def slow(self, msg):
        if msg == "searching for any violation":
            time.sleep(3)
        say(self, msg)
    monkeypatch.setattr(Checker, "_say", slow)
    v = _check(asm, spec, jobs=2)
    assert v.stats["race"] == {"all": "skipped", "interrupted": False}
    assert (v.status, v.prop) == ("REFUTED", "bbm") and v.stats["minimal"] is True
    assert "all" not in v.stats["phase_s"]


def _trace_digest(args):
    p = subprocess.run([sys.executable, "-m", "bbmcheck", "prove", *args, "--format", "json",
                        "-q"], capture_output=True, text=True)
    rep = json.loads(p.stdout)[0]
    return (rep["status"], rep.get("property"),
            hashlib.md5(json.dumps(rep.get("trace"), sort_keys=True).encode()).hexdigest(),
            rep["stats"].get("race") is not None)


def test_same_trace_with_one_or_two_threads(tmp_path):
    """The trace is the optimiser's whichever query answers first, so one thread and
    two give the same report (each in a fresh process, as a user runs it)."""
    asm, spec = make(tmp_path, "notlbi")
    one = _trace_digest([str(asm), "--spec", str(spec), "-j", "1"])
    two = _trace_digest([str(asm), "--spec", str(spec), "-j", "2"])
    assert one[:3] == two[:3] and one[0] == "REFUTED"
    assert (one[3], two[3]) == (False, True)


def test_time_line_says_the_queries_overlapped(tmp_path, monkeypatch):
    asm, spec = make(tmp_path, "nobreak")
    _stall_all_query(monkeypatch)
    rc, out = prove([str(asm), "--spec", str(spec), "-q", "-j", "2"])
    assert rc == 1, out
    assert "on 2 threads" in out and "stopped: the shortest-trace search answered first" in out
    monkeypatch.undo()
    rc, out = prove([str(asm), "--spec", str(spec), "-q", "-j", "1"])
    assert rc == 1 and "on 2 threads" not in out and "shortest trace" in out


KPTI = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus", "linux", "proc.S",
                    "v6.1-c50d3285-mmuon-47546a19-routine.S")


def _sigint_state(pid) -> str:
    """How process `pid` treats SIGINT (Linux /proc): ignored, blocked, caught -- for
    the failure message (stop 25 saw this test fail in full suite runs only: the
    child finished PROVED as if it never got the signal)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            masks = dict(line.split(":", 1) for line in f if line.startswith("Sig"))
    except OSError as e:
        return f"unknown ({e})"
    bit = 1 << (signal.SIGINT - 1)
    return " ".join(f"{k}={'yes' if int(masks[k], 16) & bit else 'no'}"
                    for k in ("SigIgn", "SigBlk", "SigCgt") if k in masks)


def _sigint_as_in_a_terminal():
    """(In the child, before exec.)  SIGINT's default disposition, unblocked."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@pytest.mark.skipif(not os.path.exists(KPTI), reason="../shared/corpus is not beside the checkout")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_prove(jobs):
    """Ctrl-C in the middle of a query stops `bbmcheck prove` at once (exit 130), on
    either thread count: it is not taken for the solver giving up, which would send the
    checker on to its fallbacks and finish the run as if nothing had happened."""
    # the child gets SIGINT as a terminal's foreground job does (default disposition,
    # not blocked): a worker of the suite may itself ignore SIGINT by then, and a
    # child inherits that -- and `bbmcheck prove` rightly keeps ignoring it then, as a
    # background job must (stop 25: this test failed in full runs, on stop 24's code
    # too, with pytest 9.2)
    parent = _sigint_state(os.getpid())
    p = subprocess.Popen([sys.executable, "-m", "bbmcheck", "prove", KPTI, "--feature", "ets2",
                          "-q", "-j", jobs], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, preexec_fn=_sigint_as_in_a_terminal)
    before = _sigint_state(p.pid)
    # start-up, symbolic execution and encoding take 1-3 s (more with the suite's
    # other worker on the second core: a SIGINT during start-up kills Python before
    # the command line is there to answer it); the proof 8-15 s
    time.sleep(5)
    assert p.poll() is None
    t = time.perf_counter()
    p.send_signal(signal.SIGINT)
    state = _sigint_state(p.pid)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, (parent, before, state, out[-600:], err)
    assert "bbmcheck: interrupted" in err and "PROVED" not in out
    # at once, not after the proof (8-30 s): within 6 s even with the suite's other
    # worker and both solver threads on two cores
    assert time.perf_counter() - t < 6


def test_user_stop_turns_unknown_into_keyboard_interrupt(monkeypatch):
    """model/solving.check: an unknown answer after the watcher saw SIGINT is the
    user's stop, never the solver giving up."""
    from bbmcheck.model import solving
    s = z3.Solver()
    s.set("timeout", 1)
    holes = 10
    p = [[z3.Bool(f"q_{i}_{j}") for j in range(holes)] for i in range(holes + 1)]
    for row in p:
        s.add(z3.Or(row))
    for j in range(holes):
        for i in range(holes + 1):
            for k in range(i + 1, holes + 1):
                s.add(z3.Or(z3.Not(p[i][j]), z3.Not(p[k][j])))
    assert solving.check(s) == z3.unknown           # a timeout stays an unknown
    monkeypatch.setattr(solving, "user_stop", _Set())
    with pytest.raises(KeyboardInterrupt):
        solving.check(s)


def test_stop_seen_before_a_query_stops_it_from_starting(monkeypatch):
    """A Ctrl-C that came between queries, whose KeyboardInterrupt Python dropped (it
    was raised inside a finalizer, a Z3 term's `__del__`: "Exception ignored in"), still
    stops the run: the next query does not start.  (Found under pytest-xdist: the run
    printed the traceback, went on, proved kpti and exited 0.)"""
    from bbmcheck.model import solving
    s = z3.Solver()
    s.add(z3.Bool("b"))                  # sat at once: only the flag can stop it
    assert solving.check(s) == z3.sat
    monkeypatch.setattr(solving, "user_stop", _Set())
    with pytest.raises(KeyboardInterrupt):
        solving.check(s)


def test_command_exits_130_after_a_dropped_interrupt(monkeypatch, capsys):
    """... and if no query came after it, the command line still exits 130."""
    from bbmcheck.cli import main as M
    from bbmcheck.model import solving
    monkeypatch.setattr(M.cli, "main", lambda **kw: None)
    monkeypatch.setattr(solving, "user_stop", _Set())
    with pytest.raises(SystemExit) as e:
        M.main(["prove", "x.S"])
    assert e.value.code == 130 and "interrupted" in capsys.readouterr().err


def test_command_exits_130_when_the_interrupt_surfaced_as_another_error(monkeypatch, capsys):
    """... and when it surfaced as another exception: ctypes wraps a KeyboardInterrupt
    raised while it converts a Z3 call's arguments in an ArgumentError, which was
    reported as an internal error, exit 4 (found under pytest-xdist)."""
    import ctypes
    from bbmcheck.cli import main as M
    from bbmcheck.model import solving

    def boom(**kw):
        raise ctypes.ArgumentError("argument 1: KeyboardInterrupt: ")
    monkeypatch.setattr(M.cli, "main", boom)
    for stop in (_Set(), _Unset()):      # whether or not the watcher has seen it yet
        monkeypatch.setattr(solving, "user_stop", stop)
        with pytest.raises(SystemExit) as e:
            M.main(["prove", "x.S"])
        assert e.value.code == 130 and "interrupted" in capsys.readouterr().err


class _Set:
    def is_set(self):
        return True


class _Unset:
    def is_set(self):
        return False
