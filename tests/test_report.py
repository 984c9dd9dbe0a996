"""The text trace and the JSON report of `bbmcheck prove`, on the remap example and
its one-line mutants (generated into a temporary directory at test time)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from remap_mutants import MUTANTS, ROOT, make, prove, prove_json

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("remap")


@pytest.fixture(scope="module")
def reports(work):
    """name -> (exit status, JSON report) for the original and every mutant."""
    out = {}
    for name in ["remap", *MUTANTS]:
        asm, spec = make(work, name)
        out[name] = prove_json(asm, spec)
    return out


@pytest.fixture(scope="module")
def texts(reports):
    """The text report of the same runs (the text is rendered from the JSON report, as
    `bbmcheck prove` does)."""
    from bbmcheck.cli.report import render_report
    return {name: (reports[name][0], render_report(reports[name][1][0]))
            for name in MUTANTS}


@pytest.mark.parametrize("name", ["nodsb"])
def test_cli_text_is_plain_when_piped(work, name):
    asm, spec = make(work, name)
    rc, out = prove([str(asm), "--spec", str(spec), "-q"])
    assert rc == 1 and "REFUTED" in out and "suggested fix:" in out
    assert not ANSI.search(out)


FIXES = {
    "nobreak": "break before make: before the store at step",
    "notlbi": "a TLBI of VA 0xffffffffffe00000 (e.g. `tlbi vaae1is`), completed by `dsb ish`, "
              "between the invalid descriptor store at step",
    "nodsb": "a `dsb ish` between the TLBI at step",
    "nodsbst": "a `dsb ishst` between the invalid descriptor store at step",
}


def test_original_is_proved_with_a_witness(reports):
    rc, [rep] = reports["remap"]
    assert rc == 0 and rep["status"] == "PROVED"
    assert "trace" not in rep
    assert set(rep["witness"]["instructions"]) == {"cpu0", "cpu1"}


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_refuted_with_the_expected_property_and_fix(reports, name):
    rc, [rep] = reports[name]
    assert rc == 1 and rep["status"] == "REFUTED"
    assert rep["property"] == MUTANTS[name][1]
    tr = rep["trace"]
    assert tr["fix"].startswith(FIXES[name]), tr["fix"]
    # the step numbers the fix names are instruction steps of the mutant file, at the
    # lines the fix names
    steps = {s["n"]: s for s in tr["steps"]}
    for n, loc in re.findall(r"step (\d+) \(([^)]*)\)", tr["fix"]):
        s = steps[int(n)]
        assert s["kind"] == "instr" and s["loc"] == loc and loc.startswith(f"{name}.S:")


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_text_trace_fits_on_one_screen_and_names_the_source(texts, reports, name):
    rc, out = texts[name]
    assert rc == 1
    assert not ANSI.search(out), "no colour when not on a terminal"
    lines = out.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("  CPU0 runs"))
    end = next(i for i, ln in enumerate(lines) if ln.startswith("✗"))
    assert end - start <= 40, "\n".join(lines[start:end])
    # every instruction of CPU0 that happened appears with file:line and its source text
    rep = reports[name][1][0]
    for s in rep["trace"]["steps"]:
        if s["kind"] == "instr" and s["time"] <= rep["trace"]["at"]:
            row = [ln for ln in lines if re.match(rf"\s*{s['n']} [ ▶] CPU{s['cpu']} ", ln)]
            assert row and s["loc"] in row[0] and " ".join(s["source"].split()) in row[0]
    assert f"suggested fix: {rep['trace']['fix']}" in out
    assert rep["trace"]["rule"] in out


def test_conflict_names_both_entries_and_their_fills(texts, reports):
    rc, out = texts["nodsb"]
    tr = reports["nodsb"][1][0]["trace"]
    ents = tr["details"]["entries"]
    assert {e["desc"] for e in ents} == {"0x80004703", "0x80005703"} or len(
        {e["desc"] for e in ents}) == 2
    assert re.search(r"entry 1: level 3 page → 0x8000[45]000 .* at step \d+", out)
    assert re.search(r"entry 2: level 3 page → 0x8000[45]000 .* at step \d+", out)


def test_bbm_names_the_descriptor_change(texts):
    rc, out = texts["nobreak"]
    assert re.search(r"descriptor pte\[0\] @ 0x80003000: page → 0x80004000 .* ⇒ "
                     r"page → 0x80005000", out)
    assert re.search(r"CPU[01] filled the old entry at step \d+", out)   # either CPU may


def test_uninvolved_walks_are_folded(texts):
    rc, out = texts["nodsb"]
    assert re.search(r"⋯ \d+ TLB fills for its accesses at nodsb\.S:\d+.*\(not involved\)", out)
    rc, out = prove([str(ROOT / "examples/remap/remap.S"), "--spec",
                     str(ROOT / "examples/remap/remap.bbm.toml"), "-q"])
    assert rc == 0


def test_colour_when_asked(work):
    asm, spec = make(work, "nodsb")
    rc, out = prove([str(asm), "--spec", str(spec), "-q", "--color", "always"])
    assert rc == 1 and ANSI.search(out)
    plain = ANSI.sub("", out)
    assert "REFUTED" in plain and "suggested fix:" in plain and "✗ conflicting" in plain
    rc, out2 = prove([str(asm), "--spec", str(spec), "-q", "--color", "never"])
    assert rc == 1 and not ANSI.search(out2)


def test_verbose_shows_every_step(work):
    # each run in a fresh process: the same input gives the same trace there (within
    # one process Z3 may pick another trace of the same length, docs/report.md)
    import subprocess
    import sys
    asm, spec = make(work, "nodsb")
    run = [sys.executable, "-m", "bbmcheck.cli.main", "prove", str(asm), "--spec", str(spec),
           "-q"]
    js = subprocess.run(run + ["--format", "json"], capture_output=True, text=True)
    n = len(json.loads(js.stdout)[0]["trace"]["steps"])
    out = subprocess.run(run + ["--verbose"], capture_output=True, text=True).stdout
    # with no folding every step number appears (walks are still one line per walk)
    nums = set()
    for m in re.finditer(r"^\s*(\d+)(?:-(\d+))? [ ▶] CPU", out, re.M):
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        nums.update(range(a, b + 1))
    assert nums == set(range(1, n + 1))


def test_output_file(work):
    asm, spec = make(work, "nodsb")
    dest = work / "report.json"
    rc, out = prove([str(asm), "--spec", str(spec), "-q", "--format", "json", "-o", str(dest)])
    assert rc == 1 and out == ""
    assert json.loads(dest.read_text())[0]["status"] == "REFUTED"


# --------------------------------------------------------------------------- JSON schema

def _schema():
    return json.loads((ROOT / "cli" / "report.schema.json").read_text())


@pytest.mark.parametrize("name", ["remap", *sorted(MUTANTS)])
def test_json_report_matches_its_schema(reports, name):
    jsonschema = pytest.importorskip("jsonschema")
    rc, rep = reports[name]
    jsonschema.validate(rep, _schema())


def test_report_names_the_z3_version(reports, texts):
    """Solver times depend on Z3's version as much as on the machine: the JSON report
    and the text report's time line name it."""
    import z3
    ver = z3.get_version_string()
    assert reports["remap"][1][0]["tool"]["z3"] == ver
    assert all(re.search(rf"  time .*; Z3 {re.escape(ver)}\)$", t, re.M)
               for _, t in texts.values())


