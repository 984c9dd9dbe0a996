"""LSE atomics (model/isa/atomics.py): concrete semantics, symbolic = concrete, QEMU
agreement, and the machine's read-modify-write events (rule atomic-rmw,
amo-acquire-release) on small litmus tests whose verdicts follow from Arm's
aarch64.cat (herd7) clauses for atomics."""
from __future__ import annotations

import random

import pytest

from bbmcheck.grammar.frontend import assemble_string
from bbmcheck.grammar.litmus import parse_litmus
from bbmcheck.model.isa import decode
from bbmcheck.model.isa.atomics import CAS, LDOP, STOP, SWP
from bbmcheck.model.isa.difftest.gen import MID, SCRATCH, TestProgram
from bbmcheck.model.isa.difftest.miniasm import parse
from bbmcheck.model.runner import run
from bbmcheck.specs.litmus import run as run_litmus

from test_isa_symbolic import check_lines

M64 = (1 << 64) - 1


def prog(body: str):
    return assemble_string("\t.text\n\t.globl f\n\t.type f, %function\nf:\n" + body
                           + "\n\t.size f, .-f\n")


# ------------------------------------------------------------------ concrete

def test_every_mnemonic_decodes():
    for m in list(CAS) + list(SWP) + list(LDOP):
        w = "w" if m[-1] in "bh" else "x"
        assert decode(parse(f"{m} {w}1, {w}2, [x3]")).kind == "atomic", m
    for m in STOP:
        w = "w" if m[-1] in "bh" else "x"
        assert decode(parse(f"{m} {w}1, [x3]")).kind == "atomic", m
    assert decode(parse("casb x1, x2, [x3]")).kind == "unsupported"     # B takes W
    assert decode(parse("casp x0, x1, x2, x3, [x4]")).kind == "unsupported"


@pytest.mark.parametrize("body,regs,mem,want_regs,want_mem", [
    # CAS succeeds: memory gets Rt, Rs gets the old value
    ("cas x1, x2, [x0]", {1: 5, 2: 9}, 5, {1: 5}, 9),
    # CAS fails: no write, Rs gets the old value
    ("casal x1, x2, [x0]", {1: 4, 2: 9}, 5, {1: 5}, 5),
    # W form: 32 bits compared and written, the upper half of Ws cleared
    ("casa w1, w2, [x0]", {1: 0xFFFF_FFFF_0000_0005, 2: 9}, 0xAAAA_AAAA_0000_0005,
     {1: 5}, 0xAAAA_AAAA_0000_0009),
    ("swpal x1, x2, [x0]", {1: 7}, 3, {2: 3}, 7),
    ("swpb w1, w2, [x0]", {1: 0x1FF}, 0x1234, {2: 0x34}, 0x12FF),
    ("ldadd x1, x2, [x0]", {1: 2}, 40, {2: 40}, 42),
    ("ldclrl x1, x2, [x0]", {1: 0b0110}, 0b1111, {2: 0b1111}, 0b1001),
    ("ldeora x1, x2, [x0]", {1: 0b0110}, 0b1100, {2: 0b1100}, 0b1010),
    ("ldsetal x1, x2, [x0]", {1: 0b0110}, 0b1000, {2: 0b1000}, 0b1110),
    ("ldsmax x1, x2, [x0]", {1: 3}, M64, {2: M64}, 3),            # -1 < 3 signed
    ("ldumax x1, x2, [x0]", {1: 3}, M64, {2: M64}, M64),
    ("ldsminh w1, w2, [x0]", {1: 0x8000}, 0x0001, {2: 1}, 0x8000),   # -32768 < 1
    ("lduminh w1, w2, [x0]", {1: 0x8000}, 0x0001, {2: 1}, 1),
    ("stadd x1, [x0]", {1: 2, 2: 77}, 40, {2: 77}, 42),            # no register written
    ("stclrlb w1, [x0]", {1: 1}, 0x0303, {}, 0x0302),
])
def test_concrete(body, regs, mem, want_regs, want_mem):
    r = run(prog(body + "\n ret"), "f", regs={0: 0x2000, **regs},
            memory={0x2000: (8, mem)})
    assert r.stop == "ret"
    for n, v in want_regs.items():
        assert r.x(n) == v, (body, n, hex(r.x(n)))
    assert r.read(0x2000) == want_mem, (body, hex(r.read(0x2000)))


