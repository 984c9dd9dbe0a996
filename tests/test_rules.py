"""Ablation tests: every architecture rule of the model matters.

For each rule in `model/vmsa/rules.py` (RULES) there is a small program whose
answer depends on it: with every rule, a litmus outcome is unreachable (or a spec
is PROVED); with `Options(disabled_rules={rule})` the outcome becomes reachable (or
the spec is REFUTED).  The programs are our own: litmus texts written out below
(herd7's AArch64 format, run through the litmus mapping of specs/litmus.py) and
small routines with specs under examples/rules/.

docs/model.md documents every rule and names the test here that fails without it;
`test_docs_document_every_rule` keeps the two in step.
"""
from __future__ import annotations

import os
import re

import pytest
import z3

from bbmcheck.grammar import litmus as L
from bbmcheck.model import values as V
from bbmcheck.model.checker import Checker, Options
from bbmcheck.model.encode import And
from bbmcheck.model.vmsa import rules as R
from bbmcheck.specs import litmus as SL
from bbmcheck.specs.spec import load_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULE_EXAMPLES = os.path.join(ROOT, "examples", "rules")
MODEL_MD = os.path.join(ROOT, "docs", "model.md")


# ============================================================== helpers

def litmus_outcome(text: str, disabled=(), variants=()) -> str:
    """'reachable' / 'unreachable': can the test's `exists` condition hold in an
    execution where every thread ends, with the rules in `disabled` switched off?"""
    test = L.parse_litmus(text, "rule.litmus")
    lit = SL.build(test, variants=variants)
    ch = Checker(lit.scenario, Options(disabled_rules=frozenset(disabled)))
    ans, why = ch.reachable(
        lambda enc, fin: SL._CondBuilder(lit, enc, fin).prop(test.condition.prop))
    # the litmus path refuses these; a test that hit them would prove nothing
    assert not ch.enc.mixed, "mixed-size accesses: the answer would not mean anything"
    assert ans in ("reachable", "unreachable"), (ans, why)
    return ans


def spec_verdict(name: str, disabled=()):
    """The verdict of examples/rules/<name>.bbm.toml for the properties it names."""
    scen = load_spec(os.path.join(RULE_EXAMPLES, f"{name}.bbm.toml"))
    opts = Options(props=tuple(scen.properties), disabled_rules=frozenset(disabled))
    return Checker(scen, opts).run()


def spec_reachable(name: str, outcome, disabled=()) -> str:
    scen = load_spec(os.path.join(RULE_EXAMPLES, f"{name}.bbm.toml"))
    ch = Checker(scen, Options(disabled_rules=frozenset(disabled)))
    ans, why = ch.reachable(outcome)
    assert not ch.enc.mixed
    assert ans in ("reachable", "unreachable"), (ans, why)
    return ans


# ============================================================== the programs

# Load buffering with a DSB SY between each thread's load and store: forbidden.
# Needs program order (the DSB sits between them in time) and stores not being
# visible before they are issued.
LB_DSBS = """AArch64 LB+dsbs
{ 0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y; }
 P0           | P1           ;
 LDR W0,[X1]  | LDR W0,[X3]  ;
 DSB SY       | DSB SY       ;
 MOV W2,#1    | MOV W2,#1    ;
 STR W2,[X3]  | STR W2,[X1]  ;
exists (0:X0=1 /\\ 1:X0=1)
"""

# A load through an unmapped VA faults; the store after it never happens.
FAULT_STOPS = """AArch64 Fault-then-store
{ [PTE(x)]=(oa:PA(x), valid:0); 0:X1=x; 0:X3=y; }
 P0           ;
L0:           ;
 LDR W0,[X1]  ;
 MOV W2,#1    ;
 STR W2,[X3]  ;
exists (fault(P0:L0,x,MMU:Translation) /\\ y=1)
"""

# CoWW: the later of two stores of one CPU to x is the final value.
COWW = """AArch64 CoWW
{ 0:X1=x; }
 P0           ;
 MOV W2,#1    ;
 STR W2,[X1]  ;
 MOV W2,#2    ;
 STR W2,[X1]  ;
exists (x=1)
"""

# CoRR: two loads of x on one CPU do not read the new value, then the old one.
CORR = """AArch64 CoRR
{ 0:X1=x; 1:X1=x; }
 P0           | P1          ;
 MOV W2,#1    | LDR W0,[X1] ;
 STR W2,[X1]  | LDR W2,[X1] ;
exists (1:X0=1 /\\ 1:X2=0)
"""

