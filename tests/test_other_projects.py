"""Issue 7, stage 2: the bundled specs of routines beyond proc.S, and their verdicts.

Every version the corpus labels BUGGY is REFUTED with the property its project's
fix is about; every fixed or newest version is PROVED.  Each check uses the bundled
spec exactly as `bbmcheck prove FILE` picks it (the profile guessed from the file,
the spec matched by routine); docs/findings.md ("Other projects") has the table.
Some edits of the fixed versions, generated at test time, show that the specs
depend on the instructions that make the routines correct.

Reads the corpus in place (../shared/corpus/other); skips, saying so, where it is
absent.
"""
from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner

from bbmcheck import specs
from bbmcheck.errors import SpecError
from bbmcheck.model.checker import Checker, Options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OTHER = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "other")

pytestmark = pytest.mark.skipif(not os.path.isdir(OTHER),
                                reason=f"corpus not found at {OTHER}")

XEN_BUGGY = "xen/arm64-head--1c78d76b67e1--BUGGY-switch_ttbr-mmu-on.S"
XEN_FIXED = "xen/arm64-head--c4b72c4a5480--FIXED-switch_ttbr_id-mmu-off.S"
XEN_NEWEST = "xen/arm64-mmu-head--c447b7308b13--newest.S"
XEN_RELOCATE = "xen/arm64-head--2148a125b73b--BUGGY-relocate_xen.S"
EDK2_BUGGY = "edk2/ArmMmuLibReplaceEntry--c5cf7f69c98b--BUGGY-missing-isb.S"
EDK2_NEWEST = "edk2/ArmMmuLibReplaceEntry--c5aa7e7d94c0--newest.S"
TFA = "tf-a/lib-xlat_tables_v2-aarch64-enable_mmu--6a164dda7208.S"
UBOOT = "u-boot/arch-arm-cpu-armv8-cache--6073c36b2c8d.S"
HIBERNATE = "linux/hibernate-asm--0a7d87a7776e-v4.x.S"
KEXEC = "linux/relocate_kernel--efc2d0f20a9d-v5.16.S"
PKVM = "linux/kvm-hyp-nvhe-hyp-init--01f492e1817e.S"
HEAD = "linux/head--aacd149b6238-v6.0.S"
JAILHOUSE = "jailhouse/hypervisor-arch-arm64-entry--e57d1eff6d55.S"
OPTEE_EX = os.path.join(ROOT, "examples", "optee")

EDK2_BBM = "edk2 ArmReplaceLiveTranslationEntry: break-before-make path (MMU on)"
EDK2_OFF = "edk2 ArmReplaceLiveTranslationEntry: MMU-off path (the block covers the routine)"
JH_BOOT = "Jailhouse enable_mmu_el2 from el2_entry: first MMU enable at EL2"
JH_SWITCH = "Jailhouse enable_mmu_el2 from arch_cpu_init: TTBR0_EL2 switch with the MMU on"


def corpus(rel: str) -> str:
    return os.path.join(OTHER, rel)


def check(path: str, entry: str, spec_name: str | None = None, use: str | None = None,
          props: tuple | None = None):
    """The verdict of the bundled spec `bbmcheck prove path` picks for `entry`
    (the one named `spec_name` where several fit; `use`: the spec by file name, for
    an edit its match rejects; `props`: only these properties — an edit may violate
    several, and which one a combined query finds first is the solver's choice)."""
    found = specs.bundled_scenarios(path, entry, use=use)
    if spec_name is not None:
        found = [(t, s) for t, s in found if s.name == spec_name]
    assert len(found) == 1, [t for t, _ in found]
    _title, scen = found[0]
    return Checker(scen, Options(props=props or tuple(scen.properties))).run()


def mutate(src: str, dst, pattern: str, repl: str, count: int = 0) -> str:
    """A copy of corpus file `src` with lines matching `pattern` replaced."""
    text = open(corpus(src), encoding="utf-8").read()
    new, n = re.subn(pattern, repl, text, count=count, flags=re.M)
    assert n, f"{pattern!r} not in {src}"
    out = os.path.join(dst, os.path.basename(src))
    with open(out, "w", encoding="utf-8") as f:
        f.write(new)
    # the project's headers are found next to the file (edk2, U-Boot keep none there)
    return out


