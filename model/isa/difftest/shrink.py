"""Shrink a program on which our runner and QEMU disagree, and keep it as a regression.

Delta debugging over the program's chunks (the generator's units), then its single
lines, then its initial state (registers to 0, flags to 0, scratch to zeros).  Each
round evaluates all candidates in one QEMU batch; a candidate is *interesting* when
our run is valid (stays in the program's own state) and it still disagrees with QEMU
in one of the fields the original disagreed in.  Candidates that do not assemble or
crash QEMU are dropped (a whole batch that fails is retried one by one).

Regression files (tests/regressions/qemu-*.json) hold the shrunk program, QEMU's
outcome and the diff at the time; tests/test_qemu_regressions.py replays them.
"""
from __future__ import annotations

import hashlib
import json
import os

from .gen import TestProgram
from .qemu import HarnessError, build, compare, run_ours, run_qemu
import shutil
import tempfile


def _fields(diffs: list[str]) -> set[str]:
    return {d.split(":")[0].split(" ")[0] for d in diffs}


def evaluate(cands: list[TestProgram]) -> list[list[str] | None]:
    """For each candidate: its diffs (possibly empty), or None if unusable."""
    if not cands:
        return []
    named = [c.renamed(f"c{i}") for i, c in enumerate(cands)]
    wd = tempfile.mkdtemp(prefix="bbm-shrink-")
    try:
        try:
            exe, syms = build(named, wd)
            q = run_qemu(exe, named, syms, timeout=60)
        except HarnessError:
            if len(cands) == 1:
                return [None]
            return [r for c in cands for r in evaluate([c])]
        out = []
        for p, qq in zip(named, q):
            try:
                o = run_ours(p, syms)
            except Exception:
                out.append(None)
                continue
            out.append(compare(p, o, qq) if o.valid else None)
        return out
    finally:
        shutil.rmtree(wd, ignore_errors=True)


def _with_chunks(p: TestProgram, chunks: list[list[str]]) -> TestProgram:
    q = p.renamed(p.name)
    q.lines = [x for c in chunks for x in c]
    q.groups = [len(c) for c in chunks]
    return q


def shrink(p: TestProgram, *, max_rounds: int = 200, log=None) -> tuple[TestProgram, list[str]]:
    """The smallest interesting variant found, and its diffs."""
    d0 = evaluate([p])[0]
    if not d0:
        raise ValueError("the program does not disagree with QEMU")
    target = _fields(d0)

    def interesting(diffs):
        return bool(diffs) and bool(_fields(diffs) & target)

    best, best_d = p, d0
    rounds = 0

    def step(cands):
        nonlocal best, best_d
        for c, d in zip(cands, evaluate(cands)):
            if d is not None and interesting(d):
                best, best_d = c, d
                return True
        return False

    # 1. remove chunks, ddmin style
    n = 2
    while rounds < max_rounds:
        rounds += 1
        chunks = best.chunks()
        if len(chunks) <= 1:
            break
        n = min(n, len(chunks))
        size = max(1, len(chunks) // n)
        cands = []
        for i in range(0, len(chunks), size):
            rest = chunks[:i] + chunks[i + size:]
            if rest:
                cands.append(_with_chunks(best, rest))
        if step(cands):
            n = max(n - 1, 2)
            continue
        if size == 1:
            break
        n = min(len(chunks), n * 2)
    # 2. remove single lines inside chunks
    changed = True
    while changed and rounds < max_rounds:
        rounds += 1
        changed = False
        lines = best.lines
        cands = []
        for i, line in enumerate(lines):
            if line.endswith(":"):
                continue
            q = best.renamed(best.name)
            q.lines = lines[:i] + lines[i + 1:]
            q.groups = []
            cands.append(q)
        if step(cands):
            changed = True
    # 3. simplify the initial state
    cands = []
    for r in range(31):
        if best.init_regs[r]:
            q = best.renamed(best.name)
            q.init_regs = list(best.init_regs)
            q.init_regs[r] = 0
            cands.append(q)
    zeroable = [c for c, d in zip(cands, evaluate(cands)) if d is not None and interesting(d)]
    if zeroable:
        q = best.renamed(best.name)
        q.init_regs = list(best.init_regs)
        for c in zeroable:
            q.init_regs = _merge_zero(q.init_regs, c.init_regs)
        d = evaluate([q])[0]
        if d is not None and interesting(d):
            best, best_d = q, d
    if best.init_nzcv:
        q = best.renamed(best.name)
        q.init_nzcv = 0
        d = evaluate([q])[0]
        if d is not None and interesting(d):
            best, best_d = q, d
    q = best.renamed(best.name)
    q.scratch = bytes(len(best.scratch))
    d = evaluate([q])[0]
    if d is not None and interesting(d):
        best, best_d = q, d
    if log:
        log(f"shrunk {len(p.lines)} -> {len(best.lines)} lines in {rounds} rounds")
    return best, best_d


def _merge_zero(cur, cand):
    return [0 if b == 0 else a for a, b in zip(cur, cand)]


def save_regression(p: TestProgram, diffs: list[str], directory: str) -> str:
    """Write the program and QEMU's outcome for it; returns the file path."""
    from .qemu import qemu_outcome
    q = qemu_outcome(p)
    blob = json.dumps(p.to_json(), sort_keys=True).encode()
    name = "qemu-" + hashlib.sha1(blob).hexdigest()[:12] + ".json"
    path = os.path.join(directory, name)
    os.makedirs(directory, exist_ok=True)
    with open(path, "w") as f:
        json.dump({"program": p.to_json(), "diff_when_found": diffs,
                   "qemu": {"regs": [hex(v) for v in q.regs], "nzcv": q.nzcv,
                            "scratch": q.scratch.hex()}}, f, indent=1)
        f.write("\n")
    return path