# invalid -> valid, DSB NSHST, ISB, load: no translation fault (Arm: Never).
MAKE_DSB_ISB = """AArch64 Make+dsb.nshst+isb
{ [PTE(x)]=(oa:PA(x), valid:0); pteval_t 0:X1=(oa:PA(x)); 0:X0=PTE(x); 0:X2=x; }
 P0          ;
 STR X1,[X0] ;
 DSB NSHST   ;
 ISB         ;
L0:          ;
 LDR W3,[X2] ;
exists (fault(P0:L0,x,MMU:Translation))
"""


def mp(writer: str, reader: str, name: str) -> str:
    """Message passing: P0 writes x=1 then y=1 (`writer`, one instruction per line),
    P1 reads y into W0 then x into W2 (`reader`) -- can P1 see y=1 and x=0?"""
    w, rd = writer.split("\n"), reader.split("\n")
    n = max(len(w), len(rd))
    w += [""] * (n - len(w))
    rd += [""] * (n - len(rd))
    rows = "\n".join(f" {a:<16}| {b:<16};" for a, b in zip(w, rd))
    return (f"AArch64 {name}\n{{ 0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y; }}\n"
            f" {'P0':<16}| {'P1':<16};\n{rows}\nexists (1:X0=1 /\\ 1:X2=0)\n")


W_DMB = "MOV W2,#1\nSTR W2,[X1]\nDMB SY\nSTR W2,[X3]"
MP_DMB_DSB = mp(W_DMB, "LDR W0,[X3]\nDSB SY\nLDR W2,[X1]", "MP+dmb.sy+dsb.sy")
MP_DMBS = mp(W_DMB, "LDR W0,[X3]\nDMB SY\nLDR W2,[X1]", "MP+dmb.sys")
MP_REL_ACQ = mp("MOV W2,#1\nSTR W2,[X1]\nSTLR W2,[X3]", "LDAR W0,[X3]\nLDR W2,[X1]",
                "MP+rel+acq")
MP_CTRL_ISB = mp(W_DMB, "LDR W0,[X3]\nCBZ W0,LC00\nLC00:\nISB\nLDR W2,[X1]",
                 "MP+dmb.sy+ctrl-isb")

# Load buffering with data dependencies (the stored value depends on the load).
LB_DATAS = """AArch64 LB+datas
{ 0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y; }
 P0            | P1            ;
 LDR W0,[X1]   | LDR W0,[X3]   ;
 EOR W2,W0,W0  | EOR W2,W0,W0  ;
 ADD W2,W2,#1  | ADD W2,W2,#1  ;
 STR W2,[X3]   | STR W2,[X1]   ;
exists (0:X0=1 /\\ 1:X0=1)
"""

# P0 writes z=1, then (DMB) maps x onto z's page.  A load of P1 that translates x
# through the new descriptor reads z's page after that descriptor was written,
# so it cannot read the old z=0.
MP_PTE = """AArch64 MP+dmb.sy+pte
{ [PTE(x)]=(oa:PA(x), valid:0); pteval_t 0:X4=(oa:PA(z)); 0:X5=PTE(x); 0:X3=z; 1:X1=x; }
 P0            | P1           ;
 MOV W2,#1     | L0:          ;
 STR W2,[X3]   | LDR W0,[X1]  ;
 DMB SY        |              ;
 STR X4,[X5]   |              ;
exists (1:X0=0 /\\ ~fault(P1:L0,x))
"""

# Two store-exclusives that both read the initial value cannot both succeed.
EXCLUSIVES = """AArch64 2+ldxr-stxr
{ 0:X1=x; 1:X1=x; }
 P0              | P1              ;
 LDXR W0,[X1]    | LDXR W0,[X1]    ;
 MOV W3,#1       | MOV W3,#2       ;
 STXR W2,W3,[X1] | STXR W2,W3,[X1] ;
exists (0:X2=0 /\\ 1:X2=0 /\\ 0:X0=0 /\\ 1:X0=0)
"""

# P0 makes x valid, then (DMB) sets y; P1 reads y and, through an address
# dependency, x: having seen y=1, its walk of x sees the valid descriptor.
MP_ADDR_PTE = """AArch64 MP+dmb.sy+addr-pte
{ [PTE(x)]=(oa:PA(x), valid:0); pteval_t 0:X4=(oa:PA(x)); 0:X5=PTE(x); 0:X3=y;
  1:X1=x; 1:X3=y; }
 P0            | P1                ;
 STR X4,[X5]   | LDR W0,[X3]       ;
 DMB SY        | EOR X6,X0,X0      ;
 MOV W2,#1     | L0:               ;
 STR W2,[X3]   | LDR W2,[X1,X6]    ;
exists (1:X0=1 /\\ fault(P1:L0,x))
"""

