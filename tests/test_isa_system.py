"""System instructions decode into the effects the Arm ARM describes: one table row per
TLBI operation and barrier option, DC/IC/AT, MSR/MRS (including PSTATE fields and
generic encodings), hints, events and exception instructions; `.inst` words (taken
from GNU as) decode to the same effects as their text; the system-register encodings
agree with GNU as."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from bbmcheck.model.effects import (DC, IC, ISB, TLBI, Barrier, Event, Exception_,
                                    Unsupported)
from bbmcheck.model.isa import decode
from bbmcheck.model.isa import sysregs as SR
from bbmcheck.model.isa.difftest.miniasm import parse
from bbmcheck.model.values import Bits

from test_isa_util import MiniCtx


def run1(text, **kw):
    ctx = MiniCtx(**kw)
    op = decode(parse(text))
    op.run(ctx)
    return ctx, op


def effects(text, **kw):
    return run1(text, **kw)[0].effects


# --------------------------------------------------------------------------- TLBI

# (op, regime, scope, match, last_level, takes Xt) — Arm ARM C5.5 (TLB maintenance)
TLBI_TABLE = []
for scope, sfx in (("local", ""), ("is", "is"), ("os", "os")):
    TLBI_TABLE += [
        (f"vmalle1{sfx}", "el1", scope, "all", False, False),
        (f"vae1{sfx}", "el1", scope, "va", False, True),
        (f"vale1{sfx}", "el1", scope, "va", True, True),
        (f"vaae1{sfx}", "el1", scope, "va-any-asid", False, True),
        (f"vaale1{sfx}", "el1", scope, "va-any-asid", True, True),
        (f"aside1{sfx}", "el1", scope, "asid", False, True),
        (f"alle1{sfx}", "el1s12", scope, "all", False, False),
        (f"vmalls12e1{sfx}", "el1s12", scope, "all", False, False),
        (f"alle2{sfx}", "el2", scope, "all", False, False),
        (f"vae2{sfx}", "el2", scope, "va-noasid", False, True),
        (f"vale2{sfx}", "el2", scope, "va-noasid", True, True),
        (f"alle3{sfx}", "el3", scope, "all", False, False),
        (f"vae3{sfx}", "el3", scope, "va-noasid", False, True),
        (f"vale3{sfx}", "el3", scope, "va-noasid", True, True),
        (f"ipas2e1{sfx}", "ipas2", scope, "va-noasid", False, True),
        (f"ipas2le1{sfx}", "ipas2", scope, "va-noasid", True, True),
    ]

XT = (0xABCD << 48) | (0x5 << 44) | 0x0123_4567_89AB


@pytest.mark.parametrize("op,regime,scope,match,last,has_xt", TLBI_TABLE,
                         ids=[r[0] for r in TLBI_TABLE])
def test_tlbi(op, regime, scope, match, last, has_xt):
    text = f"tlbi {op}, x3" if has_xt else f"tlbi {op}"
    (e,) = effects(text, regs={3: XT})
    assert isinstance(e, TLBI)
    assert (e.op, e.regime, e.scope, e.match, e.last_level) == (op, regime, scope, match, last)
    if not has_xt:
        assert e.va is e.asid is e.ttl is e.xt is None
        # a register where none is taken is rejected, an Xt-op without one too
        assert decode(parse(f"tlbi {op}, x3")).kind == "unsupported"
        return
    assert decode(parse(f"tlbi {op}")).kind == "unsupported"
    assert e.xt == Bits(XT, 64)
    if match == "asid":
        assert e.asid == Bits(0xABCD, 16) and e.va is None
        return
    assert e.ttl == Bits(5, 4)
    if regime == "ipas2":
        assert e.va == Bits(0x23_4567_89AB << 12, 64)          # IPA[51:12] = Xt[39:0]
    else:
        assert e.va == Bits(0x0123_4567_89AB << 12, 64)        # VA[55:12] = Xt[43:0]
    assert e.asid == (Bits(0xABCD, 16) if match == "va" else None)


def test_tlbi_unknown_is_unsupported():
    op = decode(parse("tlbi rvae1is, x3"))
    assert op.kind == "unsupported" and "rvae1is" in op.reason
    (e,) = effects("tlbi rvae1is, x3")
    assert isinstance(e, Unsupported)


# --------------------------------------------------------------------------- barriers

BARRIERS = [("sy", "sy", "all"), ("st", "sy", "st"), ("ld", "sy", "ld"),
            ("ish", "ish", "all"), ("ishst", "ish", "st"), ("ishld", "ish", "ld"),
            ("nsh", "nsh", "all"), ("nshst", "nsh", "st"), ("nshld", "nsh", "ld"),
            ("osh", "osh", "all"), ("oshst", "osh", "st"), ("oshld", "osh", "ld")]
CRM = {"sy": 15, "st": 14, "ld": 13, "ish": 11, "ishst": 10, "ishld": 9, "nsh": 7,
       "nshst": 6, "nshld": 5, "osh": 3, "oshst": 2, "oshld": 1}


@pytest.mark.parametrize("kind", ["dmb", "dsb"])
@pytest.mark.parametrize("opt,domain,types", BARRIERS, ids=[b[0] for b in BARRIERS])
def test_barrier(kind, opt, domain, types):
    assert effects(f"{kind} {opt}") == [Barrier(kind, domain, types)]
    assert effects(f"{kind} #{CRM[opt]}") == [Barrier(kind, domain, types)]


def test_barrier_reserved_options_and_speculation_barriers():
    for crm in (0, 4, 8, 12):
        # CRm<1:0> == 00 is reserved: a full-system barrier ...
        assert effects(f"dmb #{crm}") == [Barrier("dmb", "sy", "all")]
    # ... except DSB #0 (SSBB) and DSB #4 (PSSBB), speculation barriers (no effect here)
    for text in ("dsb #0", "dsb #4", "ssbb", "pssbb", "sb", "csdb"):
        ctx, op = run1(text)
        assert ctx.effects == [] and op.kind == "nop", text
    assert effects("dsb #8") == [Barrier("dsb", "sy", "all")]
    assert effects("isb") == [ISB()]
    assert effects("isb sy") == [ISB()]
    assert effects("isb #3") == [ISB()]
    assert decode(parse("dsb synxs")).kind == "unsupported"


# --------------------------------------------------------------------------- DC / IC / AT

DC_OPS = ["ivac", "isw", "csw", "cisw", "cvac", "cvau", "civac", "cvap", "cvadp"]


@pytest.mark.parametrize("op", DC_OPS)
def test_dc(op):
    assert effects(f"dc {op}, x5", regs={5: 0x1234_5678}) == [DC(op, Bits(0x1234_5678, 64))]


def test_dc_zva_zeroes_the_block():
    ctx, op = run1("dc zva, x5", regs={5: 0x1234_5678}, sysregs={"dczid_el0": 4})
    assert ctx.effects == [DC("zva", Bits(0x1234_5678, 64))]
    assert op.kind == "store"
    assert sorted(ctx.stores) == [(0x1234_5640 + 8 * i, 8, 0) for i in range(8)]
    ctx, _ = run1("dc zva, x5", regs={5: 0x1000}, sysregs={"dczid_el0": 0x10})
    assert isinstance(ctx.effects[0], Unsupported)          # DZP: prohibited


def test_ic_and_at():
    assert effects("ic iallu") == [IC("iallu")]
    assert effects("ic ialluis") == [IC("ialluis")]
    assert effects("ic ivau, x2", regs={2: 0x40}) == [IC("ivau", Bits(0x40, 64))]
    (e,) = effects("at s1e1r, x0")
    assert isinstance(e, Unsupported) and "AT s1e1r" in e.reason


def test_sys_generic_form_is_the_alias():
    assert effects("sys #0, c8, c7, #0") == effects("tlbi vmalle1")
    assert effects("sys #0, c8, c3, #3, x3", regs={3: XT}) == \
        effects("tlbi vaae1is, x3", regs={3: XT})
    assert effects("sys #3, c7, c14, #1, x1", regs={1: 64}) == [DC("civac", Bits(64, 64))]
    assert isinstance(effects("sys #7, c15, c15, #7, x1")[0], Unsupported)


# --------------------------------------------------------------------------- MSR / MRS

def test_msr_mrs_named_and_generic():
    ctx, op = run1("msr ttbr1_el1, x2", regs={2: 0x8000})
    assert ctx.sysreg_writes == [("ttbr1_el1", Bits(0x8000, 64))] and op.kind == "sysreg"
    ctx, _ = run1("msr s3_0_c2_c0_1, x2", regs={2: 0x8000})
    assert ctx.sysreg_writes == [("ttbr1_el1", Bits(0x8000, 64))]
    ctx, _ = run1("msr s3_0_c2_c0_3, x2", regs={2: 1})
    assert ctx.sysreg_writes == [("tcr2_el1", Bits(1, 64))]
    ctx, _ = run1("msr s3_7_c15_c1_0, x2", regs={2: 1})          # not in the table
    assert ctx.sysreg_writes == [("s3_7_c15_c1_0", Bits(1, 64))]
    ctx, _ = run1("mrs x4, tcr_el1", sysregs={"tcr_el1": 0x55})
    assert ctx.regs[4] == Bits(0x55, 64)
    ctx, _ = run1("mrs x4, s3_0_c0_c7_2", sysregs={"id_aa64mmfr2_el1": 7})
    assert ctx.regs[4] == Bits(7, 64)
    assert decode(parse("msr midr_el1, x0")).kind == "unsupported"      # read-only
    assert decode(parse("mrs x0, oslar_el1")).kind == "unsupported"     # write-only
    assert decode(parse("msr ttbr0_el1, w0")).kind == "unsupported"


# the translation and control registers of the EL2 and EL3 regimes (issue 7):
# (name, its generic encoding as the Arm ARM gives it)
EL2_EL3_REGS = [
    ("sctlr_el2", "s3_4_c1_c0_0"), ("hcr_el2", "s3_4_c1_c1_0"),
    ("ttbr0_el2", "s3_4_c2_c0_0"), ("ttbr1_el2", "s3_4_c2_c0_1"), ("tcr_el2", "s3_4_c2_c0_2"),
    ("vttbr_el2", "s3_4_c2_c1_0"), ("vtcr_el2", "s3_4_c2_c1_2"), ("mair_el2", "s3_4_c10_c2_0"),
    ("vbar_el2", "s3_4_c12_c0_0"), ("elr_el2", "s3_4_c4_c0_1"), ("spsr_el2", "s3_4_c4_c0_0"),
    ("sctlr_el3", "s3_6_c1_c0_0"), ("scr_el3", "s3_6_c1_c1_0"), ("ttbr0_el3", "s3_6_c2_c0_0"),
    ("tcr_el3", "s3_6_c2_c0_2"), ("mair_el3", "s3_6_c10_c2_0"), ("vbar_el3", "s3_6_c12_c0_0"),
]


@pytest.mark.parametrize("name,generic", EL2_EL3_REGS, ids=[r[0] for r in EL2_EL3_REGS])
def test_msr_mrs_el2_el3_registers(name, generic):
    for spelling in (name, name.upper(), generic):
        ctx, op = run1(f"msr {spelling}, x2", regs={2: 0x4000_0000})
        assert op.kind == "sysreg" and ctx.effects == []
        assert ctx.sysreg_writes == [(name, Bits(0x4000_0000, 64))]
        ctx, _ = run1(f"mrs x5, {spelling}", sysregs={name: 0x1234})
        assert ctx.regs[5] == Bits(0x1234, 64) and ctx.sysreg_writes == []


def test_currentel_is_read_only():
    ctx, _ = run1("mrs x4, CurrentEL", sysregs={"currentel": 8})
    assert ctx.regs[4] == Bits(8, 64)
    assert decode(parse("msr currentel, x0")).kind == "unsupported"


def test_msr_pstate_fields():
    ctx, _ = run1("msr daifset, #0xf", sysregs={"daif": 0})
    assert ctx.sysreg_writes == [("daif", Bits(0x3C0, 64))]
    ctx, _ = run1("msr daifset, #2", sysregs={"daif": 0x100})
    assert ctx.sysreg_writes == [("daif", Bits(0x180, 64))]              # I | A
    ctx, _ = run1("msr daifclr, #8", sysregs={"daif": 0x3C0})
    assert ctx.sysreg_writes == [("daif", Bits(0x1C0, 64))]              # clear D
    ctx, _ = run1("msr daif, x1", regs={1: 0xFFFF})
    assert ctx.sysreg_writes == [("daif", Bits(0x3C0, 64))]
    ctx, _ = run1("msr spsel, #1")
    assert ctx.sysreg_writes == [("spsel", Bits(1, 64))]
    ctx, _ = run1("msr pan, #1")
    assert ctx.sysreg_writes == [("pan", Bits(1, 64))]
    assert decode(parse("msr daifset, #16")).kind == "unsupported"
    assert decode(parse("msr ttbr0_el1, #1")).kind == "unsupported"


def test_nzcv_is_the_flags():
    ctx, op = run1("mrs x1, nzcv", nzcv=0b1010)
    assert ctx.regs[1] == Bits(0b1010 << 28, 64) and ctx.sysreg_writes == []
    ctx, _ = run1("msr nzcv, x1", regs={1: 0xFFFF_FFFF_5FFF_FFFF})
    assert ctx.nzcv == Bits(0b0101, 4) and ctx.sysreg_writes == []


# --------------------------------------------------------------------------- hints, events

@pytest.mark.parametrize("text", ["nop", "yield", "bti", "bti c", "bti j", "bti jc",
                                  "hint #22", "hint #34", "hint #127", "esb", "csdb",
                                  "paciasp", "autiasp", "xpaclri", "hint #25", "dgh",
                                  "psb csync", "tsb csync", "clearbhb"])
def test_nop_hints(text):
    ctx, op = run1(text)
    assert op.kind == "nop" and ctx.effects == [] and ctx.regs == MiniCtx().regs


@pytest.mark.parametrize("text,kind", [("wfe", "wfe"), ("wfi", "wfi"), ("sev", "sev"),
                                       ("sevl", "sevl"), ("hint #2", "wfe"),
                                       ("hint #3", "wfi"), ("hint #4", "sev"),
                                       ("hint #5", "sevl")])
def test_events(text, kind):
    assert effects(text) == [Event(kind)]


@pytest.mark.parametrize("text,kind,imm", [("svc #0", "svc", 0), ("hvc #0x12", "hvc", 0x12),
                                           ("smc #0", "smc", 0), ("brk #0x800", "brk", 0x800),
                                           ("hlt #1", "hlt", 1), ("udf #3", "udf", 3),
                                           ("eret", "eret", 0)])
def test_exceptions(text, kind, imm):
    assert effects(text) == [Exception_(kind, imm)]


def test_unknown_mnemonic_is_unsupported_not_nop():
    for text in ("fmov d0, x1", "casp x0, x1, x2, x3, [x4]", "ldxp x0, x1, [x2]", "retaa",
                 "add x0, xzr, #1", "mov sp, xzr", "ldtr x0, [x1]"):
        try:
            ins = parse(text)
        except Exception:
            continue
        op = decode(ins)
        assert op.kind == "unsupported", text
        ctx = MiniCtx()
        op.run(ctx)
        assert len(ctx.effects) == 1 and isinstance(ctx.effects[0], Unsupported)


# --------------------------------------------------------------------------- vs GNU as

AS = "aarch64-linux-gnu-as"
OBJDUMP = "aarch64-linux-gnu-objdump"


#: names in our table that binutils 2.40 does not know yet (checked by hand against
#: the Arm ARM system register index instead)
NEWER_THAN_GAS = {"id_aa64mmfr3_el1", "pir_el1", "pire0_el1", "tcr2_el1"}


def assemble_words(lines, *, allow_unknown=()):
    """The instruction words GNU as gives for each line (None for a line naming a
    register in `allow_unknown` that this assembler does not know)."""
    import os
    import re
    import tempfile
    if shutil.which(AS) is None or shutil.which(OBJDUMP) is None:
        pytest.fail("binutils-aarch64-linux-gnu is required (aarch64-linux-gnu-as/objdump)")
    d = tempfile.mkdtemp()
    try:
        src, obj = os.path.join(d, "t.s"), os.path.join(d, "t.o")
        keep = list(range(len(lines)))
        for _ in range(2):
            with open(src, "w") as f:
                f.write("\n".join(lines[i] for i in keep) + "\n")
            r = subprocess.run([AS, "-march=armv8.7-a+sve+sme+memtag", src, "-o", obj],
                               capture_output=True, text=True)
            if r.returncode == 0:
                break
            bad = {int(m.group(1)) - 1 for m in re.finditer(r"t\.s:(\d+): Error", r.stderr)}
            for j in bad:
                assert any(n in lines[keep[j]] for n in allow_unknown), r.stderr
            keep = [i for j, i in enumerate(keep) if j not in bad]
        assert r.returncode == 0, r.stderr
        out = subprocess.run([OBJDUMP, "-d", obj], capture_output=True, text=True,
                             check=True).stdout
        words = []
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[0].strip().endswith(":"):
                words.append(int(parts[1].strip(), 16))
        assert len(words) == len(keep)
        res = [None] * len(lines)
        for i, w in zip(keep, words):
            res[i] = w
        return res
    finally:
        shutil.rmtree(d, ignore_errors=True)


SYSTEM_LINES = (
    [f"tlbi {r[0]}, x3" if r[5] else f"tlbi {r[0]}" for r in TLBI_TABLE]
    + [f"{k} {b[0]}" for k in ("dmb", "dsb") for b in BARRIERS]
    + ["isb", "clrex", "sb", "ssbb", "pssbb"]
    + [f"dc {op}, x5" for op in DC_OPS] + ["dc zva, x5"]
    + ["ic iallu", "ic ialluis", "ic ivau, x2"]
    + ["nop", "yield", "wfe", "wfi", "sev", "sevl", "bti j", "hint #22"]
    + ["msr daifset, #0xf", "msr daifclr, #2", "msr spsel, #1", "msr pan, #1"]
    + ["svc #1", "hvc #0", "smc #0", "brk #5", "eret"]
    + ["mrs x1, nzcv", "msr nzcv, x2"]
    + [f"msr {n}, x6" for n in sorted(SR.SYSREGS)
       if n not in SR.READ_ONLY and n not in ("nzcv",)]
    + [f"mrs x7, {n}" for n in sorted(SR.SYSREGS) if n not in SR.WRITE_ONLY and n != "nzcv"]
)


def test_inst_words_decode_like_their_text():
    """`.inst <word>` with the word GNU as assembles gives the effect of the text."""
    words = assemble_words(SYSTEM_LINES, allow_unknown=NEWER_THAN_GAS)
    regs = {2: 0x40, 3: XT, 5: 0x1234_5678, 6: 0x3C0}
    sysregs = {"dczid_el0": 4, "daif": 0x140}
    for line, word in zip(SYSTEM_LINES, words):
        if word is None:
            continue
        a = run1(line, regs=regs, sysregs=sysregs, nzcv=5)[0]
        b = run1(f".inst {word:#010x}", regs=regs, sysregs=sysregs, nzcv=5)[0]
        assert a.effects == b.effects, line
        assert a.sysreg_writes == b.sysreg_writes, line
        assert a.regs == b.regs and a.nzcv == b.nzcv, line
        assert not any(isinstance(e, Unsupported) for e in a.effects), line


def test_sysreg_encodings_match_gnu_as():
    names = sorted(n for n in SR.SYSREGS if n not in SR.WRITE_ONLY)
    words = assemble_words([f"mrs x0, {n}" for n in names], allow_unknown=NEWER_THAN_GAS)
    assert sum(w is None for w in words) <= len(NEWER_THAN_GAS)
    for n, w in zip(names, words):
        if w is None:
            continue
        enc = (2 + ((w >> 19) & 1), (w >> 16) & 7, (w >> 12) & 15, (w >> 8) & 15, (w >> 5) & 7)
        assert SR.SYSREGS[n] == enc, n


def test_at_words_are_unsupported_with_their_name():
    from bbmcheck.model.isa.system import AT_OPS
    names = sorted(AT_OPS)
    words = assemble_words([f"at {n}, x0" for n in names])
    for n, w in zip(names, words):
        (e,) = run1(f".inst {w:#010x}")[0].effects
        assert isinstance(e, Unsupported) and f"AT {n}" in e.reason


def test_inst_outside_decoded_subset_is_unsupported():
    (e,) = effects(".inst 0x8b020020")          # add x0, x1, x2: not decoded from .inst
    assert isinstance(e, Unsupported) and "0x8b020020" in e.reason