def replayed(path: str, entry: str, title: str | None = None) -> str:
    """`bbmcheck prove path --entry entry --format json`, then `bbmcheck replay` of the
    counterexample (of the bundled check titled `title` where several run): the trace
    is evidence the concrete interpreter confirms."""
    import json
    from bbmcheck.cli.main import cli
    from bbmcheck.cli.replay import replay_report
    r = CliRunner().invoke(cli, ["prove", path, "--entry", entry, "--format", "json", "-q"])
    reps = [x for x in json.loads(r.output) if x["status"] == "REFUTED"
            and (title is None or x["check"].endswith(title))]
    assert len(reps) == 1, [x["check"] for x in reps]
    rc, out = replay_report(reps[0])
    assert rc == 0 and out.startswith("CONFIRMED"), out
    return out


def trace_lines(path: str, entry: str, title: str | None = None) -> list[str]:
    """The trace lines of the text report `bbmcheck prove path --entry entry` prints
    (of the check titled `title` where several run), up to the violation's line."""
    from bbmcheck.cli.main import cli
    r = CliRunner().invoke(cli, ["prove", path, "--entry", entry, "-q", "--color", "never"])
    out = r.output.split(title, 1)[1] if title else r.output
    return out.split("\n✗", 1)[0].splitlines()


def leaf_conflict(scen, *extra):
    """A conflict of `scen` (the checker refutes it) between two *leaf* entries, with
    the extra conditions `extra(lv1, lv2, oa1, oa2)` on their levels and output
    addresses: (levels, (oa1, oa2), VA) of a model, or None when there is none."""
    import z3

    from bbmcheck.model import properties as P
    from bbmcheck.model import values as V
    from bbmcheck.model.encode import And, Or, zb
    from bbmcheck.model.vmsa import descriptor as D
    ck = Checker(scen, Options(props=("conflict",), minimize=False))
    assert ck.run().status == "REFUTED"
    s = ck.solver
    viol = P.conflict(ck.enc)
    (w1, w2), (lv1, lv2) = viol.parts[0][1]["witnesses"], viol.parts[0][1]["levels"]

    def leaf(w, lv):
        return Or(*[And(lv == k, zb(D.is_leaf(w.d[k], k))) for k in w.levels])

    def oa(w, lv):
        out = V.const(0, 64)
        for k in w.levels:
            out = V.ite(lv == k, D.translate(w.d[k], k, w.va), out)
        return V.to_z3(out)
    oa1, oa2 = oa(w1, lv1), oa(w2, lv2)
    s.push()
    try:
        s.add(zb(viol.cond), leaf(w1, lv1), leaf(w2, lv2),
              *[c(lv1, lv2, oa1, oa2) for c in extra])
        if s.check() != z3.sat:
            return None
        m = s.model()
        return ((m.eval(lv1).as_long(), m.eval(lv2).as_long()),
                (m.eval(oa1).as_long(), m.eval(oa2).as_long()),
                m.eval(V.to_z3(w1.va)).as_long())
    finally:
        s.pop()


# --------------------------------------------------------------------------- Xen

def test_xen_switch_ttbr_buggy_refuted_by_conflict():
    """1c78d76: TTBR0_EL2 switched with the MMU on; between the switch and the second
    tlbi alle2 the TLB holds entries of the boot and of the runtime tables for one VA
    (c4b72c4a: 'Switching TTBR is like replacing existing mappings with new ones')."""
    v = check(corpus(XEN_BUGGY), "switch_ttbr")
    assert (v.status, v.prop) == ("REFUTED", "conflict"), v.reason
    steps = [s.text for s in v.trace.steps if s.kind == "instr"]
    assert any("msr ttbr0_el2" in t.lower() for t in steps)
    assert "CPU0's TLB holds two entries" in v.reason
    assert "msr TTBR0_EL2, x0" in v.trace.fix and "too late" in v.trace.fix, v.trace.fix
    # replay confirms it, as the model's rule compares the entries: at some level
    # both cover (where the two walks, boot and runtime tables, differ)
    replayed(corpus(XEN_BUGGY), "switch_ttbr")
    # the report names the two entries the violation holds: walk-cache entries when
    # the walks go on to an invalid descriptor (not "no translation", which is a fault)
    marked = [ln for ln in trace_lines(corpus(XEN_BUGGY), "switch_ttbr") if "▶" in ln]
    assert len(marked) == 2, marked
    assert all("TLB" in ln and "no translation" not in ln for ln in marked), marked