# FEAT_ETS2: str pte (make); ldr through it, nothing between: no fault
# (Arm's ETS2.CoWR0+posptev1p-fripptev1 is Forbidden).
ETS2_STR_LDR = """AArch64 Make+po-ets2
Variant=vmsa,ets2
{ [PTE(x)]=(oa:PA(x), valid:0); pteval_t 0:X1=(oa:PA(x)); 0:X0=PTE(x); 0:X2=x; }
 P0          ;
 STR X1,[X0] ;
L0:          ;
 LDR W3,[X2] ;
exists (fault(P0:L0,x,MMU:Translation))
"""

# A full live remap of x from PA(y) to PA(x), with an ISB before the load: the
# load sees neither a fault nor the old page.
REMAP = """AArch64 Remap-full
{
 [PTE(x)]=(oa:PA(y));
 pteval_t 0:X1=(oa:PA(x)); pteval_t 0:X5=(oa:PA(y), valid:0); 0:X0=PTE(x);
 0:X2=x;
 [x]=1; [y]=2;
}
 P0              ;
 STR X5,[X0]     ;
 DSB ISHST       ;
 LSR X4,X2,#12   ;
 TLBI VAAE1IS,X4 ;
 DSB ISH         ;
 STR X1,[X0]     ;
 DSB ISHST       ;
 ISB             ;
L0:              ;
 LDR W3,[X2]     ;
exists (fault(P0:L0,x,MMU:Translation) \\/ 0:X3=2)
"""

# The same without the ISB, under FEAT_ETS2: the DSBs alone order the TLBI and
# the make before the load's walk.
REMAP_NO_ISB = REMAP.replace("Remap-full", "Remap-no-isb").replace(
    " ISB             ;\n", "").replace("{\n", "Variant=vmsa,ets2\n{\n", 1)

# P0 unmaps x (its PTE) with a complete broadcast TLBI, then writes 1 to x's page
# through an alias y.  P1's load of x, if it used the old translation, was
# performed before P0's DSB completed: it cannot read 1.
TLBI_WAITS = """AArch64 Unmap+alias-store
{
 [PTE(x)]=(oa:PA(x)); [PTE(y)]=(oa:PA(x));
 pteval_t 0:X5=(oa:PA(x), valid:0); 0:X0=PTE(x); 0:X2=x; 0:X3=y; 1:X1=x;
}
 P0              | P1          ;
 STR X5,[X0]     | L0:         ;
 DSB ISH         | LDR W0,[X1] ;
 LSR X4,X2,#12   |             ;
 TLBI VAAE1IS,X4 |             ;
 DSB ISH         |             ;
 MOV W6,#1       |             ;
 STR W6,[X3]     |             ;
exists (1:X0=1)
"""

# P0 makes x valid, completes a broadcast TLBI of x, then sets a flag; P1 sees the
# flag and, after a DMB LD, reads x.  P1's walk may run ahead of the DMB and read the
# old invalid descriptor, but the fault itself is ordered after the DMB, and a fault on
# a descriptor read before the TLBI was performed is taken before P0's DSB completes:
# P1 cannot both see the flag and fault.
FAULT_AFTER_DMB = """AArch64 Make-shoot+dmb.ld-fault
{
 [PTE(x)]=(oa:PA(x), valid:0);
 pteval_t 0:X5=(oa:PA(x)); 0:X0=PTE(x); 0:X2=x; 0:X3=f; 1:X1=x; 1:X3=f;
}
 P0              | P1          ;
 STR X5,[X0]     | LDR W0,[X3] ;
 DSB ISH         | DMB LD      ;
 LSR X4,X2,#12   | L0:         ;
 TLBI VAAE1IS,X4 | LDR W2,[X1] ;
 DSB ISH         |             ;
 MOV W6,#1       |             ;
 STR W6,[X3]     |             ;
exists (1:X0=1 /\\ fault(P1:L0,x))
"""

# P0 moves x from PA(x) (holding 0) to PA(y) (holding 1) with a full break, broadcast
# TLBI and make; P1 reads x twice.  Having read 1 through the new translation, P1's
# second read cannot use a translation read before the TLBI (it would read 0).
SAME_VA_WALKS = """AArch64 Move+corr-translations
{
 [PTE(x)]=(oa:PA(x)); [y]=1;
 pteval_t 0:X5=(oa:PA(x), valid:0); pteval_t 0:X6=(oa:PA(y));
 0:X0=PTE(x); 0:X2=x; 1:X1=x;
}
 P0              | P1          ;
 STR X5,[X0]     | LDR W2,[X1] ;
 DSB ISH         | L1:         ;
 LSR X4,X2,#12   | LDR W3,[X1] ;
 TLBI VAAE1IS,X4 |             ;
 DSB ISH         |             ;
 STR X6,[X0]     |             ;
exists (1:X2=1 /\\ 1:X3=0 /\\ ~fault(P1:L1,x))
"""