# ------------------------------------------------------------------ symbolic = concrete

def test_symbolic_equals_concrete():
    rnd = random.Random(8)
    lines = []
    for m in list(CAS) + list(SWP) + list(LDOP):
        w = "w" if m[-1] in "bh" or rnd.random() < 0.3 else "x"
        lines.append(f"{m} {w}1, {w}2, [x3]")
    for m in STOP:
        w = "w" if m[-1] in "bh" else "x"
        lines.append(f"{m} {w}1, [x3]")
    for line in lines:
        for _ in range(3):
            check_lines([line], rnd)
    # a CAS that compares with what the previous instruction left in memory (succeeds)
    for _ in range(10):
        check_lines(["ldr x1, [x3]", "casal x1, x2, [x3]", "ldr x5, [x3]"], rnd)
        check_lines(["ldaddal x4, x1, [x3]", "add x1, x1, x4", "cas x1, x2, [x3]"], rnd)


# ------------------------------------------------------------------ QEMU

def _qemu_programs(n: int, seed: int):
    rnd = random.Random(seed)
    mnems = list(CAS) + list(SWP) + list(LDOP) + list(STOP)
    out = []
    for i in range(n):
        lines = []
        for _ in range(4):
            m = rnd.choice(mnems)
            w = "w" if m[-1] in "bh" or rnd.random() < 0.4 else "x"
            off = rnd.choice([0, 8, 16, 24, 32])
            addr = "[x28]" if off == 0 else "[x27]"
            if off:
                lines.append(f"add x27, x28, #{off}")
            rs, rt = rnd.sample(range(0, 8), 2)
            if m.startswith("st"):
                lines.append(f"{m} {w}{rs}, {addr}")
            else:
                lines.append(f"{m} {w}{rs}, {w}{rt}, {addr}")
        scratch = bytearray(rnd.getrandbits(8) for _ in range(SCRATCH))
        regs = [rnd.getrandbits(64) if rnd.random() < 0.5 else rnd.getrandbits(8)
                for _ in range(31)]
        # some compare registers equal to memory, so that CAS succeeds
        for r in range(8):
            if rnd.random() < 0.4:
                off = rnd.choice([0, 8, 16, 24, 32])
                regs[r] = int.from_bytes(scratch[MID + off:MID + off + 8], "little")
        out.append(TestProgram(f"at{seed}p{i}", lines, regs, rnd.getrandbits(4),
                               bytes(scratch)))
    return out


def test_qemu_agrees():
    from bbmcheck.model.isa.difftest.qemu import ToolMissing, require_tools, run_batch
    try:
        require_tools()
    except ToolMissing as e:
        pytest.skip(str(e))
    res = run_batch(_qemu_programs(300, 8))
    assert not res.mismatches, [(m.program.lines, m.diffs) for m in res.mismatches[:3]]


# ------------------------------------------------------------------ on the machine
#
# Our own small litmus tests.  The expected observation of each follows from the
# clauses of Arm's model (herd7 aarch64.cat / aarch64hwreqs.cat) named with it; the
# "with ... instead" variants check that we are not stronger than those clauses.

def observe(text: str) -> str:
    res = run_litmus(parse_litmus(text, "atomics.litmus"), want_traces=False)
    assert res.status == "ok", (res.status, res.reason)
    return res.observation


# MP whose reader reads y with an atomic: an acquire read orders the later load
# ([A];po), a plain one does not.
MP_ATOMIC = """AArch64 MP+dmb.sy+{name}
{{ 0:X0=x; 0:X1=y; 1:X0=y; 1:X1=x; 1:X2=7; 1:X5=1; }}
 P0           | P1              ;
 MOV W2,#1    | {ins} ;
 STR W2,[X0]  | LDR W4,[X1]     ;
 DMB SY       |                 ;
 STR W2,[X1]  |                 ;
exists (1:X{out}=1 /\\ 1:X4=0)
"""