@pytest.mark.parametrize("rel", [XEN_FIXED, XEN_NEWEST])
def test_xen_switch_ttbr_id_proved(rel):
    v = check(corpus(rel), "switch_ttbr_id")
    assert v.status == "PROVED", v.reason
    assert any(o.startswith("self-modifying code and instruction caches: each instruction") for o in v.omits)
    assert not any(o.startswith("instruction fetch") for o in v.omits)


def test_xen_switch_ttbr_id_needs_its_tlb_flush(tmp_path):
    """Without the tlbi alle2 of the MMU-off window, entries of the boot tables filled
    before the MMU went off meet the runtime tables' after it is on again."""
    p = mutate(XEN_FIXED, tmp_path, r"^(\s*)tlbi\s+alle2\s*$", r"\1nop")
    v = check(p, "switch_ttbr_id", props=("conflict",))
    assert (v.status, v.prop) == ("REFUTED", "conflict"), v.reason


def test_xen_relocate_xen_buggy_refuted_by_conflict():
    """2148a125: relocate_xen copies Xen (two 16-byte chunks in the spec), cleans the
    copy (one line: dcache_line_bytes = 64, read from memory), then switches
    TTBR0_EL2 with the MMU on to tables that map Xen's VA to the copy (f60658c6,
    'xen/arm: Stop relocating Xen', removed it)."""
    v = check(corpus(XEN_RELOCATE), "relocate_xen")
    assert (v.status, v.prop) == ("REFUTED", "conflict"), v.reason
    steps = [s.text.lower() for s in v.trace.steps if s.kind == "instr"]
    assert any("msr ttbr0_el2" in t for t in steps)
    # the loops ran as the spec's sizes say: copy twice (a step per 8-byte store),
    # clean once, with the line size read from memory
    assert sum("stp x10, x11" in t for t in steps) == 4
    assert any("ldr x10, [x10]" in t and "load va 0x203008 = 0x40" in t for t in steps)
    assert sum("dc cvac" in t for t in steps) == 1
    assert "CPU0's TLB holds two entries" in v.reason


def test_xen_relocate_xen_leaf_entries_conflict():
    """Not only walk-cache entries (which the shortest trace may show): two *leaf*
    entries with different output addresses can be in CPU0's TLB at once, and they
    are those of Xen's VA: the old location and the copy."""
    found = specs.bundled_scenarios(corpus(XEN_RELOCATE), "relocate_xen")
    assert len(found) == 1
    got = leaf_conflict(found[0][1], lambda lv1, lv2, oa1, oa2: oa1 != oa2)
    assert got is not None
    _, pas, va = got
    assert set(pas) == {va, 0x80400000 + (va - 0x200000)}, [hex(p) for p in pas]


# --------------------------------------------------------------------------- Jailhouse

def test_jailhouse_first_mmu_enable_proved():
    """el2_entry's call: TTBR0_EL2, then a local TLB flush, with the MMU off; the TLB
    may hold entries of an earlier EL2 configuration, which the flush removes."""
    v = check(corpus(JAILHOUSE), "enable_mmu_el2", JH_BOOT)
    assert v.status == "PROVED", v.reason