# P0 makes x valid and reads x through it (its own walker reads its own store), then
# sets a flag through an address dependency on that read; P1 sees the flag, DMB LD,
# reads x's descriptor: it cannot still be the invalid one.
WALK_READS_GLOBAL = """AArch64 Make-own-walk-addr+dmb.ld
{
 [PTE(x)]=(oa:PA(x), valid:0); [x]=3;
 pteval_t 0:X5=(oa:PA(x)); 0:X0=PTE(x); 0:X1=x; 0:X3=f;
 1:X0=PTE(x); 1:X3=f;
}
 P0                 | P1          ;
 STR X5,[X0]        | LDR W4,[X3] ;
 LDR W2,[X1]        | DMB LD      ;
 EOR W6,W2,W2       | LDR X7,[X0] ;
 MOV W8,#1          |             ;
 STR W8,[X3,W6,SXTW] |            ;
exists (~fault(P0,x) /\\ 1:X4=1 /\\ 1:X7=(oa:PA(x), valid:0))
"""

# rule -> (litmus text, variants): with the rule the outcome is unreachable,
# without it reachable.
# Two LDADDs of 1 to x, on two CPUs: both cannot read 0 (single-copy atomicity of the
# read-modify-write: no write between the write its read reads and its own write).
TWO_LDADDS = """AArch64 LDADD+LDADD
{ int64_t x=0; 0:X1=x; 0:X2=1; 1:X1=x; 1:X2=1; }
 P0                | P1                ;
 LDADD X2,X3,[X1]  | LDADD X2,X3,[X1]  ;
exists (0:X3=0 /\\ 1:X3=0)
"""

# Store buffering through SWPAL: the write of an atomic whose read is an acquire and
# whose write is a release is ordered before every later access (herd7 bob:
# [range([A];amo;[L])];po): both later loads cannot read 0.
SB_SWPALS = """AArch64 SB+swpals
{ 0:X0=x; 0:X1=y; 0:X2=1; 1:X0=y; 1:X1=x; 1:X2=1; }
 P0                 | P1                 ;
 SWPAL W2,W3,[X0]   | SWPAL W2,W3,[X0]   ;
 LDR W4,[X1]        | LDR W4,[X1]        ;
exists (0:X4=0 /\\ 1:X4=0)
"""

# CoRW: P0 reads x and then writes x=1; if P1's x=2 is the final value (coherence
# after P0's store), P0's load cannot have read it (herd7 lmws: a load is ordered
# before a po-later store to its location).
CORW = """AArch64 CoRW+W
{ 0:X0=x; 1:X0=x; }
 P0           | P1          ;
 LDR W1,[X0]  | MOV W2,#2   ;
 MOV W2,#1    | STR W2,[X0] ;
 STR W2,[X0]  |             ;
exists (0:X1=2 /\\ x=2)
"""

# Hardware AF update (TTHM=HA on P0) racing with an unmap: P0's walk reads x's
# descriptor with AF = 0 and sets AF atomically; P1 makes the descriptor invalid.
# The update cannot land after P1's store, so the final descriptor is never the old
# one with AF = 1.
HA_UPDATE_UNMAP = """AArch64 HA-load+unmap
TTHM=P0:HA
{ [PTE(x)]=(oa:PA(x), af:0); pteval_t 1:X1=(oa:PA(x), valid:0); 1:X0=PTE(x); 0:X2=x; }
 P0          | P1          ;
 LDR W3,[X2] | STR X1,[X0] ;
exists ([PTE(x)]=(oa:PA(x), af:1))
"""

# The AF update of P0's load is ordered before P0's store after a DSB SY (herd7
# DSB-ob: [M];po;[dsb.full]): P1 sees the flag, DMB LD, reads the descriptor: it
# cannot still have AF = 0 (a spurious update read by P0's walk is ordered the same
# way, through that walk read).
HA_UPDATE_DSB = """AArch64 HA-load+dsb-MP
TTHM=P0:HA
{ [PTE(x)]=(oa:PA(x), af:0); 0:X2=x; 0:X4=y; 1:X0=PTE(x); 1:X4=y; }
 P0          | P1          ;
 LDR W3,[X2] | LDR W5,[X4] ;
 DSB SY      | DMB LD      ;
 MOV W6,#1   | LDR X7,[X0] ;
 STR W6,[X4] |             ;
exists (1:X5=1 /\\ 1:X7=(oa:PA(x), af:0))
"""

