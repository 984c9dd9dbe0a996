"""Linux's context switch, cpu_do_switch_mm (assembly in v4.14-v5.7, in the 2018
proc.S of the corpus), and the regime's TCR_EL1.A1: the ASID is TTBR1's.

The routine writes the new ASID into TTBR1, synchronizes it, then points TTBR0 at
the new tables; its caller (specs/bundled/linux-cpu-switch-mm-caller.S, our own
rendering of cpu_switch_mm) first points TTBR0 at the reserved table.  PROVED as
shipped; every edit that opens a window in which one ASID covers both processes'
tables is REFUTED `conflict`, with a fix that names the window, and fails the
postconditions too.  The edits are made at test time, from the corpus file.
"""
from __future__ import annotations

import os
import re
import pytest

from bbmcheck import specs
from bbmcheck.errors import SpecError
from bbmcheck.model.checker import Checker, Options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROC_S = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "linux", "proc.S")
V2018 = os.path.join(PROC_S, "2018-f8b7736-mmuoff-no-dmb.S")
CALLER = os.path.join(ROOT, "specs", "bundled", "linux-cpu-switch-mm-caller.S")

needs_corpus = pytest.mark.skipif(not os.path.isfile(V2018),
                                  reason=f"corpus not found at {V2018}")

# (corpus edit, caller edit, what the fix must say)
EDITS = {
    # the caller leaves TTBR0 on the previous tables: once the new ASID is in TTBR1,
    # walks of them fill entries tagged with it
    "caller-keeps-old-ttbr0": ([], [(r"^\s*msr\s+ttbr0_el1, x2\n\s*isb\n", "")],
                               ["under the new ASID", "cpu_set_reserved_ttbr0"]),
    # TTBR0 first, then the ASID: the new tables are walked under the old ASID
    "ttbr0-before-asid": ([(r"^(\s*msr\s+ttbr1_el1, x2.*\n)(\s*isb\n)(\s*msr\s+ttbr0_el1, x0.*\n)",
                            r"\3\2\1")], [],
                          ["before the write of TTBR1_EL1", "sets the new ASID 2"]),
    # no ISB between: the TTBR0 write may take effect before the ASID's
    "no-isb-between": ([(r"(msr\s+ttbr1_el1, x2.*\n)\s*isb\n", r"\1")], [],
                       ["before the new ASID 2", "took effect"]),
    # the ASID is never written: both processes share ASID 1
    "no-new-asid": ([(r"^\s*bfi\s+x2, x1.*\n", "")], [],
                    ["both under ASID 1", "their own ASID"]),
}


def scene(tmp_path, corpus_edits=(), caller_edits=(), **kw):
    """The bundled cpu_do_switch_mm check of a copy of the 2018 proc.S with the edits
    (and of the caller, copied next to it, with its own)."""
    text = open(V2018, encoding="utf-8").read()
    for pat, repl in corpus_edits:
        text, n = re.subn(pat, repl, text, flags=re.M)
        assert n, pat
    path = tmp_path / os.path.basename(V2018)
    path.write_text(text)
    if caller_edits:
        caller = open(CALLER, encoding="utf-8").read()
        for pat, repl in caller_edits:
            caller, n = re.subn(pat, repl, caller, flags=re.M)
            assert n, pat
        (tmp_path / os.path.basename(CALLER)).write_text(caller)
    [(_title, scen)] = specs.bundled_scenarios(str(path), "cpu_do_switch_mm", **kw)
    return scen


def replayed(path: str) -> None:
    """`bbmcheck prove path --entry cpu_do_switch_mm --format json`, then `bbmcheck
    replay` of its counterexample: the concrete interpreter confirms the trace."""
    import json
    from click.testing import CliRunner
    from bbmcheck.cli.main import cli
    from bbmcheck.cli.replay import replay_report
    r = CliRunner().invoke(cli, ["prove", path, "--entry", "cpu_do_switch_mm",
                                 "--format", "json", "-q"])
    [rep] = json.loads(r.output)
    assert rep["status"] == "REFUTED", rep["reason"]
    rc, out = replay_report(rep)
    assert rc == 0 and out.startswith("CONFIRMED"), out


def verdict(scen, props=None):
    return Checker(scen, Options(props=props or tuple(scen.properties))).run()


@needs_corpus
def test_cpu_do_switch_mm_proved(tmp_path):
    """As shipped, with its caller's reserved TTBR0: no conflict, the registers hold
    the new tables and ASID, and no entry of one process is usable under the other's
    ASID.  The verdict states where the ASID comes from."""
    v = verdict(scene(tmp_path))
    assert v.status == "PROVED", v.reason
    assert "ASID from TTBR1 (TCR_EL1.A1 = 1)" in v.bounds["regime"], v.bounds


@needs_corpus
def test_prove_picks_the_switch_mm_spec(tmp_path):
    """`bbmcheck prove` on the 2018 proc.S checks cpu_do_switch_mm beside kpti and
    idmap_cpu_replace_ttbr1; the newer files have no assembly switch_mm."""
    names = [t.split(":")[0] for t, _ in specs.bundled_scenarios(V2018)]
    assert "cpu_do_switch_mm" in names, names
    newest = os.path.join(PROC_S, "newest-gregkh-c02c0232-v6.13plus.S")
    names = [t.split(":")[0] for t, _ in specs.bundled_scenarios(newest)]
    assert "cpu_do_switch_mm" not in names, names