@pytest.mark.parametrize("after, why", [
    ("isb", "invalidate them"),                 # the first flush: entries of `prev` stay
    (r"msr\s+ttbr0_el2,\s*x0", "an ISB between that write and the one that turns the MMU on"),
])
def test_jailhouse_first_mmu_enable_needs_its_flush_and_isb(tmp_path, after, why):
    """Without the first `tlbi alle2`, or the ISB after the TTBR0_EL2 write, entries of
    the earlier configuration meet the bootstrap tables' once the MMU is on; the fix
    says which of the two is missing."""
    # the instruction after the first `after` of the file (in enable_mmu_el2)
    p = mutate(JAILHOUSE, tmp_path,
               rf"^([ \t]*{after}[ \t]*\n(?:[ \t]*\n)*[ \t]*)(?:isb|tlbi\s+alle2)[ \t]*$",
               r"\1nop", count=1)
    v = check(p, "enable_mmu_el2", JH_BOOT)
    assert (v.status, v.prop) == ("REFUTED", "conflict"), v.reason
    assert why in v.trace.fix, v.trace.fix
    assert "msr ttbr0_el2, x0" in v.trace.fix


def test_jailhouse_switch_to_permanent_tables_refuted_by_conflict():
    """arch_cpu_init's call switches TTBR0_EL2 from the bootstrap tables to the CPU's
    permanent tables with the MMU on: between the write and the `tlbi alle2` after it
    the TLB may hold entries of both.  A finding (docs/findings.md): the fix names
    the TTBR write and says a TLBI after the switch is too late."""
    v = check(corpus(JAILHOUSE), "enable_mmu_el2", JH_SWITCH)
    assert (v.status, v.prop) == ("REFUTED", "conflict"), v.reason
    assert v.trace.details["ttbrs"] == [0x80000000, 0x80003000]
    assert "msr ttbr0_el2, x0" in v.trace.fix and "too late" in v.trace.fix, v.trace.fix
    assert "break-before-make" in v.trace.fix and "ASID" not in v.trace.fix   # EL2
    replayed(corpus(JAILHOUSE), "enable_mmu_el2", JH_SWITCH)


def test_jailhouse_switch_trace_marks_only_the_violation():
    """The report shows the fetches' walks through the bootstrap tables (they read the
    level-0 descriptor of the older entry) but does not mark them as steps of the
    violation: ▶ is for the two entries' walks, of the VA in conflict."""
    rep = trace_lines(corpus(JAILHOUSE), "enable_mmu_el2", JH_SWITCH)
    marked = [ln for ln in rep if "▶" in ln]
    assert marked and all("VA 0x40007000" in ln for ln in marked), marked
    assert any("TLB fill: VA 0x40000000" in ln for ln in rep), rep


def test_jailhouse_switch_leaf_entries_conflict_by_size():
    """Beside the walk-cache entries the shortest trace shows, two *leaf* entries of
    one VA can be in the TLB at once: the bootstrap tables' 2 MiB block and the
    permanent tables' 4 KiB page, to the same physical address.  The SC oracle
    (tests/sc_oracle.py), holding leaf entries only, finds that pair on its own; with
    FEAT_BBM level 2, which exempts a size difference from TLB conflicts, it finds
    nothing, while the checker still refutes the switch by its walk-cache entries."""
    from sc_oracle import Oracle
    [(_, scen)] = [(t, s) for t, s in specs.bundled_scenarios(corpus(JAILHOUSE),
                                                                "enable_mmu_el2")
                   if s.name == JH_SWITCH]
    got = leaf_conflict(scen, lambda lv1, lv2, oa1, oa2: lv1 != lv2)
    assert got is not None
    levels, (pa1, pa2), _ = got
    assert set(levels) == {2, 3} and pa1 == pa2

    found, complete = Oracle(scen, walk_cache=False).run()
    assert complete and "conflict" in found, found
    assert "shift=12" in found["conflict"].what and "shift=21" in found["conflict"].what
    [(_, scen2)] = [(t, s) for t, s in specs.bundled_scenarios(
        corpus(JAILHOUSE), "enable_mmu_el2", features=["bbm2"]) if s.name == JH_SWITCH]
    found, complete = Oracle(scen2, walk_cache=False).run()
    assert complete and not found, found
    v = Checker(scen2, Options(props=tuple(scen2.properties))).run()
    assert (v.status, v.prop) == ("REFUTED", "conflict"), v.reason


# --------------------------------------------------------------------------- edk2