# A spurious AF update (a walk of no access) follows the write of a valid AF = 0
# descriptor -- here the initial one -- atomically: it cannot land after P0's unmap.
HA_SPURIOUS_UNMAP = """AArch64 HA-spurious+unmap
TTHM=HA
{ [PTE(x)]=(oa:PA(x), af:0); pteval_t 0:X1=(oa:PA(x), valid:0); 0:X0=PTE(x); }
 P0          ;
 STR X1,[X0] ;
exists ([PTE(x)]=(oa:PA(x), af:1))
"""

# Faults handled by executing the instruction again (Variant=imprecise, herd's
# `handled`).  P0 stores to x through a read-only page (db:0) while P1 makes the page
# writable: a first attempt that faults is retried, and an execution in which the
# retry faults too is discarded, so x is 1 whenever P0 faulted.
RETRY_RO = """AArch64 Retry+ro
Variant=imprecise
{ [PTE(x)]=(oa:PA(x), db:0); pteval_t 1:X0=(oa:PA(x)); 1:X1=PTE(x); 0:X1=x; }
 P0           | P1           ;
 MOV W2,#1    | STR X0,[X1]  ;
 STR W2,[X1]  |              ;
exists (fault(P0,x) /\\ x=0)
"""

# Exception entry is context synchronizing.  P1 remaps y (to z's page) with a complete
# broadcast TLBI, then breaks x and makes it again.  P0's load of x faults on the
# break, so that walk comes after the TLBI was performed; the fault's exception entry
# orders the translation of P0's next load (of y) after it, so that load cannot use
# y's old mapping.
RETRY_SYNC = """AArch64 Retry+sync
Variant=imprecise
{ int y=1; int z=2; pteval_t 1:X0=(oa:PA(z)); 1:X1=PTE(y); 1:X2=y;
  pteval_t 1:X3=(oa:PA(x), valid:0); 1:X4=PTE(x); pteval_t 1:X5=(oa:PA(x));
  0:X1=x; 0:X3=y; }
 P0           | P1               ;
 LDR W0,[X1]  | STR X0,[X1]      ;
 LDR W2,[X3]  | DSB ISH          ;
              | LSR X9,X2,#12    ;
              | TLBI VAAE1IS,X9  ;
              | DSB ISH          ;
              | STR X3,[X4]      ;
              | DSB ISH          ;
              | STR X5,[X4]      ;
exists (fault(P0,x) /\\ 0:X2=1)
"""

LITMUS_ABLATIONS = {
    "coherence-read-write": (CORW, ()),
    "hw-af-update": (HA_UPDATE_UNMAP, ()),
    "hw-af-ordered": (HA_UPDATE_DSB, ()),
    "hw-af-spurious": (HA_SPURIOUS_UNMAP, ()),
    "retry-must-not-fault": (RETRY_RO, ()),
    "exception-entry-syncs": (RETRY_SYNC, ()),
    "atomic-rmw": (TWO_LDADDS, ()),
    "amo-acquire-release": (SB_SWPALS, ()),
    "po-time": (LB_DSBS, ()),
    "store-visibility": (LB_DSBS, ()),
    "fault-stops-cpu": (FAULT_STOPS, ()),
    "coherence": (COWW, ()),
    "coherence-read-read": (CORR, ()),
    "dsb-completes-stores": (MAKE_DSB_ISB, ()),
    "dsb-completes-loads": (MP_DMB_DSB, ()),
    "dmb-orders": (MP_DMBS, ()),
    "acquire-release": (MP_REL_ACQ, ()),
    "dependencies": (LB_DATAS, ()),
    "isb-orders": (MP_CTRL_ISB, ()),
    "load-after-issue": (MP_PTE, ()),
    "exclusive-atomic": (EXCLUSIVES, ()),
    "walks-run-ahead": (MAKE_DSB_ISB, ()),
    "addr-dep-orders-walks": (MP_ADDR_PTE, ()),
    "ets2-dsb-orders-walks": (REMAP_NO_ISB, ()),
    "tlb-entry-lifetime": (REMAP, ()),
    "fault-walk-fresh": (MAKE_DSB_ISB, ()),
    "ets2-no-stale-fault": (ETS2_STR_LDR, ()),
    "tlbi-performed": (REMAP, ()),
    "dsb-completes-tlbi": (REMAP, ()),
    "tlbi-waits-for-users": (TLBI_WAITS, ()),
    "fault-ordered": (FAULT_AFTER_DMB, ()),
    "tlbi-orders-same-va-walks": (SAME_VA_WALKS, ()),
    "walks-read-global": (WALK_READS_GLOBAL, ()),
}


