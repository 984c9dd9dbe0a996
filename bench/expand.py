"""How long the front end takes: preprocess + assemble + lay out each corpus file.

    python bench/expand.py [--profile NAME] [--repeat N] [FILE ...]

Prints one row per file: source lines, routines, instructions, the wall time of a
first run with the parse caches empty ("cold s"), the best of N runs ("seconds"), and
the peak Python memory of one run (MiB, tracemalloc).  Without
FILE arguments it measures the Linux files of ../shared/corpus (relative to the
repository root).  The design target: the largest corpus file in under 1 s.
"""
from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def corpus_files() -> list[Path]:
    return sorted((CORPUS / "linux" / "proc.S").glob("*.S")) + \
        sorted((CORPUS / "other" / "linux").glob("*.S"))


def measure(path: Path, profile: str, repeat: int) -> dict:
    from bbmcheck.grammar import syntax
    from bbmcheck.grammar.frontend import load_program
    for f in (syntax.parse_instruction, syntax.parse_expr, syntax.parse_exprs):
        f.cache_clear()
    t0 = time.perf_counter()
    prog = load_program(path, profile=profile)
    cold = time.perf_counter() - t0
    best = cold
    for _ in range(repeat - 1):
        t0 = time.perf_counter()
        prog = load_program(path, profile=profile)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    load_program(path, profile=profile)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"file": path.name, "lines": len(path.read_text(errors="replace").splitlines()),
            "routines": len(prog.routines),
            "insns": sum(1 for _ in prog.instructions()),
            "seconds": best, "cold": cold, "peak_mib": peak / 2**20}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--profile", default="linux-arm64-4k-48")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    files = a.files or corpus_files()
    if not files:
        print(f"no input: {CORPUS} not found and no FILE given", file=sys.stderr)
        return 1
    # warm up: the grammar is built once per process
    from bbmcheck.grammar.syntax import parse_instruction
    parse_instruction("nop")
    rows = [measure(f, a.profile, a.repeat) for f in files]
    w = max(len(r["file"]) for r in rows)
    print(f"front end: preprocess + assemble + layout, profile {a.profile}, "
          f"best of {a.repeat}")
    print(f"{'file':<{w}}  {'lines':>5}  {'routines':>8}  {'insns':>5}  {'cold s':>7}  "
          f"{'seconds':>7}  {'peak MiB':>8}")
    for r in rows:
        print(f"{r['file']:<{w}}  {r['lines']:>5}  {r['routines']:>8}  {r['insns']:>5}  "
              f"{r['cold']:>7.3f}  {r['seconds']:>7.3f}  {r['peak_mib']:>8.1f}")
    largest = max(rows, key=lambda r: r["lines"])
    verdict = "OK" if largest["cold"] < 1.0 else "TOO SLOW"
    print(f"largest: {largest['file']} ({largest['lines']} lines) in "
          f"{largest['cold']:.3f} s cold, {largest['seconds']:.3f} s best  "
          f"[{verdict}: target < 1 s]")
    return 0 if largest["cold"] < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