def test_edk2_buggy_bbm_path_refuted_by_fetch_fault():
    """c5cf7f69 (parent of 5ce29ae8): the BBM path ends with dsb nshst and no isb; the
    caller's next instruction, in the region being split, may be fetched through the
    invalid (break) entry — 'instruction fetches may still hit this invalid
    translation'."""
    v = check(corpus(EDK2_BUGGY), "ArmReplaceLiveTranslationEntry", EDK2_BBM)
    assert (v.status, v.prop) == ("REFUTED", "fault"), v.reason
    assert "fetch" in v.reason and "0x40200040" in v.reason
    assert v.trace.fix.startswith("an ISB after the DSB")
    # replay runs the fetch steps (the caller's next instruction, fetched at the
    # return) and the DAIF value the check picked for `mrs x4, daif`
    assert "walks to code_l2[1] = 0x0" in replayed(corpus(EDK2_BUGGY),
                                                   "ArmReplaceLiveTranslationEntry", EDK2_BBM)


def test_edk2_newest_bbm_path_proved():
    v = check(corpus(EDK2_NEWEST), "ArmReplaceLiveTranslationEntry", EDK2_BBM)
    assert v.status == "PROVED", v.reason


@pytest.mark.parametrize("rel", [EDK2_BUGGY, EDK2_NEWEST])
def test_edk2_mmu_off_path_proved(rel):
    v = check(corpus(rel), "ArmReplaceLiveTranslationEntry", EDK2_OFF)
    assert v.status == "PROVED", v.reason


def test_edk2_bbm_path_needs_the_break(tmp_path):
    """Storing the new entry over the live block (no str xzr first) is a BBM
    violation."""
    p = mutate(EDK2_NEWEST, tmp_path, r"^(\s*)str\s+xzr, \[x0\]\s*$", r"\1nop")
    v = check(p, "ArmReplaceLiveTranslationEntry", EDK2_BBM, props=("bbm",))
    assert (v.status, v.prop) == ("REFUTED", "bbm"), v.reason


# --------------------------------------------------------------------------- TF-A, U-Boot, KVM

@pytest.mark.parametrize("el", [1, 2, 3])
def test_tfa_enable_mmu_proved(el):
    v = check(corpus(TFA), f"enable_mmu_direct_el{el}")
    assert v.status == "PROVED", v.reason
    assert v.bounds["initial_tlb"] == "stale"


def test_tfa_enable_mmu_needs_tlb_invalidate(tmp_path):
    """The TLB may hold entries of an earlier configuration: without
    TLB_INVALIDATE they meet the new tables' entries once the MMU is on."""
    p = mutate(TFA, tmp_path, r"^(\s*)TLB_INVALIDATE\(.*\)\s*$", r"\1nop")
    v = check(p, "enable_mmu_direct_el3", props=("conflict",))
    assert (v.status, v.prop) == ("REFUTED", "conflict"), v.reason


def test_uboot_switch_ttbr_proved_with_tlb_s():
    v = check(corpus(UBOOT), "__asm_switch_ttbr")
    assert v.status == "PROVED", v.reason
    # __asm_invalidate_tlb_all (tlb.S) ran: CurrentEL = EL2 took the tlbi alle2 path
    steps = [s.text for s in v.witness.steps if s.kind == "instr"]
    assert any("tlbi alle2" in t for t in steps)
    assert not any("alle3" in t or "vmalle1" in t for t in steps)


def test_uboot_extra_file_missing_is_a_located_error(tmp_path):
    src = open(corpus(UBOOT), encoding="utf-8").read()
    p = tmp_path / "cache.S"
    p.write_text(src)
    with pytest.raises(SpecError) as e:
        specs.bundled_scenarios(str(p), "__asm_switch_ttbr")
    assert "u-boot-switch-ttbr.bbm.toml" in str(e.value) and "*tlb*.S" in str(e.value)


def test_pkvm_init_switch_pgd_proved():
    v = check(corpus(PKVM), "__pkvm_init_switch_pgd")
    assert v.status == "PROVED", v.reason