@needs_corpus
@pytest.mark.parametrize("name", sorted(EDITS))
def test_switch_mm_edit_refuted(tmp_path, name):
    corpus_edits, caller_edits, says = EDITS[name]
    scen = scene(tmp_path, corpus_edits, caller_edits)
    v = verdict(scen)
    assert (v.status, v.prop) == ("REFUTED", "conflict"), v.reason
    for s in says:
        assert s in v.trace.fix, v.trace.fix
    replayed(str(tmp_path / os.path.basename(V2018)))
    # what the routine is for fails too, without the conflict to point at it
    v = verdict(scen, ("post",))
    assert (v.status, v.prop) == ("REFUTED", "post"), v.reason


@needs_corpus
def test_switch_mm_edits_on_the_sc_oracle(tmp_path):
    """The SC oracle (tests/sc_oracle.py) agrees where sequential consistency can
    show it: the original has no violation, the edits other than the missing ISB
    (a weak behaviour) have a conflict."""
    from sc_oracle import Oracle, fullest
    for name in ("as-shipped", "caller-keeps-old-ttbr0", "ttbr0-before-asid", "no-new-asid"):
        d = tmp_path / name
        d.mkdir()
        corpus_edits, caller_edits, _ = EDITS.get(name, ([], [], []))
        scen = scene(d, corpus_edits, caller_edits)
        found, complete = Oracle(scen, fullest(scen)).run()
        assert complete, name
        assert ("conflict" in found) == (name != "as-shipped"), (name, found)


SWITCH = """
    .text
    .globl  switch
switch:
    msr     ttbr0_el1, x0
    isb
    ret
"""


def a1_spec(asm: str, a1: bool) -> str:
    return f"""
[check]
name = "TTBR0 switch, ASID from {'TTBR1' if a1 else 'TTBR0'}"
file = "{asm}"
profile = "none"
cpus = 1
bound = 10
properties = ["conflict"]

[regime]
levels = 4
va_bits = 48
entries = 1
a1 = {'true' if a1 else 'false'}

[[tree]]
name = "prev"
global = "non-global"

[[tree]]
name = "next"
global = "non-global"

[tables.kernel]
level = 0

[[cpu]]
entry = "switch"
regs = {{ x0 = "ttbr(next, asid=3)" }}
ttbr0 = "ttbr(prev, asid=2)"
ttbr1 = "ttbr(kernel, asid=1)"
"""


@pytest.mark.parametrize("a1, status", [(False, "PROVED"), (True, "REFUTED")])
def test_a1_selects_the_asid(tmp_path, a1, status):
    """One TTBR0 write from the previous tables (TTBR0.ASID 2) to the next (3), TTBR1's
    ASID 1.  With TCR_EL1.A1 = 0 the two tables are walked under ASIDs 2 and 3: two
    translation contexts, no conflict.  With A1 = 1 both are walked under TTBR1's ASID
    1: the entries of both conflict.  The SC oracle agrees on both (the fullest
    trees: every entry a table down to a page)."""
    from sc_oracle import Oracle, fullest
    from bbmcheck.specs.spec import load_spec
    asm = tmp_path / "switch.S"
    asm.write_text(SWITCH)
    spec = tmp_path / "switch.bbm.toml"
    spec.write_text(a1_spec(str(asm), a1))
    scen = load_spec(str(spec), asm_file=str(asm))
    v = verdict(scen)
    assert v.status == status, v.reason
    found, complete = Oracle(scen, fullest(scen)).run()
    assert complete and (("conflict" in found) == (status == "REFUTED")), found


@pytest.mark.parametrize("edit, message", [
    ('a1 = "yes"', "a1 must be true or false"),
    ("el = 2\na1 = true", "EL2 and EL3 have none"),
])
def test_a1_errors(tmp_path, edit, message):
    asm = tmp_path / "switch.S"
    asm.write_text(SWITCH)
    spec = tmp_path / "switch.bbm.toml"
    spec.write_text(a1_spec(str(asm), True).replace("a1 = true", edit))
    from bbmcheck.specs.spec import load_spec
    with pytest.raises(SpecError) as ei:
        load_spec(str(spec), asm_file=str(asm))
    assert message in ei.value.message and ei.value.line is not None, ei.value.render()


def test_tcr_a1_must_agree_with_the_regime(tmp_path):
    """A CPU's tcr with A1 set while the regime says a1 = false is an error: every
    walk uses the regime's (TCR writes are recorded, not applied)."""
    asm = tmp_path / "switch.S"
    asm.write_text(SWITCH)
    spec = tmp_path / "switch.bbm.toml"
    spec.write_text(a1_spec(str(asm), False) + 'tcr = "1 << 22"\n')
    from bbmcheck.specs.spec import load_spec
    with pytest.raises(SpecError) as ei:
        load_spec(str(spec), asm_file=str(asm))
    assert "A1 (bit 22) = 1" in ei.value.message, ei.value.render()
    assert "tcr =" in open(spec).read().splitlines()[ei.value.line - 1]
