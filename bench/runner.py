#!/usr/bin/env python3
"""Instructions per second of the concrete runner (model/runner.py).

    python bench/runner.py [--repeat 3]

Workloads: an ALU loop (add/eor/ror/flags/b.cond), a copy loop (ldp/stp with
write-back), a table walk-like loop (ubfx, shifted-register loads, tbz, csel), a
system-heavy loop (str/dsb/tlbi/dsb/isb, as in a BBM sequence), and the QEMU
differential programs (a mixed bag, mostly straight-line).  Each is timed cold
(decode on first execution included) and warm (decoded ops cached on the
instructions); the table gives the best of --repeat runs.
"""
from __future__ import annotations

import argparse
import time

from bbmcheck.grammar.frontend import assemble_string
from bbmcheck.model.runner import run

HEAD = "\t.text\n\t.globl f\n\t.type f, %function\nf:\n"

WORKLOADS = {
    "alu loop": ("""
        mov x0, #20000
        mov x1, #0x1234
    1:  add x1, x1, x0
        eor x2, x1, x1, ror #13
        adds x3, x2, #7
        csel x1, x2, x3, mi
        subs x0, x0, #1
        b.ne 1b
        ret
    """, {}),
    "copy loop (ldp/stp)": ("""
        mov x2, #4000
    1:  ldp x3, x4, [x0], #16
        stp x3, x4, [x1], #16
        subs x2, x2, #1
        b.ne 1b
        ret
    """, {0: 0x10_0000, 1: 0x20_0000}),
    "table walk (ubfx/ldr/tbz)": ("""
        mov x9, #3000
    1:  ubfx x2, x9, #3, #9
        ldr x3, [x0, x2, lsl #3]
        tbz x3, #0, 2f
        orr x3, x3, #(1 << 11)
        str x3, [x0, x2, lsl #3]
    2:  and x4, x3, #0xfffffffff000
        cmp x4, x1
        csinc x5, x5, x5, ne
        subs x9, x9, #1
        b.ne 1b
        ret
    """, {0: 0x30_0000, 1: 0x40_1000}),
    "bbm sequence (str/dsb/tlbi/isb)": ("""
        mov x9, #3000
    1:  str xzr, [x0]
        dsb nshst
        lsr x2, x0, #12
        tlbi vaae1, x2
        dsb nsh
        isb
        str x1, [x0]
        dsb nshst
        subs x9, x9, #1
        b.ne 1b
        ret
    """, {0: 0x50_0000, 1: 0x123}),
}


def time_workload(src, regs, repeat):
    cold_best = warm_best = None
    steps = 0
    for _ in range(repeat):
        prog = assemble_string(HEAD + src + "\n\t.size f, .-f\n")
        t = time.perf_counter()
        r = run(prog, "f", regs=regs, max_steps=10**7)
        cold = time.perf_counter() - t
        assert r.stop == "ret", r.stop
        t = time.perf_counter()
        r = run(prog, "f", regs=regs, max_steps=10**7)
        warm = time.perf_counter() - t
        steps = r.steps
        cold_best = cold if cold_best is None else min(cold_best, cold)
        warm_best = warm if warm_best is None else min(warm_best, warm)
    return steps, cold_best, warm_best


def time_difftest(n, repeat):
    from bbmcheck.model.isa.difftest.gen import MID, SCRATCH, generate
    from bbmcheck.model.isa.difftest.miniasm import parse_lines
    from bbmcheck.model.runner import FlatMemory, Runner
    progs = generate(1, n)
    cases = []
    base = 0x40_0000
    for p in progs:
        instrs, labels = parse_lines(p.lines + [f"{p.name}_end:"], base=base)
        syms = dict(labels)
        for i, (label, size, value) in enumerate(p.literals):
            syms[label] = 0x7000_0000 + 8 * i
        cases.append((p, instrs, syms, base))
        base += 4 * len(instrs) + 0x1000

    def once():
        steps = 0
        t = time.perf_counter()
        for p, instrs, syms, b in cases:
            code = {i.address: i for i in instrs}
            mem = FlatMemory()
            for i, byte in enumerate(p.scratch):
                mem.bytes[0x6000_0000 + i] = byte
            for label, size, value in p.literals:
                mem.write_init(syms[label], size, value)
            rn = Runner(code.get, lambda s: syms.get(s, 0), mem)
            regs = dict(enumerate(p.init_regs))
            regs[28] = 0x6000_0000 + MID
            rn.set_regs(regs, sp=0x5000_0000, nzcv=p.init_nzcv)
            res = rn.run(b, stop_at=[syms[f"{p.name}_end"]], max_steps=10_000)
            steps += res.steps
        return steps, time.perf_counter() - t
    steps, cold = once()
    warm = min(once()[1] for _ in range(repeat))
    return steps, cold, warm


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rows = []
    for name, (src, regs) in WORKLOADS.items():
        rows.append((name, *time_workload(src, regs, args.repeat)))
    rows.append(("qemu-diff programs (1000)", *time_difftest(1000, args.repeat)))
    print(f"{'workload':<34} {'instructions':>12} {'cold instr/s':>13} {'warm instr/s':>13}")
    for name, steps, cold, warm in rows:
        print(f"{name:<34} {steps:>12} {steps / cold:>13,.0f} {steps / warm:>13,.0f}")


if __name__ == "__main__":
    main()