def _flag_seen_no_fault(enc, fin):
    """msr_spec: CPU 1 read the flag as 1 and did not fault."""
    return And(V.eq(fin.reg(1, 0), V.const(1, 64)), z3.Not(fin.fault(1)))


# rule -> (example name, how the answer is read, with the rule, without it)
SPEC_ABLATIONS = {
    "sysreg-in-effect": ("sysreg", "verdict", ("PROVED", None), ("REFUTED", "fault")),
    "walk-order": ("walk_order", "verdict", ("PROVED", None), ("REFUTED", "fault")),
    "fill-needs-mmu": ("mmu_on", "verdict", ("PROVED", None), ("REFUTED", "stale")),
    "msr-not-speculative": ("msr_spec", _flag_seen_no_fault, "unreachable", "reachable"),
    "fetch-translation": ("fetch", "verdict", ("PROVED", None), ("REFUTED", "fault")),
    "lookup-asid": ("asid", "verdict", ("PROVED", None), ("REFUTED", "stale")),
}


# ============================================================== the tests

def test_every_rule_has_an_ablation_test():
    """A new rule needs a program that depends on it (or a documented reason)."""
    covered = set(LITMUS_ABLATIONS) | set(SPEC_ABLATIONS)
    assert covered == set(R.RULES), (
        f"without a test: {sorted(set(R.RULES) - covered)}; "
        f"tests of unknown rules: {sorted(covered - set(R.RULES))}")


@pytest.mark.parametrize("rule", sorted(LITMUS_ABLATIONS))
def test_rule_matters_litmus(rule):
    text, variants = LITMUS_ABLATIONS[rule]
    assert litmus_outcome(text, variants=variants) == "unreachable"
    assert litmus_outcome(text, {rule}, variants=variants) == "reachable", \
        f"the outcome stays unreachable without {rule}"


@pytest.mark.parametrize("rule", sorted(SPEC_ABLATIONS))
def test_rule_matters_spec(rule):
    name, how, with_rule, without = SPEC_ABLATIONS[rule]
    if how == "verdict":
        v = spec_verdict(name)
        assert (v.status, v.prop) == with_rule, v.reason
        v = spec_verdict(name, {rule})
        assert (v.status, v.prop) == without, v.reason
        if v.status == "REFUTED":
            assert v.trace is not None
    else:
        assert spec_reachable(name, how) == with_rule
        assert spec_reachable(name, how, {rule}) == without


def test_litmus_programs_agree_with_the_shipped_litmus_path():
    """The answers above (every rule on) are what `bbmcheck litmus` says."""
    for rule, (text, variants) in sorted(LITMUS_ABLATIONS.items()):
        res = SL.run(L.parse_litmus(text, f"{rule}.litmus"), variants=variants,
                     want_traces=False)
        assert res.status == "ok", (rule, res.reason)
        assert res.observation == "Never", (rule, res.observation)


def test_ets2_rules_are_off_without_ets2():
    """The ETS2 rules only constrain a check that assumes FEAT_ETS2: the same
    programs without it reach the outcome (Arm: allowed in the base architecture)."""
    assert litmus_outcome(ETS2_STR_LDR.replace("vmsa,ets2", "vmsa")) == "reachable"
    assert litmus_outcome(REMAP_NO_ISB.replace("vmsa,ets2", "vmsa")) == "reachable"


def test_replay_rejects_an_entry_of_another_asid():
    """Without lookup-asid the context switch's second load uses process A's entry
    under ASID 2; replay, which checks the ASID of every non-global entry an access
    uses against the TTBR0 values its lookup may use, rejects that trace."""
    import json

    from bbmcheck.cli.replay import Rejected, Replay
    from bbmcheck.cli.report import verdict_json
    v = spec_verdict("asid", {"lookup-asid"})
    assert (v.status, v.prop) == ("REFUTED", "stale"), v.reason
    scen = load_spec(os.path.join(RULE_EXAMPLES, "asid.bbm.toml"))
    rep = json.loads(json.dumps(verdict_json("asid", scen, v,
                                             os.path.join(RULE_EXAMPLES, "asid.S"))))
    with pytest.raises(Rejected, match=r"non-global entry .* \(ASID 1\); at its lookup "
                                       r"the ASID is 2"):
        Replay(scen, rep["trace"]).run()


