"""The pytest plugin: *.bbm.toml spec files with an expected verdict are test items."""
from __future__ import annotations

import shutil
import subprocess
import sys
from importlib.metadata import entry_points

import pytest

from remap_mutants import REMAP, ROOT, make

EXAMPLES = ROOT / "examples" / "pytest"


def run_pytest(*args, cwd):
    """pytest in a subprocess (the plugin is loaded through its pytest11 entry point,
    as for a user; -p names it when the package is not installed with it)."""
    extra = [] if any(ep.value == "bbmcheck.pytest_plugin"
                      for ep in entry_points(group="pytest11")) else ["-p",
                                                                      "bbmcheck.pytest_plugin"]
    r = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                        "--rootdir", str(cwd), *extra, *args],
                       capture_output=True, text=True, cwd=cwd, timeout=300)
    return r.returncode, r.stdout + r.stderr


def test_entry_point_registered():
    eps = [ep for ep in entry_points(group="pytest11") if ep.name == "bbmcheck"]
    assert eps and eps[0].value == "bbmcheck.pytest_plugin"


def test_example_directory_passes(tmp_path):
    rc, out = run_pytest(str(EXAMPLES), "-v", cwd=tmp_path)
    assert rc == 0, out
    assert "3 passed" in out
    for title in ("remap_page keeps break-before-make",
                  "writing over a live descriptor breaks BBM",
                  "a TLBI without its DSB leaves two entries"):
        assert title in out


def _spec(tmp_path, name, asm_name, expect, extra=""):
    base = (REMAP / "remap.bbm.toml").read_text()
    text = base.replace('file = "remap.S"', f'file = "{asm_name}"\nexpect = "{expect}"{extra}')
    p = tmp_path / f"{name}.bbm.toml"
    p.write_text(text)
    return p


def test_wrong_expectation_fails_and_shows_the_trace(tmp_path):
    asm, _ = make(tmp_path, "nodsb")
    (tmp_path / "remap.bbm.toml").unlink()          # not a test: it has no `expect`
    _spec(tmp_path, "claims_proved", asm.name, "PROVED")
    rc, out = run_pytest(str(tmp_path), cwd=tmp_path)
    assert rc == 1, out
    assert "1 failed" in out
    assert "expected PROVED, bbmcheck says REFUTED" in out
    assert "✗ conflicting TLB entries" in out and "suggested fix:" in out
    assert "nodsb.S:38" in out                     # the trace names the source lines
    assert "Traceback" not in out


def test_expected_property(tmp_path):
    asm, _ = make(tmp_path, "nobreak")
    (tmp_path / "remap.bbm.toml").unlink()
    _spec(tmp_path, "bbm_ok", asm.name, "REFUTED", '\nexpect_property = "bbm"')
    _spec(tmp_path, "wrong_prop", asm.name, "REFUTED", '\nexpect_property = "fault"')
    rc, out = run_pytest(str(tmp_path), "-v", "--bbm-json", str(tmp_path / "json"),
                         cwd=tmp_path)
    assert "1 passed" in out and "1 failed" in out, out
    assert "expected a violation of fault, bbmcheck refutes bbm" in out
    assert (tmp_path / "json" / "bbm_ok.json").is_file()
    # the counterexample kept for CI was replayed on the concrete interpreter
    import json
    rep = json.loads((tmp_path / "json" / "bbm_ok.json").read_text())[0]
    assert rep["replay"]["status"] == "CONFIRMED", rep["replay"]


def test_specs_without_expect_are_not_collected(tmp_path):
    make(tmp_path, "remap")
    rc, out = run_pytest(str(tmp_path), cwd=tmp_path)
    assert rc == 5, out                             # pytest: no tests collected


def test_bad_expect_is_a_located_error(tmp_path):
    asm, _ = make(tmp_path, "remap")
    (tmp_path / "remap.bbm.toml").unlink()
    p = _spec(tmp_path, "typo", asm.name, "PROVEN")
    line = next(i for i, ln in enumerate(p.read_text().splitlines(), 1)
                if ln.startswith("expect"))
    rc, out = run_pytest(str(tmp_path), cwd=tmp_path)
    assert rc == 1
    assert f"typo.bbm.toml:{line}: error: expect must be one of" in out
    assert "Traceback" not in out


def test_spec_error_is_shown_without_traceback(tmp_path):
    (tmp_path / "broken.bbm.toml").write_text('[check]\nexpect = "PROVED"\nfile = "nope.S"\n'
                                              '[[cpu]]\nentry = "x"\n')
    rc, out = run_pytest(str(tmp_path), cwd=tmp_path)
    assert rc == 1
    assert "error:" in out and "nope.S" in out
    assert "Traceback" not in out


def test_marker_selects_spec_items(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "specs")
    shutil.copytree(ROOT / "examples" / "remap", tmp_path / "remap")
    rc, out = run_pytest(str(tmp_path / "specs"), "-m", "not bbm", cwd=tmp_path)
    assert "3 deselected" in out, out
