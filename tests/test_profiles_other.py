"""The profiles of the projects beyond Linux (issue 7, first stage): every corpus file
of Xen, TF-A, U-Boot, edk2, OP-TEE and Jailhouse — and the Linux extras (head.S,
hibernate, kexec relocation, KVM hyp-init) — loads with its profile, lists its
routines, assembles exactly as GNU as assembles the same preprocessed text, and
every instruction reachable from each routine the issue names decodes to explicit
semantics (TLBIs with the regime of their exception level).

The corpus lives in ../shared/corpus; tests that read it skip, saying so, where it
is absent.  GNU as is required (a failure, not a skip, when it is missing).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bbmcheck.errors import FrontEndError
from bbmcheck.grammar import gnu_as
from bbmcheck.grammar.frontend import assemble_preprocessed, entry_routine, load_program
from bbmcheck.grammar.preprocess import list_profiles, load_profile, preprocess, \
    preprocess_string
from bbmcheck.grammar.profile_guess import guess_profile, guess_profile_text
from bbmcheck.model.cfg import CFG
from bbmcheck.model.effects import TLBI, Exception_, Unsupported
from bbmcheck.model.isa import decode
from bbmcheck.model.isa import sysregs as SR
from bbmcheck.model.runner import run

from test_isa_util import MiniCtx

ROOT = Path(__file__).resolve().parents[1]
OTHER = ROOT.parent / "shared" / "corpus" / "other"

needs_corpus = pytest.mark.skipif(not OTHER.is_dir(), reason=f"corpus not found at {OTHER}")

NEW_PROFILES = ["xen-arm64", "xen-arm64-4.18", "xen-arm64-4.12", "tf-a-aarch64",
                "u-boot-arm64", "edk2-aarch64", "optee-arm64", "jailhouse-arm64"]

# file (under corpus/other) -> (profile, the routines `bbmcheck routines` lists)
FILES = {
    "xen/arm64-head--1c78d76b67e1--BUGGY-switch_ttbr-mmu-on.S": ("xen-arm64-4.18", {
        "start", "real_start", "init_secondary", "check_cpu_mode", "zero_bss", "cpu_init",
        "create_page_tables", "enable_mmu", "remove_identity_mapping", "setup_fixmap",
        "launch", "fail", "switch_ttbr", "early_puts", "lookup_processor_type",
        "efi_xen_start"}),
    "xen/arm64-head--c4b72c4a5480--FIXED-switch_ttbr_id-mmu-off.S": ("xen-arm64-4.18", {
        "start", "real_start", "init_secondary", "check_cpu_mode", "zero_bss", "cpu_init",
        "create_page_tables", "enable_mmu", "remove_identity_mapping", "setup_fixmap",
        "launch", "fail", "switch_ttbr_id", "early_puts", "lookup_processor_type",
        "efi_xen_start"}),
    "xen/arm64-head--2148a125b73b--BUGGY-relocate_xen.S": ("xen-arm64-4.12", {
        "start", "init_secondary", "_end_boot", "relocate_xen", "early_puts",
        "lookup_processor_type", "efi_xen_start"}),
    "xen/arm64-mmu-head--c447b7308b13--newest.S": ("xen-arm64", {
        "create_page_tables", "enable_mmu", "enable_secondary_cpu_mm", "enable_boot_cpu_mm",
        "remove_identity_mapping", "fail", "relocate_xen", "switch_ttbr_id"}),
    "tf-a/lib-xlat_tables_v2-aarch64-enable_mmu--6a164dda7208.S": ("tf-a-aarch64", {
        "enable_mmu_direct_el1", "enable_mmu_direct_el2", "enable_mmu_direct_el3"}),
    "tf-a/include-arch-aarch64-asm_macros--6a164dda7208.S": ("tf-a-aarch64", set()),
    "u-boot/arch-arm-cpu-armv8-cache--6073c36b2c8d.S": ("u-boot-arm64", {
        "__asm_dcache_level", "__asm_dcache_all", "__asm_flush_dcache_all",
        "__asm_invalidate_dcache_all", "__asm_flush_l3_dcache", "__asm_invalidate_l3_icache",
        "__asm_flush_dcache_range", "__asm_invalidate_dcache_range",
        "__asm_invalidate_icache_all", "__asm_invalidate_l3_dcache", "__asm_switch_ttbr"}),
    "u-boot/arch-arm-cpu-armv8-tlb--6073c36b2c8d.S": ("u-boot-arm64", {
        "__asm_invalidate_tlb_all"}),
    "edk2/ArmMmuLibReplaceEntry--c5aa7e7d94c0--newest.S": ("edk2-aarch64", {
        "ArmReplaceLiveTranslationEntry"}),
    "edk2/ArmMmuLibReplaceEntry--c5cf7f69c98b--BUGGY-missing-isb.S": ("edk2-aarch64", {
        "ArmReplaceLiveTranslationEntry"}),
    "optee_os/core-arch-arm-kernel-tlb_helpers_a64--d5001fe0af66.S": ("optee-arm64", {
        "tlbi_all", "tlbi_va_allasid", "tlbi_asid"}),
    "jailhouse/hypervisor-arch-arm64-entry--e57d1eff6d55.S": ("jailhouse-arm64", {
        "arch_entry", "hyp_vectors_hardened", "sdei_handler", "enable_mmu_el2",
        "shutdown_el2", "vmreturn"}),
    "linux/head--aacd149b6238-v6.0.S": ("linux-arm64-4k-48", {
        "__enable_mmu", "__primary_switch", "create_idmap", "create_kernel_mapping",
        "remap_region"}),
    "linux/hibernate-asm--0a7d87a7776e-v4.x.S": ("linux-arm64-4k-48", {
        "swsusp_arch_suspend_exit"}),
    "linux/relocate_kernel--efc2d0f20a9d-v5.16.S": ("linux-arm64-4k-48", {
        "arm64_relocate_new_kernel"}),
    "linux/kvm-hyp-nvhe-hyp-init--01f492e1817e.S": ("linux-arm64-4k-48", {
        "___kvm_hyp_init", "__pkvm_init_switch_pgd", "__kvm_handle_stub_hvc"}),
}

# (file, entry) -> (instructions reachable, {(TLBI op, regime)}, {system registers written})
# for the routines issue 7 names and the helpers they reach
ROUTINES = {
    ("xen/arm64-head--1c78d76b67e1--BUGGY-switch_ttbr-mmu-on.S", "switch_ttbr"):
        (13, {("alle2", "el2")}, {"ttbr0_el2"}),
    ("xen/arm64-head--1c78d76b67e1--BUGGY-switch_ttbr-mmu-on.S", "enable_mmu"):
        (13, {("alle2", "el2")}, {"sctlr_el2", "ttbr0_el2"}),
    ("xen/arm64-head--1c78d76b67e1--BUGGY-switch_ttbr-mmu-on.S", "init_secondary"):
        (159, {("alle2", "el2")}, {"mair_el2", "sctlr_el2", "tcr_el2", "ttbr0_el2"}),
    ("xen/arm64-head--c4b72c4a5480--FIXED-switch_ttbr_id-mmu-off.S", "switch_ttbr_id"):
        (19, {("alle2", "el2")}, {"sctlr_el2", "ttbr0_el2"}),
    ("xen/arm64-head--c4b72c4a5480--FIXED-switch_ttbr_id-mmu-off.S", "remove_identity_mapping"):
        (22, {("alle2", "el2")}, set()),
    ("xen/arm64-head--2148a125b73b--BUGGY-relocate_xen.S", "relocate_xen"):
        (29, {("alle2", "el2")}, {"ttbr0_el2"}),
    ("xen/arm64-mmu-head--c447b7308b13--newest.S", "switch_ttbr_id"):
        (19, {("alle2", "el2")}, {"sctlr_el2", "ttbr0_el2"}),
    ("xen/arm64-mmu-head--c447b7308b13--newest.S", "relocate_xen"):
        (36, {("alle2", "el2")}, {"sctlr_el2", "ttbr0_el2"}),
    ("xen/arm64-mmu-head--c447b7308b13--newest.S", "enable_boot_cpu_mm"):
        (173, {("alle2", "el2")}, {"sctlr_el2", "ttbr0_el2"}),
    ("xen/arm64-mmu-head--c447b7308b13--newest.S", "enable_secondary_cpu_mm"):
        (24, {("alle2", "el2")}, {"sctlr_el2", "ttbr0_el2"}),
    ("tf-a/lib-xlat_tables_v2-aarch64-enable_mmu--6a164dda7208.S", "enable_mmu_direct_el1"):
        (22, {("vmalle1", "el1")}, {"mair_el1", "sctlr_el1", "tcr_el1", "ttbr0_el1"}),
    ("tf-a/lib-xlat_tables_v2-aarch64-enable_mmu--6a164dda7208.S", "enable_mmu_direct_el2"):
        (22, {("alle2", "el2")}, {"mair_el2", "sctlr_el2", "tcr_el2", "ttbr0_el2"}),
    ("tf-a/lib-xlat_tables_v2-aarch64-enable_mmu--6a164dda7208.S", "enable_mmu_direct_el3"):
        (22, {("alle3", "el3")}, {"mair_el3", "sctlr_el3", "tcr_el3", "ttbr0_el3"}),
    # the TLB flush is a call into tlb.S (another file): not reachable here
    ("u-boot/arch-arm-cpu-armv8-cache--6073c36b2c8d.S", "__asm_switch_ttbr"):
        (48, set(), {"sctlr_el1", "sctlr_el2", "sctlr_el3", "ttbr0_el1", "ttbr0_el2",
                     "ttbr0_el3"}),
    ("u-boot/arch-arm-cpu-armv8-tlb--6073c36b2c8d.S", "__asm_invalidate_tlb_all"):
        (17, {("alle3", "el3"), ("alle2", "el2"), ("vmalle1", "el1")}, set()),
    ("edk2/ArmMmuLibReplaceEntry--c5aa7e7d94c0--newest.S", "ArmReplaceLiveTranslationEntry"):
        (60, {("vaae1", "el1"), ("vae2", "el2")}, {"daif", "sctlr_el1", "sctlr_el2"}),
    ("edk2/ArmMmuLibReplaceEntry--c5cf7f69c98b--BUGGY-missing-isb.S",
     "ArmReplaceLiveTranslationEntry"):
        (82, {("vaae1", "el1"), ("vae2", "el2"), ("vae3", "el3")},
         {"daif", "sctlr_el1", "sctlr_el2", "sctlr_el3"}),
    ("optee_os/core-arch-arm-kernel-tlb_helpers_a64--d5001fe0af66.S", "tlbi_all"):
        (7, {("vmalle1is", "el1"), ("vale1is", "el1")}, set()),
    ("optee_os/core-arch-arm-kernel-tlb_helpers_a64--d5001fe0af66.S", "tlbi_va_allasid"):
        (8, {("vaae1is", "el1"), ("vale1is", "el1")}, set()),
    ("optee_os/core-arch-arm-kernel-tlb_helpers_a64--d5001fe0af66.S", "tlbi_asid"):
        (10, {("aside1is", "el1"), ("vale1is", "el1")}, set()),
    ("jailhouse/hypervisor-arch-arm64-entry--e57d1eff6d55.S", "enable_mmu_el2"):
        (17, {("alle2", "el2")}, {"mair_el2", "sctlr_el2", "tcr_el2", "ttbr0_el2"}),
    ("jailhouse/hypervisor-arch-arm64-entry--e57d1eff6d55.S", "shutdown_el2"):
        (31, set(), {"mair_el2", "sctlr_el2", "tcr_el2", "ttbr0_el2"}),
    ("jailhouse/hypervisor-arch-arm64-entry--e57d1eff6d55.S", "el2_entry"):
        (67, {("alle2", "el2")}, {"mair_el2", "sctlr_el2", "tcr_el2", "ttbr0_el2"}),
    ("jailhouse/hypervisor-arch-arm64-entry--e57d1eff6d55.S", "sdei_handler"):
        (11, {("vmalls12e1is", "el1s12")}, {"vtcr_el2"}),
    ("linux/head--aacd149b6238-v6.0.S", "__enable_mmu"):
        (28, set(), {"sctlr_el1", "ttbr0_el1", "ttbr1_el1"}),
    ("linux/hibernate-asm--0a7d87a7776e-v4.x.S", "swsusp_arch_suspend_exit"):
        (53, {("vmalle1", "el1")}, {"ttbr1_el1"}),
    ("linux/relocate_kernel--efc2d0f20a9d-v5.16.S", "arm64_relocate_new_kernel"):
        (70, {("vmalle1", "el1")}, {"sctlr_el1", "ttbr1_el1"}),
    ("linux/kvm-hyp-nvhe-hyp-init--01f492e1817e.S", "__pkvm_init_switch_pgd"):
        (19, {("alle2", "el2")}, {"sctlr_el2", "ttbr0_el2"}),
    ("linux/kvm-hyp-nvhe-hyp-init--01f492e1817e.S", "___kvm_hyp_init"):
        (81, {("alle2", "el2"), ("alle1", "el1s12")},
         {"cnthctl_el2", "cntvoff_el2", "cptr_el2", "hcr_el2", "hstr_el2", "mair_el2",
          "mdcr_el2", "s3_4_c1_c2_0", "sctlr_el2", "spsr_el2", "tcr_el2", "tpidr_el2",
          "ttbr0_el2", "vbar_el2", "vmpidr_el2", "vpidr_el2", "vtcr_el2", "vttbr_el2"}),
}


def _load(rel: str, **kw):
    profile = FILES[rel][0]
    return load_program(OTHER / rel, profile=profile, **kw)


def _texts(prog, entry: str) -> list[str]:
    return [i.text for i in entry_routine(prog, entry).instructions]


def find_seq(texts: list[str], pats: list[str]) -> int:
    """Index of the first run of consecutive instructions matching `pats` (regexes)."""
    rx = [re.compile(p + r"\Z") for p in pats]
    for i in range(len(texts) - len(rx) + 1):
        if all(r.match(texts[i + k]) for k, r in enumerate(rx)):
            return i
    return -1


# ----------------------------------------------------------------------------- loading

def test_the_new_profiles_are_listed_and_concrete():
    names = list_profiles()
    assert set(NEW_PROFILES) <= set(names)
    assert "xen-arm64-common" not in names          # the abstract base
    for p in NEW_PROFILES:
        assert load_profile(p).include_dirs


@needs_corpus
@pytest.mark.parametrize("rel", sorted(FILES), ids=lambda r: r.split("/")[-1][:40])
def test_corpus_file_loads_with_its_profile_and_lists_its_routines(rel):
    profile, expected = FILES[rel]
    prog = _load(rel)
    assert expected <= set(prog.routines), sorted(expected - set(prog.routines))
    if not rel.startswith("linux/"):
        assert set(prog.routines) == expected
    for r in prog.routines.values():
        for ins in r.instructions:
            assert ins.loc.line > 0 and ins.text


@needs_corpus
@pytest.mark.parametrize("rel", sorted(FILES), ids=lambda r: r.split("/")[-1][:40])
def test_profile_auto_picks_the_profile(rel):
    assert guess_profile(OTHER / rel)[0] == FILES[rel][0]


def test_profile_guess_rules():
    assert guess_profile_text("SYM_FUNC_START(f)\n")[0] == "linux-arm64-4k-48"
    assert guess_profile_text('#include <jailhouse/paging.h>\n')[0] == "jailhouse-arm64"
    assert guess_profile_text("FUNC(f)\n ret\nEND(f)\n#include <asm/early_printk.h>\n"
                              )[0] == "xen-arm64"
    assert guess_profile_text("ASM_FUNC(Foo)\n")[0] == "edk2-aarch64"
    assert guess_profile_text("\tendfunc foo\n")[0] == "tf-a-aarch64"
    assert guess_profile_text("FUNC foo , :\nEND_FUNC foo\n")[0] == "optee-arm64"


# ----------------------------------------------------------------------------- reachable code

def reachable(prog, entry: str) -> dict:
    """Every instruction reachable from `entry` (branches, fall-through and calls to
    code of this file), by the static CFG that symbolic execution uses."""
    r = entry_routine(prog, entry)
    start = prog.sections[r.section].base + r.start
    return CFG(prog, start, lambda n: prog.address_of(n) or 0x7000_0000).info


class _Syms(dict):
    def __missing__(self, name):
        return 0x7000_0000


def _effects(ins):
    """Run one instruction on its own (any symbol at one address): its effects and
    system-register writes."""
    ctx = MiniCtx(regs={n: 0x1000 * (n + 1) for n in range(31)},
                  sysregs={"daif": 0, "dczid_el0": 4, "currentel": 8})
    ctx.symbols = _Syms()
    decode(ins).run(ctx)
    return ctx


def _regime_named_by(op: str) -> str:
    """The translation regime a TLBI operation's name gives: ...e1 EL1&0 stage 1,
    alle1/vmalls12e1 EL1&0 stages 1 and 2, ipas2* stage 2, ...e2 EL2, ...e3 EL3."""
    base = re.sub(r"(is|os)$", "", op)
    if base.startswith("ipas2"):
        return "ipas2"
    if base in ("alle1", "vmalls12e1"):
        return "el1s12"
    return "el" + base[-1]


@needs_corpus
@pytest.mark.parametrize("rel,entry", sorted(ROUTINES),
                         ids=lambda x: x if isinstance(x, str) and "/" not in x else
                         x.split("/")[-1][:24])
def test_every_reachable_instruction_has_semantics(rel, entry):
    count, tlbis, written = ROUTINES[(rel, entry)]
    prog = _load(rel)
    info = reachable(prog, entry)
    assert len(info) == count
    seen_tlbi, seen_msr = set(), set()
    for inf in info.values():
        ins = inf.instr
        op = decode(ins)
        assert op.kind != "unsupported", f"{ins.loc}: {ins.text}: {op.reason}"
        ctx = _effects(ins)
        assert not any(isinstance(e, Unsupported) for e in ctx.effects), ins.text
        for e in ctx.effects:
            if isinstance(e, TLBI):
                seen_tlbi.add((e.op, e.regime))
                assert e.regime == _regime_named_by(e.op)
        if ins.mnemonic == "msr" and ins.operands[0].name.lower() not in (
                "daifset", "daifclr", "spsel"):
            seen_msr.add(SR.canonical(ins.operands[0].name))
            assert [n for n, _ in ctx.sysreg_writes] == [SR.canonical(ins.operands[0].name)]
    assert seen_tlbi == tlbis
    assert seen_msr == written


# ----------------------------------------------------------------------------- concrete runs

RUNS = [
    # file, entry, CurrentEL, stop, the TLBIs in the order run
    ("xen/arm64-head--1c78d76b67e1--BUGGY-switch_ttbr-mmu-on.S", "switch_ttbr", 2, "ret",
     ["alle2", "alle2"]),
    ("xen/arm64-mmu-head--c447b7308b13--newest.S", "switch_ttbr_id", 2, "ret", ["alle2"]),
    ("tf-a/lib-xlat_tables_v2-aarch64-enable_mmu--6a164dda7208.S", "enable_mmu_direct_el3", 3,
     "ret", ["alle3"]),
    ("u-boot/arch-arm-cpu-armv8-tlb--6073c36b2c8d.S", "__asm_invalidate_tlb_all", 3, "ret",
     ["alle3"]),
    ("u-boot/arch-arm-cpu-armv8-tlb--6073c36b2c8d.S", "__asm_invalidate_tlb_all", 2, "ret",
     ["alle2"]),
    ("u-boot/arch-arm-cpu-armv8-tlb--6073c36b2c8d.S", "__asm_invalidate_tlb_all", 1, "ret",
     ["vmalle1"]),
    ("edk2/ArmMmuLibReplaceEntry--c5aa7e7d94c0--newest.S", "ArmReplaceLiveTranslationEntry", 1,
     "ret", ["vaae1"]),
    ("edk2/ArmMmuLibReplaceEntry--c5aa7e7d94c0--newest.S", "ArmReplaceLiveTranslationEntry", 2,
     "ret", ["vae2"]),
    ("edk2/ArmMmuLibReplaceEntry--c5cf7f69c98b--BUGGY-missing-isb.S",
     "ArmReplaceLiveTranslationEntry", 3, "ret", ["vae3"]),
    ("optee_os/core-arch-arm-kernel-tlb_helpers_a64--d5001fe0af66.S", "tlbi_asid", 1, "ret",
     ["aside1is", "aside1is", "vale1is"]),
    ("jailhouse/hypervisor-arch-arm64-entry--e57d1eff6d55.S", "enable_mmu_el2", 2, "ret",
     ["alle2", "alle2"]),
    ("jailhouse/hypervisor-arch-arm64-entry--e57d1eff6d55.S", "shutdown_el2", 2, "exception",
     []),
    ("linux/kvm-hyp-nvhe-hyp-init--01f492e1817e.S", "__pkvm_init_switch_pgd", 2, "ret",
     ["alle2"]),
]


@needs_corpus
@pytest.mark.parametrize("rel,entry,el,stop,tlbis", RUNS,
                         ids=[f"{e}-el{el}" for _r, e, el, _s, _t in RUNS])
def test_routine_runs_concretely(rel, entry, el, stop, tlbis):
    prog = _load(rel)
    res = run(prog, entry, regs={0: 0x4000_0000, 1: 0x1234, 2: 0x4000_2000, 3: 1},
              sysregs={"currentel": el << 2}, max_steps=2000)
    assert res.stop == stop, res.stop_detail
    assert [s.effect.op for s in res.effects if isinstance(s.effect, TLBI)] == tlbis
    if stop == "exception":
        assert isinstance(res.effects[-1].effect, Exception_)


# ----------------------------------------------------------------------------- GNU as

GAS_CASES = [(rel, FILES[rel][0], {}) for rel in sorted(FILES) if not rel.startswith("linux/")]
GAS_CASES += [
    # the build options the profiles document, each changing the instruction stream
    ("tf-a/lib-xlat_tables_v2-aarch64-enable_mmu--6a164dda7208.S", "tf-a-aarch64",
     {"ERRATA_A57_813419": "1"}),
    ("tf-a/lib-xlat_tables_v2-aarch64-enable_mmu--6a164dda7208.S", "tf-a-aarch64",
     {"ENABLE_ASSERTIONS": "1", "ENABLE_BTI": "1"}),
    ("xen/arm64-head--2148a125b73b--BUGGY-relocate_xen.S", "xen-arm64-4.12",
     {"BBM_XEN_RET_SB": "1"}),
    ("optee_os/core-arch-arm-kernel-tlb_helpers_a64--d5001fe0af66.S", "optee-arm64",
     {"CFG_CORE_BTI": "1"}),
]


@pytest.fixture(scope="module")
def binutils():
    if not gnu_as.tools_available():
        pytest.fail(f"{gnu_as.AS} / {gnu_as.OBJDUMP} not found: install the Debian package "
                    "binutils-aarch64-linux-gnu (.ci/run does)")


@needs_corpus
@pytest.mark.parametrize("rel,profile,defines", GAS_CASES,
                         ids=[f"{r.split('/')[-1][:30]}-{'-'.join(d) or 'default'}"
                              for r, _p, d in GAS_CASES])
def test_matches_gnu_as(binutils, rel, profile, defines):
    path = OTHER / rel
    pp = preprocess(path, profile=profile, defines=defines)
    assert pp.warnings == []
    prog = assemble_preprocessed(pp.text, str(path))
    rep = gnu_as.compare(prog, pp.text)
    assert rep.ok, "\n".join(str(m) for m in rep.mismatches[:30])
    for r in prog.routines.values():
        if r.instructions:
            assert rep.compared.get(r.name) == len(r.instructions), r.name
    # every constant the file uses comes from the profile: nothing upper case is
    # left for the linker (the projects' symbols are lower case)
    undefined = _undefined_symbols(pp.text)
    assert sorted(u for u in undefined if re.fullmatch(r"[A-Z][A-Z0-9_]+", u)) == []


def _undefined_symbols(text: str) -> set[str]:
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        s, o = Path(d) / "t.s", Path(d) / "t.o"
        s.write_text(text)
        subprocess.run([gnu_as.AS, str(s), "-o", str(o)], check=True, capture_output=True)
        tab = subprocess.run([gnu_as.OBJDUMP, "-t", str(o)], check=True, capture_output=True,
                             text=True).stdout
    return {ln.split()[-1] for ln in tab.splitlines() if "*UND*" in ln}


# ----------------------------------------------------------------------------- the sequences

@needs_corpus
def test_xen_switch_ttbr_buggy_and_fixed_sequences():
    buggy = _texts(_load("xen/arm64-head--1c78d76b67e1--BUGGY-switch_ttbr-mmu-on.S"),
                   "switch_ttbr")
    # TTBR0_EL2 changes with the MMU on, between two full flushes
    assert find_seq(buggy, ["dsb sy", "isb", "tlbi alle2", "ic iallu", "dsb sy", "isb",
                            "msr ttbr0_el2, x0", "isb", "tlbi alle2", "ic iallu", "dsb sy",
                            "isb", r"\.inst 0xd65f03c0", "dsb nsh", "isb"]) == 0
    for rel, prof in [("xen/arm64-head--c4b72c4a5480--FIXED-switch_ttbr_id-mmu-off.S", None),
                      ("xen/arm64-mmu-head--c447b7308b13--newest.S", None)]:
        fixed = _texts(_load(rel), "switch_ttbr_id")
        assert find_seq(fixed, [
            "dsb ish", "isb", "mrs x1, sctlr_el2", "bic x1, x1, #1",
            "msr sctlr_el2, x1", "isb", "dsb nshst", "tlbi alle2", "dsb nsh", "isb",
            "msr ttbr0_el2, x0", "isb", "ic iallu", "isb", "mrs x1, sctlr_el2",
            "orr x1, x1, #1", "msr sctlr_el2, x1", "isb"]) == 0, fixed


@needs_corpus
def test_xen_layout_per_release():
    """XEN_VIRT_START as each release links Xen: the literal create_page_tables loads."""
    def virt_start(rel):
        prog = _load(rel)
        ins = entry_routine(prog, "create_page_tables").instructions
        first = next(i for i in ins if i.mnemonic == "ldr")
        return first.operands[1].value
    assert virt_start("xen/arm64-mmu-head--c447b7308b13--newest.S") == (20 << 39) + (2 << 20)
    assert virt_start("xen/arm64-head--1c78d76b67e1--BUGGY-switch_ttbr-mmu-on.S") == \
        (4 << 39) + (2 << 20)
    old = _load("xen/arm64-head--2148a125b73b--BUGGY-relocate_xen.S")
    # 4.12: `ret` is a plain RET (no speculation barrier), Xen at 2 MiB
    reloc = _texts(old, "relocate_xen")
    assert reloc[-1] == "ret"
    assert any("#0x200000" in t for t in _texts(old, "init_secondary"))


@needs_corpus
def test_tfa_tlb_invalidate_and_errata():
    rel = "tf-a/lib-xlat_tables_v2-aarch64-enable_mmu--6a164dda7208.S"
    el3 = _texts(_load(rel), "enable_mmu_direct_el3")
    assert el3[:2] == ["tlbi alle3", "mov x7, x0"]
    assert find_seq(el3, ["msr ttbr0_el3, x3", "dsb ish", "isb", "mrs x4, sctlr_el3",
                          "mov x5, #5", "movk x5, #8, lsl #16"]) >= 0
    errata = _texts(_load(rel, defines={"ERRATA_A57_813419": "1"}), "enable_mmu_direct_el2")
    assert errata[:3] == ["tlbi alle2", "dsb ish", "tlbi alle2"]


@needs_corpus
def test_edk2_buggy_version_lacks_the_final_isb():
    new = _texts(_load("edk2/ArmMmuLibReplaceEntry--c5aa7e7d94c0--newest.S"),
                 "ArmReplaceLiveTranslationEntry")
    old = _texts(_load("edk2/ArmMmuLibReplaceEntry--c5cf7f69c98b--BUGGY-missing-isb.S"),
                 "ArmReplaceLiveTranslationEntry")
    brk = ["str xzr, \\[x0\\]", "dsb nshst", "lsr x2, x2, #12", "tlbi (vaae1|vae2|vae3), x2",
           "dsb nsh", "str x1, \\[x0\\]", "dsb nshst"]
    i = find_seq(new, brk)
    assert i >= 0 and new[i + len(brk)] == "isb"
    j = find_seq(old, brk)
    assert j >= 0 and old[j + len(brk)] != "isb"
    # EL1_OR_EL2 dispatches on CurrentEL; the old one also handles EL3
    spin = "b .text.ArmReplaceLiveTranslationEntry+0x20"      # `b .`: EL0, cannot happen
    assert new[3:9] == ["mrs x5, currentel", "cmp x5, #8",
                        "b.gt .text.ArmReplaceLiveTranslationEntry+0x14",   # EL3: spin
                        "b.eq 2f", "cbnz x5, 1f", spin]
    assert old[3:9] == ["mrs x5, currentel", "cmp x5, #8", "b.gt 3f", "b.eq 2f",
                        "cbnz x5, 1f", spin]
    assert "tlbi vae3, x2" in old and "tlbi vae3, x2" not in new


@needs_corpus
def test_optee_tlbi_erratum_workaround_is_the_default():
    rel = "optee_os/core-arch-arm-kernel-tlb_helpers_a64--d5001fe0af66.S"
    t = _texts(_load(rel), "tlbi_all")
    assert t == ["dsb ishst", "tlbi vmalle1is", "dsb ish", "tlbi vale1is, xzr", "dsb ish",
                 "isb", "ret"]


@needs_corpus
def test_uboot_switch_ttbr_per_exception_level():
    t = _texts(_load("u-boot/arch-arm-cpu-armv8-cache--6073c36b2c8d.S"), "__asm_switch_ttbr")
    assert t[:5] == ["mrs x4, currentel", "cmp x4, #8", "b.gt 3f", "b.eq 2f", "b.lt 1f"]
    assert any(re.fullmatch(r"movn x1, #(0x1005|4101)", x) for x in t), t
    assert "bl __asm_invalidate_tlb_all" in t
    for el in (1, 2, 3):
        assert f"msr ttbr0_el{el}, x0" in t and f"msr sctlr_el{el}, x2" in t


@needs_corpus
def test_jailhouse_enable_mmu_el2():
    t = _texts(_load("jailhouse/hypervisor-arch-arm64-entry--e57d1eff6d55.S"),
               "enable_mmu_el2")
    assert find_seq(t, ["msr tcr_el2, x1", "msr ttbr0_el2, x0", "isb", "tlbi alle2",
                        # SCTLR: I, C, M and the RES1 bits of SCTLR_EL2
                        "dsb nsh", "ldr x1, =0x30c51835", "msr sctlr_el2, x1",
                        "isb", "tlbi alle2", "dsb nsh", "ret"]) >= 0


# ----------------------------------------------------------------------------- errors

def test_xen_profile_refuses_early_printk_with_a_location():
    with pytest.raises(FrontEndError) as ei:
        preprocess_string("nop\n", "head.S", profile="xen-arm64",
                          defines={"CONFIG_EARLY_PRINTK": "1"})
    msg = ei.value.render()
    assert "early printk" in msg and "config.h:" in msg and "Traceback" not in msg


def test_profile_headers_unknown_macro_is_a_located_error():
    # a project macro the profile does not provide: our error names file and line
    with pytest.raises(FrontEndError) as ei:
        load_program_text("\tnop\n\tearly_uart_ready x23, 1\n", "xen-arm64")
    assert "t.S:2" in ei.value.render() and "early_uart_ready" in ei.value.render()


def load_program_text(text: str, profile: str):
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "t.S"
        p.write_text(text)
        return load_program(p, profile=profile)


def test_cli_profile_auto_says_what_it_picked(tmp_path):
    src = tmp_path / "e.S"
    src.write_text("#include <asm.S>\nFUNC f , :\n\tdsb ishst\n\ttlbi vmalle1is\n\tret\n"
                   "END_FUNC f\n")
    r = subprocess.run([sys.executable, "-m", "bbmcheck.cli.main", "routines", str(src),
                        "--profile", "auto"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "optee-arm64" in r.stderr and re.search(r"^f\s+\.text\.f", r.stdout, re.M)


@needs_corpus
def test_cli_undefine_turns_off_a_profile_option():
    rel = "optee_os/core-arch-arm-kernel-tlb_helpers_a64--d5001fe0af66.S"
    base = [sys.executable, "-m", "bbmcheck.cli.main", "expand", str(OTHER / rel),
            "--profile", "optee-arm64", "--entry", "tlbi_all"]
    on = subprocess.run(base, capture_output=True, text=True, check=True).stdout
    off = subprocess.run(base + ["-U", "CFG_CORE_WORKAROUND_ARM_TLBI"], capture_output=True,
                         text=True, check=True).stdout
    assert "tlbi vale1is, xzr" in on and "tlbi vale1is" not in off
    assert "tlbi vmalle1is" in off
