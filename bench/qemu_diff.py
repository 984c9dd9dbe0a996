#!/usr/bin/env python3
"""Differential test of the instruction semantics against QEMU, at scale.

    python bench/qemu_diff.py --n 20000 [--seed 1] [--batch 1000] [--save tests/regressions]

Generates N random programs (model/isa/difftest/gen.py) in seeded batches, runs each
batch under qemu-aarch64 and on our concrete runner, and prints agreement per batch
and in total, plus which mnemonics the programs executed.  Disagreeing programs are
shrunk and, with --save, written as regression files.  Exit status 1 on any
disagreement.
"""
from __future__ import annotations

import argparse
import collections
import sys
import time

from bbmcheck.model.isa.difftest.gen import generate
from bbmcheck.model.isa.difftest.qemu import require_tools, run_batch
from bbmcheck.model.isa.difftest.miniasm import parse


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20000, help="number of programs")
    ap.add_argument("--seed", type=int, default=1, help="first seed (batch i uses seed+i)")
    ap.add_argument("--batch", type=int, default=1000, help="programs per QEMU run")
    ap.add_argument("--save", metavar="DIR", help="write shrunk failures here")
    ap.add_argument("--max-shrink", type=int, default=5, help="shrink at most this many")
    ap.add_argument("--frontend", action="store_true",
                    help="read the programs with bbmcheck's front end instead of miniasm")
    args = ap.parse_args(argv)
    require_tools()
    t0 = time.time()
    total = agree = steps = 0
    failures = []
    mnems = collections.Counter()
    print(f"{'batch':>5} {'seed':>6} {'programs':>8} {'agree':>6} {'steps':>8} {'time':>6}")
    nb = (args.n + args.batch - 1) // args.batch
    for b in range(nb):
        k = min(args.batch, args.n - b * args.batch)
        seed = args.seed + b
        t = time.time()
        progs = generate(seed, k, prefix=f"b{b}p")
        res = run_batch(progs, frontend=args.frontend)
        total += k
        agree += res.agree
        steps += res.steps
        failures += res.mismatches
        for p in progs:
            for line in p.lines:
                if not line.endswith(":"):
                    m = parse(line)
                    mnems[m.mnemonic + (f".{m.cond}" if m.cond else "")] += 1
        print(f"{b:>5} {seed:>6} {k:>8} {res.agree:>6} {res.steps:>8} {time.time() - t:>5.1f}s",
              flush=True)
    dt = time.time() - t0
    print(f"\ntotal: {agree}/{total} programs agree ({100.0 * agree / max(total, 1):.2f} %), "
          f"{steps} instructions executed, {len(mnems)} distinct mnemonics, {dt:.1f}s")
    print("mnemonics generated:", ", ".join(f"{m} {c}" for m, c in sorted(mnems.items())))
    if failures:
        from bbmcheck.model.isa.difftest.shrink import save_regression, shrink
        print(f"\n{len(failures)} disagreements; shrinking up to {args.max_shrink}:")
        for m in failures[:args.max_shrink]:
            p, d = shrink(m.program)
            print(f"--- {m.program.name}: {d}")
            print("\n".join("    " + line for line in p.lines))
            if args.save:
                print("saved", save_regression(p, d, args.save))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
