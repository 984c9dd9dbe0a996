"""`bbmcheck replay`: a saved counterexample re-runs on the concrete interpreter and is
confirmed; a tampered one is rejected (the trace is evidence, not just text)."""
from __future__ import annotations

import copy
import json

import pytest

from remap_mutants import MUTANTS, make, prove, prove_json


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    work = tmp_path_factory.mktemp("replay")
    out = {}
    for name in MUTANTS:
        asm, spec = make(work, name)
        rc, rep = prove_json(asm, spec)
        assert rc == 1
        out[name] = rep
    return work, out


def replay(work, rep, name="t.json"):
    p = work / name
    p.write_text(json.dumps(rep))
    from bbmcheck.cli.main import main
    import io
    from contextlib import redirect_stdout
    buf = io.StringIO()
    with redirect_stdout(buf):
        with pytest.raises(SystemExit) as e:
            main(["replay", str(p)])
    return e.value.code, buf.getvalue()


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_saved_trace_replays_and_confirms(saved, name):
    work, reps = saved
    rc, out = replay(work, reps[name])
    assert rc == 0, out
    assert out.startswith("CONFIRMED") and MUTANTS[name][1] in out


def _steps(rep):
    return rep[0]["trace"]["steps"]


def _first(rep, pred):
    return next(s for s in _steps(rep) if pred(s))


def tamper_store_value(rep):
    s = _first(rep, lambda s: s["kind"] == "instr" and s["data"].get("kind") == "store")
    s["data"]["value"] = "0x80006703"


def tamper_fill_value(rep):
    s = [s for s in _steps(rep) if s["kind"] == "fill"][-1]
    s["data"]["desc"] = hex(int(s["data"]["desc"], 16) ^ 0x1000)


def tamper_drop_tlbi_performed(rep):
    rep[0]["trace"]["steps"] = [s for s in _steps(rep) if s["kind"] != "tlbi-performed"]


def tamper_store_visible_late(rep):
    vis = [s for s in _steps(rep) if s["kind"] == "visible"]
    vis[0]["time"] = 10_000


def tamper_pc(rep):
    s = _first(rep, lambda s: s["kind"] == "instr")
    s["data"]["pc"] = hex(int(s["data"]["pc"], 16) + 4)


def tamper_entry_invalidated(rep):
    """Perform the TLBI on the conflicting CPU right after the old entry was filled: the old entry is
    then gone when the new one is filled, and there is no conflict."""
    tr = rep[0]["trace"]
    old = min(tr["details"]["entries"], key=lambda e: e["read_at"])
    cpu = tr["details"]["cpu"]            # the CPU whose TLB conflicts (the solver's pick)
    perf = [s for s in tr["steps"] if s["kind"] == "tlbi-performed" and s["data"]["on"] == cpu]
    issue = next(s for s in tr["steps"] if s["data"].get("event") == perf[0]["data"]["tlbi"])
    perf[0]["time"] = max(old["read_at"] + 1, issue["time"])


TAMPER = {
    "store value": ("nodsb", tamper_store_value, "the store writes"),
    "walk read": ("nodsb", tamper_fill_value, "the walk reads"),
    "TLBI never performed": ("nobreak", tamper_drop_tlbi_performed, "the DSB completes before "
                                                                   "the TLBI"),
    "store visible after its DSB": ("nodsb", tamper_store_visible_late, "the DSB completes "
                                                                         "before the store"),
    "instruction address": ("nodsb", tamper_pc, "executes the instruction at"),
    "old entry invalidated": ("nodsb", tamper_entry_invalidated, "invalidated"),
}


@pytest.mark.parametrize("what", sorted(TAMPER))
def test_tampered_trace_is_rejected(saved, what):
    work, reps = saved
    name, fn, msg = TAMPER[what]
    rep = copy.deepcopy(reps[name])
    fn(rep)
    rc, out = replay(work, rep)
    assert rc == 1, out
    assert out.startswith("REJECTED") and msg in out, out


def test_bad_input_is_a_located_error(tmp_path, capsys):
    from bbmcheck.cli.main import main
    p = tmp_path / "x.json"
    p.write_text("{ not json")
    with pytest.raises(SystemExit) as e:
        main(["replay", str(p)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert f"{p}:1: error: not JSON" in err and "Traceback" not in err
    p.write_text(json.dumps([{"schema": 2, "status": "PROVED"}]))
    with pytest.raises(SystemExit) as e:
        main(["replay", str(p)])
    assert e.value.code == 2 and "no counterexample" in capsys.readouterr().err