@pytest.mark.parametrize("ins,out,want", [
    ("SWPA W2,W3,[X0]", 3, "Never"),
    ("SWP W2,W3,[X0]", 3, "Sometimes"),
    ("SWPL W2,W3,[X0]", 3, "Sometimes"),
    ("LDADDA W2,W3,[X0]", 3, "Never"),
    ("LDADDAL W2,W3,[X0]", 3, "Never"),
    ("LDCLR W2,W3,[X0]", 3, "Sometimes"),
    # a CAS that fails (y is 0 or 1, never 7) still reads with acquire semantics
    ("CASA W2,W3,[X0]", 2, "Never"),
    ("CASAL W2,W3,[X0]", 2, "Never"),
    ("CAS W2,W3,[X0]", 2, "Sometimes"),
    ("CASL W2,W3,[X0]", 2, "Sometimes"),
])
def test_mp_acquire(ins, out, want):
    name = ins.split()[0].lower()
    assert observe(MP_ATOMIC.format(name=name, ins=ins.ljust(15), out=out)) == want


# The value of an atomic whose destination is the zero register is not returned: its
# read is herd's NoRet, which has no acquire semantics and is not ordered by DMB LD
# ([Exp & (R \ NoRet)];po;[dmb.ld]).  The final value of y tells what it read.
MP_NORET = """AArch64 MP+rel+{name}-dmb.ld
{{ int64_t y=0; 0:X0=x; 0:X1=y; 1:X0=y; 1:X1=x; 1:X2=2; }}
 P0           | P1              ;
 MOV W2,#1    | {ins} ;
 STR W2,[X0]  | {bar} ;
 MOV X3,#1    | LDR W4,[X1]     ;
 STLR X3,[X1] |                 ;
exists ([y]=3 /\\ 1:X4=0)
"""


@pytest.mark.parametrize("ins,bar,want", [
    ("LDADD X2,X3,[X0]", "DMB LD", "Never"),
    ("STADD X2,[X0]", "DMB LD", "Sometimes"),
    ("LDADD X2,XZR,[X0]", "DMB LD", "Sometimes"),
    ("STADD X2,[X0]", "DMB SY", "Never"),
    ("LDADDA X2,XZR,[X0]", "NOP", "Sometimes"),     # no acquire without a destination
    ("LDADDA X2,X3,[X0]", "NOP", "Never"),
])
def test_noret(ins, bar, want):
    name = ins.split()[0].lower()
    assert observe(MP_NORET.format(name=name, ins=ins.ljust(15), bar=bar.ljust(15))) == want


# Store buffering: SWPAL (acquire read, release write) is a full barrier for what
# follows it ([range([A];amo;[L])];po); without a register for the old value its read
# is not an acquire, and the outcome is allowed.
SB_SWP = """AArch64 SB+{name}
{{ 0:X0=x; 0:X1=y; 0:X2=1; 1:X0=y; 1:X1=x; 1:X2=1; }}
 P0                 | P1                 ;
 {ins} | {ins} ;
 LDR W4,[X1]        | LDR W4,[X1]        ;
exists (0:X4=0 /\\ 1:X4=0)
"""


@pytest.mark.parametrize("ins,want", [
    ("SWPAL W2,W3,[X0]", "Never"),
    ("SWPAL W2,WZR,[X0]", "Sometimes"),
    ("SWPL W2,W3,[X0]", "Sometimes"),
    ("SWPA W2,W3,[X0]", "Sometimes"),
    ("LDSETAL W2,W3,[X0]", "Never"),
    ("STSETL W2,[X0]", "Sometimes"),
])
def test_sb_full_barrier(ins, want):
    name = ins.split()[0].lower()
    assert observe(SB_SWP.format(name=name, ins=ins.ljust(18))) == want


# A store-release before a load-acquire (RCsc) is ordered ([L];po;[A]); before an
# RCpc load-acquire (LDAPR, herd's Q) it is not.
SB_REL_ACQ = """AArch64 SB+rel+{name}
{{ 0:X0=x; 0:X1=y; 0:X2=1; 1:X0=y; 1:X1=x; 1:X2=1; }}
 P0            | P1            ;
 {w} | {w} ;
 {r} | {r} ;
exists (0:X4=0 /\\ 1:X4=0)
"""


@pytest.mark.parametrize("w,r,want", [
    ("STLR W2,[X0]", "LDAR W4,[X1]", "Never"),
    ("STLR W2,[X0]", "LDAPR W4,[X1]", "Sometimes"),
    ("SWPL W2,W3,[X0]", "LDAR W4,[X1]", "Never"),
    ("SWPL W2,W3,[X0]", "LDAPR W4,[X1]", "Sometimes"),
    ("STR W2,[X0]", "LDAR W4,[X1]", "Sometimes"),
])
def test_release_then_acquire(w, r, want):
    assert observe(SB_REL_ACQ.format(name=r.split()[0].lower(), w=w.ljust(13),
                                     r=r.ljust(13))) == want


