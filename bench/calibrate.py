#!/usr/bin/env python3
"""How fast this machine is, in two fixed measurements, so that bench figures from
different sessions (and machines) can be compared: Python (10^7 integer additions)
and Z3 (the pigeonhole formula, 10 pigeons in 9 holes: unsat, all CDCL search).

    python bench/calibrate.py

bench/kpti.py prints the same line above its table.  Stop 23 added it after its
first measurements ran two times slower than stop 22's on an idle machine (v6.1 ets2
PROVED 19.5 s against 8.8 s), while a later Python figure on the same machine was
twice as fast as the first: the machine's speed varies (shared hosts), and a
figure means little without this line next to it.

Stop 24 found the Z3 version to count as much: the pigeonhole takes 1.1-1.2 s with Z3
4.12/4.13 and 2.2-2.6 s with 4.16-5.4 on one machine, and a fresh install takes the
newest release.  So the line names the version too.
"""
from __future__ import annotations

import time


def python_seconds() -> float:
    t = time.perf_counter()
    s = 0
    for i in range(10 ** 7):
        s += i
    return time.perf_counter() - t


def z3_seconds(pigeons: int = 10) -> float:
    import z3
    holes = pigeons - 1
    p = [[z3.Bool(f"p{i}_{j}") for j in range(holes)] for i in range(pigeons)]
    s = z3.Solver()
    for i in range(pigeons):
        s.add(z3.Or(p[i]))
    for j in range(holes):
        for a in range(pigeons):
            for b in range(a + 1, pigeons):
                s.add(z3.Or(z3.Not(p[a][j]), z3.Not(p[b][j])))
    t = time.perf_counter()
    assert s.check() == z3.unsat
    return time.perf_counter() - t


def line() -> str:
    import z3
    return (f"machine: Python 10^7 additions {python_seconds():.2f} s, "
            f"Z3 pigeonhole 10/9 {z3_seconds():.2f} s (Z3 {z3.get_version_string()})")


if __name__ == "__main__":
    print(line())
