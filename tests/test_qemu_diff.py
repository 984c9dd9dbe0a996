"""Differential test of the instruction semantics against QEMU (qemu-aarch64, Debian
qemu-user; programs assembled with binutils-aarch64-linux-gnu).  Missing tools fail
the test (CI installs them, see .ci/run).

5 000 seeded programs (straight-line and branching: ALU, shifts, bitfields, flags,
conditional select and branch, calls, loops, loads/stores of every addressing form,
pairs, literals, exclusives, acquire/release, DC ZVA, SP writes, `.inst` words) run
under QEMU and on our concrete runner must agree on every register, flag and scratch
byte.  The longer run is `python bench/qemu_diff.py --n 20000`."""
from __future__ import annotations

import collections

import pytest

from bbmcheck.model import values as V
from bbmcheck.model.isa.difftest.gen import generate
from bbmcheck.model.isa.difftest.miniasm import parse
from bbmcheck.model.isa.difftest.qemu import ToolMissing, require_tools, run_batch
from bbmcheck.model.isa.difftest.shrink import shrink

SEEDS = (101, 102, 103, 104, 105)
BATCH = 1000


def test_tools_are_installed():
    try:
        require_tools()
    except ToolMissing as e:
        pytest.fail(str(e))


@pytest.mark.parametrize("seed", SEEDS)
def test_qemu_agrees(seed):
    progs = generate(seed, BATCH, prefix=f"s{seed}p")
    res = run_batch(progs)
    if res.mismatches:
        report = []
        for m in res.mismatches[:3]:
            p, d = shrink(m.program)
            report.append(f"{m.program.name}: {m.diffs}\n  shrunk to ({d}):\n    "
                          + "\n    ".join(p.lines))
        pytest.fail(f"{len(res.mismatches)}/{BATCH} programs disagree with QEMU "
                    f"(seed {seed}):\n" + "\n".join(report))
    assert res.agree == BATCH
    assert res.steps > 15 * BATCH            # the programs really ran


def test_qemu_agrees_through_the_front_end():
    """End to end: the same programs read by bbmcheck's own front end (grammar/)
    rather than miniasm, laid out where GNU as put them, still agree with QEMU."""
    progs = generate(111, BATCH, prefix="fe")
    res = run_batch(progs, frontend=True)
    assert not res.mismatches, [(m.program.name, m.diffs) for m in res.mismatches[:5]]


def test_generator_is_seeded_and_covers_the_subset():
    a = generate(7, 300)
    assert [p.lines for p in a] == [p.lines for p in generate(7, 300)]
    assert [p.init_regs for p in a] != [p.init_regs for p in generate(8, 300)]
    seen = collections.Counter()
    for p in generate(101, BATCH, prefix="s101p"):
        for line in p.lines:
            if not line.endswith(":"):
                ins = parse(line)
                seen[ins.mnemonic] += 1
    must = """adc adcs add adds adr adrp and ands asr b bfc bfi bfm bfxil bic bics bl blr br
        cbnz cbz ccmn ccmp cinc cinv clrex cls clz cmn cmp cneg csel cset csetm csinc csinv
        csneg dc dmb dsb eon eor extr isb ldapr ldapur ldar ldaxr ldaxrb ldnp ldp ldpsw ldr
        ldrb ldrh ldrsb ldrsh ldrsw ldur ldxr ldxrb ldxrh lsl lsr madd mneg mov movk movn
        movz mrs msr msub mul mvn neg negs ngc ngcs orn orr prfm rbit ret rev rev16 rev32
        ror sbc sbcs sbfiz sbfm sbfx sdiv smaddl smulh smull stlr stlxr stnp stp str strb
        strh stur stxr stxrb sub subs sxtb sxth sxtw tbnz tbz tst ubfiz ubfm ubfx udiv
        umaddl umulh umull uxtb uxth .inst""".split()
    missing = [m for m in must if not seen[m]]
    assert not missing, missing


def test_harness_catches_a_planted_bug_and_shrinks_it(monkeypatch):
    """Validate the validator: break sign extension of one value, the comparison must
    see it, and the shrinker must bring a failing program down to a line or two."""
    orig = V.sext

    def broken(x, w):
        r = orig(x, w)
        if type(x) is V.Bits and x.value == 0x80:
            return V.xor(r, 1)
        return r
    monkeypatch.setattr(V, "sext", broken)
    res = run_batch(generate(2, 400, prefix="m"))
    assert res.mismatches
    p, d = shrink(res.mismatches[0].program)
    assert d and len([x for x in p.lines if not x.endswith(":")]) <= 2, p.lines