# The read of an atomic is ordered before a later acquire read of the same location
# that reads its write ([M];rmw;lmrs;[A|Q]): MP through the RMW and an LDAPR.
MP_RMW_LRS = """AArch64 MP+dmb.sy+rmw-lrs-{name}
{{ 0:X0=x; 0:X1=y; 1:X0=y; 1:X1=x; 1:X2=2; }}
 P0           | P1               ;
 MOV W2,#1    | SWP W2,W3,[X0]   ;
 STR W2,[X0]  | {r} ;
 DMB SY       | LDR W4,[X1]      ;
 STR W2,[X1]  |                  ;
exists (1:X3=1 /\\ 1:X4=0)
"""


@pytest.mark.parametrize("r,want", [("LDAPR W5,[X0]", "Never"), ("LDAR W5,[X0]", "Never"),
                                    ("LDR W5,[X0]", "Sometimes")])
def test_rmw_then_acquire_read_of_its_write(r, want):
    assert observe(MP_RMW_LRS.format(name=r.split()[0].lower(), r=r.ljust(16))) == want


def test_rmw_atomicity_and_results():
    two = """AArch64 T
{ int64_t x=0; 0:X1=x; 0:X2=1; 1:X1=x; 1:X2=2; }
 P0                | P1                ;
 LDADD X2,X3,[X1]  | SWP X2,X3,[X1]    ;
forall ((0:X3=0 /\\ 1:X3=1 /\\ [x]=2) \\/ (0:X3=2 /\\ 1:X3=0 /\\ [x]=3))
"""
    assert observe(two) == "Always"
    # a CAS that fails performs no write that changes memory
    cas = """AArch64 C
{ int64_t x=3; 0:X1=x; 0:X2=4; 0:X6=5; }
 P0                 ;
 CASAL X2,X6,[X1]   ;
forall (0:X2=3 /\\ [x]=3)
"""
    assert observe(cas) == "Always"
    assert observe(cas.replace("0:X2=4", "0:X2=3").replace("[x]=3", "[x]=5")) == "Always"


def test_atomics_need_write_permission():
    """An atomic through a db:0 (read-only) page takes a Permission fault, a CAS that
    fails too (herd7 checks every atomic as a write), and its registers are left as
    they were."""
    ro = """AArch64 RO
{ int64_t x=3; [PTE(x)]=(oa:PA(x), db:0); 0:X1=x; 0:X2=9; 0:X6=5; }
 P0                 ;
 %s ;
forall (fault(P0,x,MMU:Permission) /\\ 0:X2=9 /\\ [x]=3)
"""
    for ins in ("SWP X6,X2,[X1]  ", "LDADD X6,X2,[X1]", "CAS X2,X6,[X1]  ", "STCLR X6,[X1]   "):
        assert observe(ro % ins) == "Always", ins
    # with TTHM=HD and dbm:1 the walker sets the dirty state instead (db:1): no fault
    hd = ro.replace("AArch64 RO\n", "AArch64 RO\nTTHM=HD\n").replace("db:0", "db:0, dbm:1")
    ok = hd.replace("fault(P0,x,MMU:Permission) /\\ 0:X2=9 /\\ [x]=3",
                    "~fault(P0,x) /\\ 0:X2=3 /\\ [x]=5 /\\ [PTE(x)]=(oa:PA(x), dbm:1)")
    assert observe(ok % "SWP X6,X2,[X1]  ") == "Always"
    # a CAS that fails (9 is not 3) is checked as a write too; when it writes nothing
    # the update may or may not set the dirty state (herd7: either)
    cas = hd.replace("fault(P0,x,MMU:Permission) /\\ 0:X2=9 /\\ [x]=3",
                     "~fault(P0,x) /\\ 0:X2=3 /\\ [x]=3 /\\ [PTE(x)]=(oa:PA(x), dbm:1)")
    assert observe(cas % "CAS X2,X6,[X1]  ") == "Sometimes"
    clean = cas.replace("[PTE(x)]=(oa:PA(x), dbm:1))", "[PTE(x)]=(oa:PA(x), db:0, dbm:1))")
    assert clean != cas
    assert observe(clean % "CAS X2,X6,[X1]  ") == "Sometimes"
