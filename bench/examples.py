#!/usr/bin/env python3
"""Time and memory of `bbmcheck prove` on the project's examples (not run in CI).

    python bench/examples.py                 # every example spec + every remap mutant
    python bench/examples.py --no-mutants    # the example specs only
    python bench/examples.py --only remap    # rows whose name contains "remap"
    python bench/examples.py --markdown      # a Markdown table

Rows:
  * every `*.bbm.toml` under examples/ that git tracks (each with the assembly file
    its [check] names),
  * every mutant of examples/remap/remap.S: each instruction line of `remap_page` left
    out in turn, plus two substitutions (`dsb ish` after the TLBI weakened to
    `dsb ishst`; the broadcast `tlbi vaae1is` made local, `tlbi vaae1`), checked with
    examples/remap/remap.bbm.toml.  Mutants are written to a temporary directory,
    never stored.

Each check runs in its own Python process (so that peak memory is the check's own):
the child loads the spec, runs the checker with the spec's properties and reports
its wall time (load + check) and its peak resident set size (resource.getrusage,
ru_maxrss: Python objects and Z3's native memory together).  With --tracemalloc the
child also reports the peak of Python allocations (tracemalloc; slows the check).

Columns: example, routine(s) (the CPUs' entries), CPUs, bound (instructions per
CPU), geometry (modelled entries per table, tables, symbolic descriptors), verdict
(and the failed property), expected (the spec's own `[check] expect`, as the pytest
plugin reads it), seconds, peak MiB.  The last lines list the examples whose verdict
is not the expected one and the mutants that were not refuted (a mutant the scenario
cannot tell from the original).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
REMAP_DIR = os.path.join(EXAMPLES, "remap")


# ------------------------------------------------------------------ the child

def child(spec: str, asm: str | None, use_tracemalloc: bool) -> None:
    """Run one check and print one JSON line (runs in the subprocess)."""
    import resource
    if use_tracemalloc:
        import tracemalloc
        tracemalloc.start()
    t0 = time.perf_counter()
    out: dict = {}
    try:
        from bbmcheck.model.checker import Checker, Options
        from bbmcheck.specs.spec import load_spec
        scen = load_spec(spec, asm_file=asm)
        v = Checker(scen, Options(props=tuple(scen.properties))).run()
        out.update(status=v.status, prop=v.prop,
                   routines=sorted({c.entry for c in scen.cpus}, key=str),
                   cpus=len(scen.cpus), bound=scen.bound,
                   geometry=v.bounds.get("geometry", ""),
                   events=v.stats.get("events"), constraints=v.stats.get("constraints"))
    except Exception as e:                      # reported in the table, not fatal
        out.update(status="ERROR", prop=None, error=f"{type(e).__name__}: {e}")
    out["seconds"] = round(time.perf_counter() - t0, 3)
    out["rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if use_tracemalloc:
        import tracemalloc
        out["py_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    print(json.dumps(out))


# ------------------------------------------------------------------ the jobs

def _spec_files() -> list[str]:
    """The example specs git knows (files other tools leave under examples/ are not
    examples); every *.bbm.toml under examples/ when git is not available."""
    try:
        p = subprocess.run(["git", "ls-files", "--", "examples"], cwd=ROOT,
                           capture_output=True, text=True, check=True)
        files = [os.path.join(ROOT, f) for f in p.stdout.split() if f.endswith(".bbm.toml")]
        if files:
            return sorted(files)
    except (OSError, subprocess.CalledProcessError):
        pass
    return sorted(glob.glob(os.path.join(EXAMPLES, "**", "*.bbm.toml"), recursive=True))


def example_specs() -> list[tuple[str, str, str | None]]:
    """(name, spec, assembly or None = the spec's own `file`) for the example specs."""
    out = []
    for spec in _spec_files():
        name = os.path.relpath(spec, EXAMPLES).removesuffix(".bbm.toml")
        out.append((name, spec, None))
    return out


def _remap_body(lines: list[str]) -> range:
    start = next(i for i, ln in enumerate(lines) if "SYM_FUNC_START(remap_page)" in ln)
    end = next(i for i, ln in enumerate(lines) if "SYM_FUNC_END(remap_page)" in ln)
    return range(start + 1, end)


def remap_mutants(tmpdir: str) -> list[tuple[str, str, str]]:
    """(name, spec, assembly) for each mutant of remap.S, written into tmpdir."""
    src_path = os.path.join(REMAP_DIR, "remap.S")
    spec = os.path.join(REMAP_DIR, "remap.bbm.toml")
    with open(src_path, encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    muts: list[tuple[str, list[str]]] = []
    for i in _remap_body(lines):
        code = " ".join(lines[i].split("//")[0].split())
        if not code or code == "ret":
            continue
        muts.append((f"remap -line {i + 1} ({code})", lines[:i] + lines[i + 1:]))
    # the dsb that completes the TLBI weakened to a store-only one
    for i in _remap_body(lines):
        if re.search(r"^\s*dsb\s+ish\s*(//.*)?$", lines[i]):
            muts.append((f"remap line {i + 1}: dsb ish -> dsb ishst",
                         lines[:i] + [lines[i].replace("dsb\tish", "dsb\tishst", 1)
                                      .replace("dsb ish", "dsb ishst", 1)] + lines[i + 1:]))
    # the broadcast TLBI made local (it is in the macro, above the routine)
    for i, ln in enumerate(lines):
        if re.search(r"\btlbi\s+vaae1is\b", ln):
            muts.append((f"remap line {i + 1}: tlbi vaae1is -> tlbi vaae1",
                         lines[:i] + [re.sub(r"vaae1is", "vaae1", ln)] + lines[i + 1:]))
    out = []
    for n, (name, text) in enumerate(muts):
        path = os.path.join(tmpdir, f"remap_mutant{n}.S")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(text)
        out.append((name, spec, path))
    return out


def run_one(spec: str, asm: str | None, timeout: float, use_tracemalloc: bool) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--child", spec]
    if asm:
        cmd += ["--asm", asm]
    if use_tracemalloc:
        cmd.append("--tracemalloc")
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout or None,
                           cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"status": "TIMEOUT", "prop": None, "seconds": round(time.perf_counter() - t0, 1)}
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if p.returncode != 0 or not lines:
        return {"status": "ERROR", "prop": None, "error": (p.stderr or p.stdout).strip()[-300:],
                "seconds": round(time.perf_counter() - t0, 1)}
    return json.loads(lines[-1])


# ------------------------------------------------------------------ the table

COLUMNS = ["example", "routine", "CPUs", "bound", "geometry", "verdict", "expected", "seconds",
           "peak MiB"]


def expected(spec: str) -> tuple[str, list[str]] | None:
    """The spec's own `[check] expect` and `expect_property` (as the pytest plugin
    reads them), or None when it states none."""
    import tomllib
    try:
        with open(spec, "rb") as f:
            chk = tomllib.load(f).get("check", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if not chk.get("expect"):
        return None
    props = chk.get("expect_property") or []
    return str(chk["expect"]), [props] if isinstance(props, str) else list(props)


def expected_text(exp) -> str:
    if exp is None:
        return "-"
    status, props = exp
    return f"{status} ({'|'.join(props)})" if props else status


def meets(exp, r: dict) -> bool:
    status, props = exp
    return r["status"] == status and (not props or r.get("prop") in props)


def row(name: str, r: dict, use_tracemalloc: bool, expect=None) -> list[str]:
    verdict = r["status"] + (f" ({r['prop']})" if r.get("prop") else "")
    mem = f"{r['rss_mib']:.1f}" if "rss_mib" in r else "-"
    if use_tracemalloc and "py_peak_mib" in r:
        mem += f" (py {r['py_peak_mib']:.1f})"
    return [name, ", ".join(r.get("routines", [])) or "-", str(r.get("cpus", "-")),
            str(r.get("bound", "-")), r.get("geometry", "-") or "-", verdict,
            expected_text(expect), f"{r['seconds']:.2f}", mem]


def print_table(rows: list[list[str]], markdown: bool) -> None:
    if markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
        for r in rows:
            print("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
        return
    widths = [max(len(COLUMNS[i]), *(len(r[i]) for r in rows)) for i in range(len(COLUMNS))]
    print("  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", metavar="SPEC", help=argparse.SUPPRESS)
    ap.add_argument("--asm", help=argparse.SUPPRESS)
    ap.add_argument("--no-mutants", action="store_true", help="skip the remap mutants")
    ap.add_argument("--only", help="only rows whose name contains this text")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per check (0: none)")
    ap.add_argument("--tracemalloc", action="store_true",
                    help="also report the peak of Python allocations (slower)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--json", action="store_true", help="print the raw results as JSON")
    a = ap.parse_args(argv)
    if a.child:
        child(a.child, a.asm, a.tracemalloc)
        return 0
    rows, raw, survivors, unexpected = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bbm-bench-") as tmp:
        jobs = [(n, s, m, False) for n, s, m in example_specs()]
        if not a.no_mutants:
            jobs += [(n, s, m, True) for n, s, m in remap_mutants(tmp)]
        if a.only:
            jobs = [j for j in jobs if a.only in j[0]]
        for name, spec, asm, is_mutant in jobs:
            print(f"... {name}", file=sys.stderr, flush=True)
            r = run_one(spec, asm, a.timeout, a.tracemalloc)
            exp = None if is_mutant else expected(spec)
            raw.append({"example": name, "mutant": is_mutant,
                        "expected": expected_text(exp), **r})
            rows.append(row(name, r, a.tracemalloc, exp))
            got = r["status"] + (f" ({r['prop']})" if r.get("prop") else "")
            if exp is not None and not meets(exp, r):
                unexpected.append(f"{name}: {got}, expected {expected_text(exp)}")
            if is_mutant and r["status"] != "REFUTED":
                survivors.append(f"{name}: {r['status']}")
    if a.json:
        print(json.dumps(raw, indent=2))
        return 0
    print_table(rows, a.markdown)
    print()
    print("examples not giving their expected verdict: " +
          ("; ".join(unexpected) if unexpected else "none"))
    if not a.no_mutants:
        print()
        print("mutants not refuted: " + ("; ".join(survivors) if survivors else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
