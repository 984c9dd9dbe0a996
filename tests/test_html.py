"""`bbmcheck prove --html`: the page loads in headless Chromium (Debian `chromium`)
with no console message, shows every step of the trace, and a screenshot is taken."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from remap_mutants import make, prove

CHROMIUM = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser",
                                                        "google-chrome")) if p), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH "
                                    "(Debian package `chromium`; .ci/run installs it)")


def chromium(url: str, *args: str, timeout: int = 90) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", "--enable-logging=stderr", "--v=0",
                           "--window-size=1200,1000", *args, url],
                          capture_output=True, text=True, timeout=timeout)


def console_messages(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ":CONSOLE" in ln]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    work = tmp_path_factory.mktemp("html")
    asm, spec = make(work, "nodsb")
    out = work / "nodsb.html"
    rc, text = prove([str(asm), "--spec", str(spec), "-q", "--format", "json",
                      "--html", str(out)])
    assert rc == 1 and out.is_file()
    return work, out, json.loads(text)


def test_page_is_self_contained(page):
    work, out, rep = page
    text = out.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)
    assert "<script src" not in text
    # the embedded report is the JSON report of the run
    m = re.search(r"<script type='application/json' id='report'>(.*?)</script>", text, re.S)
    assert json.loads(m.group(1).replace("<\\/", "</"))[0]["check"] == rep[0]["check"]
    assert "replayed on the concrete interpreter: confirmed" in text


def test_every_step_has_a_mark_with_its_source(page):
    work, out, rep = page
    text = out.read_text()
    steps = rep[0]["trace"]["steps"]
    for s in steps:
        m = re.search(rf'<g class="step[^"]*" id="step-{s["n"]}"[^>]*data-info="([^"]*)"', text)
        assert m, f"step {s['n']} missing"
        if s["kind"] == "instr":
            assert s["loc"] in m.group(1)
    assert "TLB contents at the failing step" in text
    # both conflicting entries are in CPU0's TLB at the failing step
    from bbmcheck.cli.html import tlb_at
    det = rep[0]["trace"]["details"]          # the solver picks the CPU and the VA
    ents = tlb_at(rep[0]["trace"])[det["cpu"]]
    leaf = {e["desc"] for e in ents if e["entry"] == "leaf" and e["va"] == det["va"]}
    assert len(leaf) == 2


@needs_chromium
def test_page_loads_in_chromium_without_console_messages(page):
    work, out, rep = page
    r = chromium(out.as_uri(), "--dump-dom")
    assert r.returncode == 0, r.stderr[-2000:]
    assert console_messages(r.stderr) == []
    n = len(rep[0]["trace"]["steps"])
    # the script ran (it counts the steps it wired for hover) and every step is in the DOM
    assert f'data-ready="{n}"' in r.stdout
    assert len(re.findall(r'<g class="step', r.stdout)) == n


@needs_chromium
def test_screenshot(page):
    work, out, rep = page
    shot = work / "nodsb.png"
    r = chromium(out.as_uri(), f"--screenshot={shot}")
    assert r.returncode == 0, r.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    print(f"screenshot: {shot}")


@needs_chromium
def test_console_check_catches_errors(tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>console.error('boom'); nope();</script></body></html>")
    r = chromium(bad.as_uri(), "--dump-dom")
    msgs = console_messages(r.stderr)
    assert any("boom" in m for m in msgs) and any("nope" in m for m in msgs)


def test_page_states_every_bound(page):
    """The page states the verdict's bounds as the text report does: geometry,
    features and the initial TLB too (it used to give CPUs, steps and regime only)."""
    _, out, reps = page
    shown = re.search(r"<p>bounds: (.*?)</p>", out.read_text()).group(1)
    b = reps[0]["bounds"]
    for key in ("regime", "geometry", "features", "initial_tlb"):
        assert str(b[key]).replace("'", "&#x27;") in shown, (key, shown)