def test_schema_rejects_a_broken_report(reports):
    jsonschema = pytest.importorskip("jsonschema")
    rep = json.loads(json.dumps(reports["nodsb"][1]))
    rep[0]["trace"]["steps"][0]["data"]["va"] = 12345          # not a hex string
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(rep, _schema())
    rep = json.loads(json.dumps(reports["nodsb"][1]))
    rep[0]["schema"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(rep, _schema())


def test_schema_documented():
    doc = (ROOT / "docs" / "report.md").read_text()
    from bbmcheck.cli.report import JSON_SCHEMA_VERSION
    assert f"schema {JSON_SCHEMA_VERSION}" in doc.lower()
    for key in ("violation", "executionOrder", "desc_addr", "tlbi-performed", "own-walker"):
        assert key in doc


# --------------------------------------------------------------------------- folding

def _instr(n, t, cpu, pc, line, kind="load", key=False, **data):
    d = {"event": f"{cpu}.{n}", "kind": kind, "pc": hex(pc), "file": "spin.S", "line": line,
         "macros": [], "locals": [], **data}
    return {"n": n, "time": t, "cpu": cpu, "kind": "instr", "text": f"insn{n}",
            "loc": f"spin.S:{line}", "source": f"ldr x1, [x0] // {line}", "changes": {},
            "key": key, "data": d}


def test_spinning_loop_is_folded_golden():
    """A CPU that reads a flag again and again: all but the last iteration fold into one
    line (golden text)."""
    from bbmcheck.cli.report import render_trace_json
    steps = []
    n = 0
    for it in range(5):                              # 5 iterations of a 2-load loop
        for pc, line in ((0x100, 10), (0x104, 11)):
            n += 1
            steps.append(_instr(n, n, 1, pc, line, va="0x2000", pa="0x2000", value="0x0",
                                store=False))
    n += 1
    steps.append(_instr(n, n, 0, 0x200, 20, kind="store", key=True, va="0x2000",
                        pa="0x2000", value="0x1", store=True))
    tr = {"violation": "example violation", "property": "post", "rule": "a rule",
          "fix": "", "at": None, "details": {}, "cpus": [], "initial": {}, "steps": steps}
    got = "\n".join(render_trace_json(tr))
    assert got == """\
1-8   CPU1 ⋯ 8 steps spinning at spin.S:10-11 (reading 0x2000 = 0x0)
  9   CPU1 spin.S:10  ldr x1, [x0] // 10   load VA 0x2000 = 0x0
 10   CPU1 spin.S:11  ldr x1, [x0] // 11   load VA 0x2000 = 0x0
 11 ▶ CPU0 spin.S:20  ldr x1, [x0] // 20   store [0x2000] := 0x1

✗ example violation
  rule: a rule"""


@pytest.mark.parametrize("name", [n for n in MUTANTS])
@pytest.mark.parametrize("budget", [14, 10, 6])
def test_folding_keeps_the_story_within_any_budget(reports, name, budget):
    """However small the screen, folding keeps what shows the violation — every
    witness step that is not a walk-cache entry and the last store to the descriptor
    involved before the violation — and otherwise gets within the budget."""
    from bbmcheck.cli import report as R
    rc, rep = reports[name]
    tr = rep[0].get("trace")
    if tr is None:
        pytest.skip(f"{name}: {rep[0]['status']}, no trace")
    rs, _ = R.rows(tr)
    out = R.focus(rs, tr, budget=budget)
    leaves = {x["n"] for r in rs if R._leaf(r) for x in r.steps}
    shown = {x["n"] for r in out if r.kind != "fold" for x in r.steps}
    assert leaves <= shown, (leaves - shown)
    if R._lines(out) > budget:
        # over budget only when nothing is left to give up: the witnesses, the
        # stores to the descriptor involved, the TLBIs (issued or performed), or a
        # lone one-line row between them (folding it saves nothing)
        for i, r in enumerate(out):
            d = r.steps[0].get("data", {})
            story = (r.kind in ("fold", "tlbi") or R._leaf(r) or d.get("kind") == "tlbi"
                     or (d.get("store") and d.get("desc_name")))
            lone = (not r.detail and (i == 0 or out[i - 1].kind != "fold")
                    and (i == len(out) - 1 or out[i + 1].kind != "fold"))
            assert story or lone, (r.label, r.text)
    # the steps shown are in order and each step is shown at most once
    ns = [x["n"] for r in out for x in r.steps]
    assert ns == sorted(ns) and len(ns) == len(set(ns))