def test_kvm_hyp_init_proved():
    """___kvm_hyp_init, the hypervisor's first MMU enable at EL2, from a TLB that may
    hold the bootloader's entries: its `tlbi alle2; tlbi alle1; dsb sy` removes them
    before SCTLR_EL2.M is set."""
    v = check(corpus(PKVM), "___kvm_hyp_init")
    assert v.status == "PROVED", v.reason


@pytest.mark.parametrize("pattern, repl, says", [
    # without the EL2 invalidation the bootloader's entries survive
    (r"^(\s*)tlbi\s+alle2(\s*\n\s*tlbi\s+alle1)", r"\1nop\2", "invalidate them"),
    # without the DSB the TLBI need not be complete when the MMU comes on
    (r"^(\s*)dsb\s+sy\s*$", r"\1nop", "(`tlbi alle2`) was not completed by a DSB"),
])
def test_kvm_hyp_init_needs_its_flush(tmp_path, pattern, repl, says):
    p = mutate(PKVM, tmp_path, pattern, repl)
    v = check(p, "___kvm_hyp_init")
    assert (v.status, v.prop) == ("REFUTED", "conflict"), v.reason
    assert says in v.trace.fix, v.trace.fix


def test_kvm_hyp_init_without_the_el1_flush_proved(tmp_path):
    """`tlbi alle1` removes EL1&0 entries, which play no part in the EL2 regime's
    translation: without it the EL2 MMU enable stays correct (no crying wolf)."""
    p = mutate(PKVM, tmp_path, r"^(\s*)tlbi\s+alle1\s*$", r"\1nop")
    v = check(p, "___kvm_hyp_init")
    assert v.status == "PROVED", v.reason


# --------------------------------------------------------------------------- Linux TTBR1 users

@pytest.mark.parametrize("rel,entry", [(HIBERNATE, "swsusp_arch_suspend_exit"),
                                       (KEXEC, "arm64_relocate_new_kernel")])
def test_break_before_make_ttbr_switch_users_proved(rel, entry):
    v = check(corpus(rel), entry)
    assert v.status == "PROVED", v.reason


def test_hibernate_switch_needs_the_tlbi(tmp_path):
    p = mutate(HIBERNATE, tmp_path, r"^(\s*)tlbi\s+vmalle1\s*$", r"\1nop")
    v = check(p, "swsusp_arch_suspend_exit", use="linux-hibernate-exit", props=("conflict",))
    assert (v.status, v.prop) == ("REFUTED", "conflict"), v.reason
    # the fix names the break through the zero page and the missing invalidation
    assert "written in between" in v.trace.fix and "not invalidated" in v.trace.fix, \
        v.trace.fix


# --------------------------------------------------------------------------- Linux head.S

def test_head_enable_mmu_proved():
    """__enable_mmu turns the MMU on with TTBR0 = the ID map: the routine's own
    instructions after the SCTLR write and the caller's at x30 are fetched through
    it, from an empty TLB (__cpu_setup invalidated it with the MMU off)."""
    v = check(corpus(HEAD), "__enable_mmu")
    assert v.status == "PROVED", v.reason
    assert v.bounds["initial_tlb"] == "empty"
    steps = [s.text for s in v.witness.steps if s.kind == "instr"]
    assert any("msr sctlr_el1" in t for t in steps) and steps[-1].startswith("ret")


def test_head_enable_mmu_needs_ttbr0_before_the_mmu_is_on(tmp_path):
    """Without the TTBR0 write the MMU comes on with TTBR0 = 0 (no tables there):
    the next instruction's fetch faults."""
    p = mutate(HEAD, tmp_path, r"^(\s*)msr\s+ttbr0_el1, x2.*$", r"\1nop")
    v = check(p, "__enable_mmu", use="linux-head-enable-mmu", props=("fault",))
    assert (v.status, v.prop) == ("REFUTED", "fault"), v.reason
    assert "fetch" in v.reason


