#!/usr/bin/env python3
"""Arm's whole VMSA litmus catalogue on bbmcheck's model, against Arm's verdicts.

    python bench/litmus.py [--catalogue ../shared/herd-vmsa/tests] [--timeout 10] [-j N]
                           [--json out.json] [--list]

Runs every `.litmus` file under the catalogue (per-test timeout, each test in a
worker process), compares with `kinds.txt` (Arm's herd7 verdicts: Allowed /
Forbidden / Required), and prints a table per catalogue folder and the totals: tests
read, modelled (every feature they use is modelled), with a verdict in kinds.txt,
agreements, the two kinds of disagreement (*we forbid, Arm allows*: our model too
strong, a soundness bug; *we allow, Arm forbids*: too weak, a false alarm),
unsupported, timeouts, unknown, errors and seconds (sum of per-test times).  Then
every disagreement by kind, the unsupported features by count, and the slowest
tests.  Exit status 1 if some test is a *we forbid, Arm allows* disagreement.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time

from bbmcheck.grammar.litmus import read_kinds
from bbmcheck.specs.litmus import CMP_WORDS, Tally, compare, run_files, tally_table

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "herd-vmsa", "tests"))


def catalogue_files(root):
    out = []
    for d, dirs, names in os.walk(root):
        dirs.sort()
        out += [os.path.join(d, n) for n in sorted(names) if n.endswith(".litmus")]
    return out


# Tests the catalogue's README names among those herd7 does not finish in 300 s.
HERD_UNFINISHED = ("Marc03", "MP+dmb.sy+addr-store-pos-addr+PTE", "Sc04+BIS", "Sc05+BIS")


def feature_family(reason: str) -> str:
    """`instruction `casp x0, ...` (why)` -> `instruction CASP: why`."""
    if reason.startswith("instruction `"):
        ins = reason.split("`")[1].split()[0]
        why = reason.split("(", 1)[1].rstrip(")") if "(" in reason else ""
        return f"instruction {ins.upper()}: {why}"
    return reason


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalogue", default=DEFAULT, help="the catalogue's tests folder")
    ap.add_argument("--kinds", default=None, help="kinds file (default: CATALOGUE/kinds.txt)")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per test")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", metavar="FILE", help="write every result as JSON")
    ap.add_argument("--list", action="store_true", help="also list every test's result")
    ap.add_argument("--sample", type=int, metavar="N", default=0,
                    help="only a seeded sample of N tests (as tests/test_litmus.py draws it)")
    ap.add_argument("--seed", type=int, default=8, help="seed of --sample (default 8)")
    ap.add_argument("--only", metavar="FILE", help="only the tests named (one per line, "
                    "a name or a path relative to the catalogue)")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.catalogue):
        print(f"no catalogue at {args.catalogue}", file=sys.stderr)
        return 2
    kinds, warnings = read_kinds(args.kinds or os.path.join(args.catalogue, "kinds.txt"))
    for w in warnings:
        print(w, file=sys.stderr)
    files = catalogue_files(args.catalogue)
    if args.sample:
        import random
        files = sorted(random.Random(args.seed).sample(files, args.sample))
    if args.only:
        with open(args.only) as fh:
            want = {ln.strip() for ln in fh if ln.strip() and not ln.startswith("#")}
        files = [f for f in files if os.path.relpath(f, args.catalogue) in want
                 or os.path.basename(f)[:-len(".litmus")] in want]
    t0 = time.perf_counter()
    results = run_files(files, timeout_s=args.timeout, jobs=args.jobs, traces=False)
    wall = time.perf_counter() - t0

    folders: dict[str, Tally] = collections.OrderedDict()
    total = Tally()
    disagreements = {"we-forbid": [], "we-allow": []}
    unsupported = collections.Counter()
    blockers = collections.Counter()         # tests whose only unsupported features are X
    rows = []
    for f, r in zip(files, results):
        folder = os.path.relpath(os.path.dirname(f), args.catalogue)
        arm = kinds.get(r.name)
        folders.setdefault(folder, Tally()).add(r, arm)
        total.add(r, arm)
        c = compare(r, arm)
        if c in disagreements:
            disagreements[c].append((r, arm, os.path.relpath(f, args.catalogue)))
        if r.status == "unsupported":
            unsupported[feature_family(r.reason)] += 1
            fams = sorted({feature_family(x) for x, _ in (r.features or [(r.reason, None)])})
            if len(fams) == 1:
                blockers[fams[0]] += 1
        rows.append(dict(name=r.name, file=os.path.relpath(f, args.catalogue),
                         status=r.status, observation=r.observation, ours=r.kind, arm=arm,
                         compare=c, reason=r.reason, seconds=r.seconds,
                         quantifier=r.quantifier, bound_cut=r.bound_cut,
                         features=[x for x, _ in (r.features or [])]))
    print(f"# bbmcheck on Arm's VMSA catalogue ({args.catalogue})")
    print(f"# {len(files)} tests, timeout {args.timeout:g} s, {args.jobs} jobs, "
          f"wall {wall:.1f} s")
    print()
    for ln in tally_table(list(folders.items()) + [("TOTAL", total)]):
        print(ln)
    print()
    for kind in ("we-forbid", "we-allow"):
        lst = disagreements[kind]
        print(f"## {CMP_WORDS[kind]}: {len(lst)}")
        for r, arm, rel in lst:
            print(f"  {rel}: {r.quantifier} -> ours {r.observation} ({r.kind}), Arm {arm}")
        print()
    print("## unsupported features (first one found per test)")
    for feat, n in unsupported.most_common():
        print(f"  {n:4d}  {feat}")
    print()
    print("## tests blocked by one unsupported feature only")
    for feat, n in blockers.most_common():
        print(f"  {n:4d}  {feat}")
    print()
    done = [r for r in results if r.status in ("ok", "unsupported", "unknown")]
    secs = sorted(r.seconds for r in done if r.status == "ok")
    if secs:
        print(f"## per modelled test: median {secs[len(secs) // 2]:.3f} s, "
              f"p90 {secs[int(len(secs) * 0.9)]:.3f} s, max {secs[-1]:.3f} s")
    if done:
        top = max(done, key=lambda r: r.seconds)
        print(f"## every test (modelled or not): max {top.seconds:.3f} s ({top.name}, "
              f"{top.status})")
    named = {r.name: r for r in results if r.name in HERD_UNFINISHED}
    if named:
        print("## herd7 does not finish in 300 s (catalogue README): "
              + ", ".join(f"{n} {named[n].status}"
                          + (f" {named[n].observation}" if named[n].observation else "")
                          + f" {named[n].seconds:.2f}s" for n in HERD_UNFINISHED if n in named))
    slow = sorted((r for r in results if r.status in ("ok", "timeout")),
                  key=lambda r: r.seconds, reverse=True)[:10]
    print("## slowest: " + ", ".join(f"{r.name} {r.seconds:.2f}s" for r in slow))
    odd = [r for r in results if r.status in ("timeout", "unknown", "error")]
    for r in odd:
        print(f"  {r.status}: {r.name}: {r.reason.splitlines()[0] if r.reason else ''}")
    if args.list:
        print()
        for row in rows:
            print(f"  {row['file']}: {row['status']} {row['observation'] or ''} "
                  f"{row['ours'] or ''} arm={row['arm']} {row['compare'] or ''} "
                  f"{row['reason'] if row['status'] != 'ok' else ''}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(dict(catalogue=args.catalogue, timeout=args.timeout, wall=wall,
                           tests=rows), fh, indent=1)
    return 1 if total.we_forbid else 0


if __name__ == "__main__":
    sys.exit(main())