def test_msr_spec_example_proves_what_it_says():
    """msr_spec.bbm.toml as a proof: CPU 1 faults whenever it follows the flag."""
    v = spec_verdict("msr_spec")
    assert (v.status, v.prop) == ("REFUTED", "fault")


# ============================================================== features and policies

def _in_place(tmp_path, old=None, new=None, x0=None, extra=""):
    """examples/rules/in_place.bbm.toml with pte[0] / the new descriptor / CPU 0's x0
    replaced (a copy in tmp_path)."""
    src = open(os.path.join(RULE_EXAMPLES, "in_place.bbm.toml"), encoding="utf-8").read()
    src = src.replace('file = "in_place.S"',
                      f'file = "{os.path.join(RULE_EXAMPLES, "in_place.S")}"')
    if old:
        src = src.replace('0 = "page(data)"', f'0 = "{old}"')
    if new:
        src = src.replace('x1 = "page(data, ng=1)"', f'x1 = "{new}"')
    if x0:
        src = src.replace('x0 = "kva(511, 511, 511, 2)"', f'x0 = "{x0}"')
    src = src.replace('2 = "page(pte)"', '2 = "page(pte)"' + extra)
    p = tmp_path / "in_place.bbm.toml"
    p.write_text(src)
    return str(p)


def _verdict(path, features=(), props=("bbm", "conflict", "fault")):
    v = Checker(load_spec(path, features=list(features)), Options(props=props)).run()
    return v.status, v.prop


def test_ng_policy(tmp_path):
    """nG 0 -> 1 in place: a BBM violation under `strict`, not under `arm-arm`;
    nG 1 -> 0 (a global entry created): a BBM violation under both (R_WHZWS)."""
    set_ng = _in_place(tmp_path)
    assert _verdict(set_ng, props=("bbm",)) == ("REFUTED", "bbm")
    assert _verdict(set_ng, ["ng-arm-arm"], props=("bbm",)) == ("PROVED", None)
    clear_ng = _in_place(tmp_path, old="page(data, ng=1)", new="page(data)")
    assert _verdict(clear_ng) == ("REFUTED", "bbm")
    assert _verdict(clear_ng, ["ng-arm-arm"]) == ("REFUTED", "bbm")


def test_ng_arm_arm_setting_ng_in_place_is_proved(tmp_path):
    assert _verdict(_in_place(tmp_path), ["ng-arm-arm"]) == ("PROVED", None)


def test_bbm_level(tmp_path):
    """A level-2 table descriptor replaced in place by a block: a BBM violation at
    FEAT_BBM level 0; not at level 1 (but the TLB may then hold the table and the
    block entry: conflict); neither at level 2."""
    split = _in_place(tmp_path, x0="kva(511, 511, 511, 3, off=4088)",
                      new="block(0x80200000, 2)", extra='\n3 = "page(pmd)"')
    assert _verdict(split) == ("REFUTED", "bbm")
    assert _verdict(split, ["bbm1"], props=("bbm",)) == ("PROVED", None)
    assert _verdict(split, ["bbm1"]) == ("REFUTED", "conflict")
    assert _verdict(split, ["bbm2"]) == ("PROVED", None)


def test_ttl_hint(tmp_path):
    """FEAT_TTL: the full remap with a level hint in the TLBI operand.  The right hint
    (4 KiB, level 3) invalidates; a wrong one (level 2) need not (R_SQXYZ), so the old
    page stays visible; without FEAT_TTL the hint bits are ignored."""
    from bbmcheck.model.vmsa.regime import Features

    def run(hint, ttl):
        text = REMAP.replace(" TLBI VAAE1IS,X4 ;",
                             f" ORR X4,X4,#{hint << 44:#x} ;\n TLBI VAAE1IS,X4 ;")
        test = L.parse_litmus(text, "ttl.litmus")
        lit = SL.build(test)
        lit.scenario.features = Features(ttl=ttl)
        ch = Checker(lit.scenario, Options())
        ans, _ = ch.reachable(
            lambda enc, fin: SL._CondBuilder(lit, enc, fin).prop(test.condition.prop))
        return ans
    assert run(0b0111, ttl=True) == "unreachable"
    assert run(0b0110, ttl=True) == "reachable"
    assert run(0b0110, ttl=False) == "unreachable"


# ============================================================== docs/model.md