def test_head_enable_mmu_relies_on_cpu_setup_tlb_flush(tmp_path):
    """The spec's assumption matters: if the TLB could still hold entries of an
    earlier configuration (what __cpu_setup's tlbi vmalle1 removes), they would meet
    the ID map's once the MMU is on."""
    from bbmcheck.cli.main import cli
    text = open(os.path.join(ROOT, "specs", "bundled", "linux-head-enable-mmu.bbm.toml"),
                encoding="utf-8").read()
    text = text.replace('initial_tlb = "empty"', 'initial_tlb = "stale"')
    text = text.replace("ttbr0 = 0\n", 'ttbr0 = "fw"\n')
    text = text.replace("[idmap]", '[tables.fw]\nlevel = 0\n0 = "table(fw_l1)"\n\n'
                        '[tables.fw_l1]\nlevel = 1\n1 = "block(0xc0000000, 1)"\n\n[idmap]')
    spec = tmp_path / "stale.bbm.toml"
    spec.write_text(text)
    r = CliRunner().invoke(cli, ["prove", corpus(HEAD), "--spec", str(spec),
                                 "--entry", "__enable_mmu", "--property", "conflict", "-q"])
    assert r.exit_code == 1, r.output
    assert "REFUTED  conflicting TLB entries" in r.output, r.output


# --------------------------------------------------------------------------- OP-TEE TLB helpers

def optee_prove(spec: str, *extra: str):
    from bbmcheck.cli.main import cli
    r = CliRunner().invoke(cli, ["prove", os.path.join(OPTEE_EX, "remap.S"), "--spec",
                                 spec, "--format", "json", *extra])
    import json
    return r.exit_code, json.loads(r.output)[0]


@pytest.mark.parametrize("entry", ["remap_va", "remap_all"])
def test_optee_helpers_bbm_proved(entry):
    """examples/optee: break-before-make of a global entry with tlbi_va_allasid or
    tlbi_all (OP-TEE's file, through extra_files) between the break and the make."""
    rc, v = optee_prove(os.path.join(OPTEE_EX, "remap_va.bbm.toml"), "--entry", entry)
    assert (rc, v["status"]) == (0, "PROVED"), v.get("reason")


def test_optee_tlbi_asid_on_a_global_entry_refuted():
    """tlbi_asid (TLBI ASIDE1IS) leaves global entries: the old entry survives the
    break and meets the new one."""
    rc, v = optee_prove(os.path.join(OPTEE_EX, "remap_asid.bbm.toml"))
    assert (rc, v["status"], v["property"]) == (1, "REFUTED", "conflict"), v.get("reason")
    # replay: the frame's `stp x29, x30` is one instruction with two stores, on the
    # spec's stack, of register values the scenario leaves open
    from bbmcheck.cli.replay import replay_report
    rc, out = replay_report(v)
    assert rc == 0 and out.startswith("CONFIRMED"), out


def test_optee_tlbi_asid_on_a_non_global_entry_proved(tmp_path):
    """The same routine is right for a non-global entry of that ASID."""
    text = open(os.path.join(OPTEE_EX, "remap_asid.bbm.toml"), encoding="utf-8").read()
    for a, b in [('0 = "page(old)"', '0 = "page(old, ng=1)"'),
                 ('x1 = "page(new)"', 'x1 = "page(new, ng=1)"'),
                 ("== page(new)", "== page(new, ng=1)"),
                 ('extra_files = ["../../../', 'extra_files = ["' + OPTEE_EX + '/../../../'),
                 ('expect = "REFUTED"', 'expect = "PROVED"')]:
        assert a in text
        text = text.replace(a, b)
    spec = tmp_path / "remap_asid_ng.bbm.toml"
    spec.write_text(text)
    rc, v = optee_prove(str(spec))
    assert (rc, v["status"]) == (0, "PROVED"), v.get("reason")


# --------------------------------------------------------------------------- the command line

def test_prove_picks_specs_and_profile_without_options():
    """`bbmcheck prove FILE` guesses the profile and picks both edk2 specs."""
    from bbmcheck.cli.main import cli
    r = CliRunner().invoke(cli, ["prove", corpus(EDK2_BUGGY), "-q"])
    assert r.exit_code == 1, r.output
    assert r.output.count("REFUTED") == 1 and r.output.count("PROVED") == 1, r.output
