"""Every instruction of the corpus routines has semantics, and every system instruction
in the corpus decodes into the effect the Arm ARM describes for it.

The Linux files go through the whole front end (cpp with the default profile, gas
macros); for the other projects (whose headers we have no profile for) the system
instruction lines that are plain statements are assembled on their own.  The corpus
lives in ../shared/corpus; tests skip, saying so, where it is absent."""
from __future__ import annotations

import collections
import glob
import os
import re

import pytest

from bbmcheck.grammar.frontend import assemble_string, load_program
from bbmcheck.model.effects import DC, IC, ISB, TLBI, Barrier, Event, Exception_, Unsupported
from bbmcheck.model.isa import decode
from bbmcheck.model.isa import sysregs as SR

from test_isa_system import BARRIERS, TLBI_TABLE
from test_isa_util import MiniCtx

CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus")
if not os.path.isdir(CORPUS):
    CORPUS = "/work/shared/corpus"
LINUX = sorted(glob.glob(os.path.join(CORPUS, "linux", "proc.S", "*.S"))
               + glob.glob(os.path.join(CORPUS, "other", "linux", "*.S")))
OTHER = sorted(f for f in glob.glob(os.path.join(CORPUS, "other", "**", "*.[Sh]"),
                                    recursive=True) if "/linux/" not in f)

needs_corpus = pytest.mark.skipif(not LINUX, reason=f"corpus not found at {CORPUS}")

_TLBI = {r[0]: r for r in TLBI_TABLE}
_BAR = {b[0]: b[1:] for b in BARRIERS}
SYSTEM = {"tlbi", "dsb", "dmb", "isb", "dc", "ic", "msr", "mrs", "wfe", "wfi", "sev",
          "sevl", "eret", "hvc", "smc", "svc", "brk", "hint", "bti", "nop", "sys", "at"}


def check_system(ins):
    """Run one system instruction; assert the effect its Arm ARM description gives."""
    regs = {n: 0x0123_4567_89AB_C000 + n for n in range(31)}
    ctx = MiniCtx(regs=regs, sysregs={"dczid_el0": 4, "daif": 0})
    op = decode(ins)
    op.run(ctx)
    m = ins.mnemonic
    o = ins.operands
    text = str(ins)
    assert not any(isinstance(e, Unsupported) for e in ctx.effects), text
    if m == "tlbi":
        row = _TLBI[o[0].name]
        (e,) = ctx.effects
        assert isinstance(e, TLBI)
        assert (e.op, e.regime, e.scope, e.match, e.last_level) == row[:5], text
        if row[5]:
            xt = regs[o[1].num] if o[1].num < 31 else 0
            assert e.xt.value == xt
            if e.va is not None:
                field = xt & ((1 << (40 if row[1] == "ipas2" else 44)) - 1)
                assert e.va.value == field << 12, text
            if row[3] in ("va", "asid"):
                assert e.asid.value == xt >> 48, text
    elif m in ("dsb", "dmb"):
        name = o[0].name if o and hasattr(o[0], "name") else "sy"
        assert ctx.effects == [Barrier(m, *_BAR[name])], text
    elif m == "isb":
        assert ctx.effects == [ISB()], text
    elif m == "dc":
        assert ctx.effects[0] == DC(o[0].name, ctx.regs[o[1].num] if o[1].num < 31 else None
                                    ) or o[0].name == "zva", text
        assert isinstance(ctx.effects[0], DC) and ctx.effects[0].op == o[0].name
    elif m == "ic":
        (e,) = ctx.effects
        assert isinstance(e, IC) and e.op == o[0].name, text
    elif m == "msr":
        name = o[0].name
        if name in ("daifset", "daifclr"):
            assert [n for n, _ in ctx.sysreg_writes] == ["daif"], text
        elif name == "nzcv":
            assert ctx.sysreg_writes == [], text
        else:
            assert [n for n, _ in ctx.sysreg_writes] == [SR.canonical(name)], text
        assert ctx.effects == [], text
    elif m == "mrs":
        assert ctx.effects == [] and ctx.sysreg_writes == [], text
    elif m in ("wfe", "wfi", "sev", "sevl"):
        assert ctx.effects == [Event(m)], text
    elif m in ("eret", "hvc", "smc", "svc", "brk"):
        assert len(ctx.effects) == 1 and isinstance(ctx.effects[0], Exception_), text
        assert ctx.effects[0].kind == m
    elif m in ("hint", "bti", "nop"):
        assert ctx.effects in ([], [Event("wfe")], [Event("wfi")], [Event("sev")],
                               [Event("sevl")]), text
    return op


@needs_corpus
@pytest.mark.parametrize("path", LINUX, ids=[os.path.basename(p) for p in LINUX])
def test_linux_corpus_every_instruction_has_semantics(path):
    prog = load_program(path)
    kinds = collections.Counter()
    for ins in prog.instructions():
        op = decode(ins)
        assert op.kind != "unsupported", f"{ins.loc}: {op.reason}"
        kinds[op.kind] += 1
        if ins.mnemonic in SYSTEM or ins.mnemonic == ".inst":
            check_system(ins)
    assert kinds["effect"] > 0 and kinds["branch"] > 0


_SYS_LINE = re.compile(r"^\s*(?:[\w.]+:\s*)?((?:tlbi|dsb|dmb|isb|dc|ic|wfe|wfi|sevl|sev|eret|"
                       r"hvc|smc|svc)\b[^/;@\n]*)", re.I | re.M)


@pytest.mark.skipif(not OTHER, reason=f"corpus not found at {CORPUS}")
def test_other_projects_system_lines():
    """Plain system-instruction statements of Xen, TF-A, U-Boot, edk2, OP-TEE and
    Jailhouse (macro arguments and cpp names are left to their own profiles)."""
    seen = collections.Counter()
    for path in OTHER:
        with open(path, errors="replace") as f:
            text = f.read()
        for m in _SYS_LINE.finditer(text):
            line = m.group(1).strip()
            if ("\\" in line or "(" in line or re.search(r"\b_\w+", line)
                    or re.search(r",\s*[a-z_]*[a-z]{3,}\w*\s*$", line)):
                continue                      # macro arguments or .req/cpp names
            try:
                prog = assemble_string(f"\t{line}\n")
            except Exception:
                continue
            (ins,) = list(prog.instructions())
            check_system(ins)
            seen[ins.mnemonic] += 1
    print(dict(seen))
    assert seen["tlbi"] >= 5 and seen["dsb"] >= 5 and seen["isb"] >= 5, seen