def documented_rules() -> dict[str, str]:
    """`#### rule `name`` sections of docs/model.md -> their text (up to the next
    heading)."""
    text = open(MODEL_MD, encoding="utf-8").read()
    parts = re.split(r"^#### rule `([\w-]+)`[ \t]*$", text, flags=re.M)
    return {parts[i]: re.split(r"^#", parts[i + 1], flags=re.M)[0]
            for i in range(1, len(parts) - 1, 2)}


def test_docs_document_every_rule():
    docs = documented_rules()
    assert set(docs) == set(R.RULES), (
        f"undocumented: {sorted(set(R.RULES) - set(docs))}; "
        f"documented but not in RULES: {sorted(set(docs) - set(R.RULES))}")
    by_rule = {f.rule_name: f.__name__ for f in R.ALL}
    for name, body in docs.items():
        m = re.search(r"\*\*Code:\*\*\s*`([\w./:]+)`", body)
        assert m, f"{name}: no **Code:** line"
        fn = re.split(r"::|\.", m.group(1))[-1]
        # a rule whose constraints Encoding adds itself has an empty function of its
        # name that ALL leaves out (sysreg-in-effect, lookup-asid)
        assert fn == by_rule.get(name, name.replace("-", "_")), (name, fn)
        t = re.search(r"\*\*Test:\*\*\s*`tests/test_rules.py::(\w+)\[([\w-]+)\]`", body)
        assert t, f"{name}: no **Test:** line"
        assert t.group(2) == name
        kind = "litmus" if name in LITMUS_ABLATIONS else "spec"
        assert t.group(1) == f"test_rule_matters_{kind}", (name, t.group(1))


def test_docs_list_what_the_model_omits():
    """Every item of the verdict's `omits` list appears in docs/model.md."""
    from bbmcheck.model.checker import MODEL_OMITS
    text = open(MODEL_MD, encoding="utf-8").read()
    for item in MODEL_OMITS:
        head = re.split(r"[:(]", item)[0].strip()
        assert head in text, head


# ============================================================== bugs found (model/)

def test_stale_property_sees_ttbr1_vas(tmp_path):
    """mmu_on with its VA moved to the TTBR1 range: without fill-needs-mmu the load
    uses an entry read before the remap, which the stale property must report."""
    src = open(os.path.join(RULE_EXAMPLES, "mmu_on.bbm.toml"), encoding="utf-8").read()
    src = (src.replace('file = "mmu_on.S"', f'file = "{os.path.join(RULE_EXAMPLES, "mmu_on.S")}"')
           .replace('0 = "table(pud)"', '511 = "table(pud)"')
           .replace('0 = "table(pmd)"', '511 = "table(pmd)"')
           .replace('0 = "table(pte)"', '511 = "table(pte)"')
           .replace("uva(0, 0, 0, 1)", "kva(511, 511, 511, 1)")
           .replace('ttbr0 = "pgd"', 'ttbr1 = "pgd"'))
    p = tmp_path / "mmu_on_kva.bbm.toml"
    p.write_text(src)
    scen = load_spec(str(p))
    assert scen.stale_vas == [0xFFFF_FFFF_FFE0_1000]
    v = Checker(scen, Options(props=("stale",),
                              disabled_rules=frozenset({"fill-needs-mmu"}))).run()
    assert (v.status, v.prop) == ("REFUTED", "stale")


INCREMENT = """AArch64 2+ldxr-add-stxr
{ 0:X1=x; 1:X1=x; }
 P0              | P1              ;
 LDXR W0,[X1]    | LDXR W0,[X1]    ;
 ADD W0,W0,#1    | ADD W0,W0,#1    ;
 STXR W2,W0,[X1] | STXR W2,W0,[X1] ;
exists (0:X2=0 /\\ 1:X2=0 /\\ x=1)
"""


def test_atomic_increment_is_modelled():
    res = SL.run(L.parse_litmus(INCREMENT, "inc.litmus"), want_traces=False)
    assert res.status == "ok", res.reason
    assert res.observation == "Never"


MIXED = """AArch64 mixed-size
{ 0:X1=x; 0:X0=1; 1:X1=x; }
 P0          | P1          ;
 STR W0,[X1] | LDR X2,[X1] ;
exists (1:X2=1)
"""


def test_reachable_refuses_mixed_size_scenarios():
    test = L.parse_litmus(MIXED, "mixed.litmus")
    lit = SL.build(test)
    ch = Checker(lit.scenario, Options())
    ans, _ = ch.reachable(
        lambda enc, fin: SL._CondBuilder(lit, enc, fin).prop(test.condition.prop))
    assert ch.enc.mixed                    # the encoding knows it cannot model this
    assert ans == "unsupported"
