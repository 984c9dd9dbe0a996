"""The proof that the Linux profiles are right: real kernel files, preprocessed with
our profiles, assemble with the real GNU assembler, and the routines bbmcheck
checks contain exactly the instruction sequences the kernel's macros produce.

GNU as (Debian binutils-aarch64-linux-gnu) is required: CI installs it, so a
missing assembler is a failure, not a skip.  The corpus (../shared/corpus next to
the repository) is test input only; tests that read it skip when it is absent.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest

from bbmcheck.grammar.preprocess import preprocess, preprocess_string

REPO = Path(__file__).resolve().parents[1]
CORPUS = (REPO / ".." / "shared" / "corpus").resolve()
PROC_DIR = CORPUS / "linux" / "proc.S"
OTHER_DIR = CORPUS / "other" / "linux"
AS = "aarch64-linux-gnu-as"
OBJDUMP = "aarch64-linux-gnu-objdump"
PROFILES = ["linux-arm64-4k-48", "linux-arm64-4k-39"]
LEVELS = {"linux-arm64-4k-48": 4, "linux-arm64-4k-39": 3}

needs_corpus = pytest.mark.skipif(
    not PROC_DIR.is_dir(), reason=f"corpus not found at {CORPUS} (../shared/corpus)")


def _require_binutils():
    missing = [t for t in (AS, OBJDUMP) if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: install the Debian package "
                    f"binutils-aarch64-linux-gnu (.ci/run does)")


def test_gnu_binutils_are_installed():
    _require_binutils()


def corpus_files() -> list[Path]:
    if not PROC_DIR.is_dir():
        return []
    return sorted(PROC_DIR.glob("*.S")) + sorted(OTHER_DIR.glob("*.S"))


def corpus_file(prefix: str) -> Path:
    for f in corpus_files():
        if f.name.startswith(prefix):
            return f
    pytest.skip(f"{prefix}* not in the corpus at {CORPUS}")


# ----------------------------------------------------------------------------- objects

@dataclass
class Obj:
    insns: dict[str, list[tuple[int, str]]]      # section -> [(address, "mnemonic ops")]
    symbols: dict[str, tuple[str, int, int]]     # name -> (section, value, size)
    undefined: set[str]
    source: str

    def routine(self, name: str) -> list[str]:
        """The instructions of symbol `name`, [value, value + size)."""
        sec, value, size = self.symbols[name]
        assert size > 0, f"{name} has no size"
        return [t for a, t in self.insns[sec] if value <= a < value + size]


def _norm(text: str) -> str:
    text = text.split("//")[0].split("<")[0]
    return re.sub(r"\s+", " ", text.replace("\t", " ")).strip()


def assemble(source_text: str, tmp: Path, name: str = "t") -> Obj:
    """Assemble preprocessed text with GNU as; parse objdump -D and -t.

    -D, not -d: v6.9+ proc.S puts its code in ".idmap.text" with flags "a" (the
    linker script makes it executable), which -d would not disassemble."""
    _require_binutils()
    s, o = tmp / f"{name}.s", tmp / f"{name}.o"
    s.write_text(source_text)
    r = subprocess.run([AS, str(s), "-o", str(o)], capture_output=True, text=True)
    assert r.returncode == 0, f"GNU as failed on {name}:\n{r.stderr[:4000]}"
    assert "Warning" not in r.stderr, r.stderr[:4000]
    dis = subprocess.run([OBJDUMP, "-D", "--no-show-raw-insn", str(o)],
                         capture_output=True, text=True, check=True).stdout
    insns: dict[str, list[tuple[int, str]]] = {}
    sec = None
    for ln in dis.splitlines():
        m = re.match(r"Disassembly of section (\S+):", ln)
        if m:
            sec = m.group(1)
            insns.setdefault(sec, [])
            continue
        m = re.match(r"\s+([0-9a-f]+):\s+(.*)$", ln)
        if m and sec:
            insns[sec].append((int(m.group(1), 16), _norm(m.group(2))))
    syms: dict[str, tuple[str, int, int]] = {}
    undefined: set[str] = set()
    tab = subprocess.run([OBJDUMP, "-t", str(o)], capture_output=True, text=True,
                         check=True).stdout
    for ln in tab.splitlines():
        m = re.match(r"([0-9a-f]{16}) (.{7}) (\S+)\s+([0-9a-f]{16}) (\S+)$", ln)
        if not m:
            continue
        value, _flags, section, size, name_ = m.groups()
        if section == "*UND*":
            undefined.add(name_)
        else:
            syms[name_] = (section, int(value, 16), int(size, 16))
    return Obj(insns, syms, undefined, source_text)


@lru_cache(maxsize=None)
def _corpus_obj(path: str, profile: str, caps: tuple[str, ...] = (),
                defines: tuple[tuple[str, str], ...] = ()) -> Obj:
    import tempfile
    p = preprocess(path, profile=profile, capabilities=caps, defines=dict(defines))
    assert p.warnings == [], p.warnings
    tmp = Path(tempfile.mkdtemp(prefix="bbm-as-"))
    try:
        return assemble(p.text, tmp, Path(path).stem)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def corpus_obj(prefix: str, profile: str = "linux-arm64-4k-48", caps=(), defines=None) -> Obj:
    f = corpus_file(prefix)
    return _corpus_obj(str(f), profile, tuple(caps), tuple(sorted((defines or {}).items())))


def find_seq(insns: list[str], pats: list[str], start: int = 0) -> int:
    """Index of the first place where consecutive instructions match `pats`."""
    rx = [re.compile(p + r"\Z") for p in pats]
    for i in range(start, len(insns) - len(rx) + 1):
        if all(r.match(insns[i + k]) for k, r in enumerate(rx)):
            return i
    return -1


def count_seq(insns: list[str], pats: list[str]) -> int:
    n, i = 0, find_seq(insns, pats)
    while i >= 0:
        n += 1
        i = find_seq(insns, pats, i + 1)
    return n


def has_seq(insns, pats) -> bool:
    return find_seq(insns, pats) >= 0


# ----------------------------------------------------------------------------- all files

@needs_corpus
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", corpus_files() or [pytest.param(None, marks=pytest.mark.skip(
    reason=f"corpus not found at {CORPUS}"))], ids=lambda p: p.name if p else "none")
def test_corpus_file_assembles_with_gnu_as(path, profile):
    obj = _corpus_obj(str(path), profile)
    # every constant the file uses is defined: nothing upper-case is left for the
    # linker (kernel constants are upper case, kernel symbols are lower case)
    consts = sorted(u for u in obj.undefined if re.fullmatch(r"[A-Z][A-Z0-9_]+", u))
    assert consts == [], f"undefined constants: {consts}"
    # SYM_*/ENTRY annotations give typed, sized routines
    funcs = [n for n, (sec, _v, size) in obj.symbols.items()
             if size and sec != ".discard.bbm.alternative"]
    assert funcs, "no sized symbols"


# ----------------------------------------------------------------------------- kpti, MMU on

KPTI_BREAK = [r"str xzr, \[x0, #(\d+)\]", "dsb nshst", r"add x16, x0, #0x\d, lsl #12",
              "lsr x16, x16, #12", "tlbi vaae1, x16", "dsb nsh", "isb"]
KPTI_MAKE = [r"mov x16, x\d+", r"add x\d+, x0, #0x\d, lsl #12", "orr x16, x16, x1",
             r"str x16, \[x0, #\d+\]", "dsb nshst"]
RESERVED_TTBR1 = [r"adrp (x\d+), 0", r"mov x\d+, x\d+", r"msr ttbr1_el1, x\d+", "isb",
                  "tlbi vmalle1", "dsb nsh", "isb"]


def fixmap_slots(kpti: list[str]) -> list[int]:
    out = []
    for i, t in enumerate(kpti):
        if find_seq(kpti[i:i + len(KPTI_BREAK)], KPTI_BREAK) == 0:
            out.append(int(re.search(r"#(\d+)", t).group(1)))
    return out


@needs_corpus
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("prefix,slots", [
    # v6.1: slot (level + 1) * 8 for pgd 0, pud 1, pmd 2, pte 3
    ("v6.1-", {4: [8, 16, 24, 32], 3: [8, 24, 32]}),
    # v6.9+: slot (level + 2) * 8 for pgd -1, pud 1, pmd 2, pte 3 (p4d folded)
    ("v6.9-", {4: [8, 24, 32, 40], 3: [8, 32, 40]}),
    ("newest-", {4: [8, 24, 32, 40], 3: [8, 32, 40]}),
])
def test_kpti_mmu_on_breaks_before_making_each_fixmap_slot(prefix, slots, profile):
    kpti = corpus_obj(prefix, profile).routine("idmap_kpti_install_ng_mappings")
    levels = LEVELS[profile]
    # one break (str xzr; dsb nshst; tlbi vaae1; dsb nsh; isb) per table level ...
    assert fixmap_slots(kpti) == slots[levels]
    # ... each followed directly by the make (new entry; dsb nshst)
    assert count_seq(kpti, KPTI_BREAK + KPTI_MAKE) == levels
    # the MMU stays on: no SCTLR write, no broadcast invalidation
    assert not [t for t in kpti if "sctlr_el1" in t or "vmalle1is" in t]
    # boot CPU and secondaries park on the reserved TTBR1 with a local flush
    assert count_seq(kpti, RESERVED_TTBR1) == 3
    # every table entry: set nG (bit 11) and store it back
    assert sum(t.endswith(", #0x800") and t.startswith("orr") for t in kpti) == levels
    assert kpti[0] == "bti c"


@needs_corpus
def test_kpti_v61_temp_pte_flags_and_levels_in_39_bit():
    kpti = corpus_obj("v6.1-").routine("idmap_kpti_install_ng_mappings")
    # KPTI_NG_PTE_FLAGS = AttrIndx(MT_NORMAL = 0) | page | AF | inner shareable
    assert "mov x1, #0x703" in kpti
    kpti39 = corpus_obj("v6.1-", "linux-arm64-4k-39").routine("idmap_kpti_install_ng_mappings")
    # with 3 levels the PUD level is folded: one walk loop less
    deref = re.compile(r"tbnz w\d+, #1, ")
    assert sum(bool(deref.match(t)) for t in kpti) == 3
    assert sum(bool(deref.match(t)) for t in kpti39) == 2


@needs_corpus
@pytest.mark.parametrize("prefix", ["v6.9-", "newest-"])
def test_kpti_v69_uses_its_own_pte_to_phys_and_mov_q_flags(prefix):
    kpti = corpus_obj(prefix).routine("idmap_kpti_install_ng_mappings")
    # the file's own pte_to_phys: and with PTE_ADDR_LOW = bits 49:12
    assert "and x8, x7, #0x3fffffffff000" in kpti
    assert not [t for t in kpti if t.endswith("#0xfffffffff000")]
    # KPTI_NG_PTE_FLAGS = ... | PTE_UXN | PTE_WRITE, loaded with mov_q (movz + 3 movk)
    i = find_seq(kpti, [r"mov x1, #0x\w+", r"movk x1, #0x\w+, lsl #32",
                        r"movk x1, #0x\w+, lsl #16", r"movk x1, #0x\w+"])
    assert i >= 0
    value = 0
    for t in kpti[i:i + 4]:
        imm = int(re.search(r"#(0x[0-9a-f]+)", t).group(1), 16)
        sh = int(re.search(r"lsl #(\d+)", t).group(1)) if "lsl" in t else 0
        value = imm if t.startswith("mov ") else value | (imm << sh)
    assert value == (1 << 54) | (1 << 51) | 0x703


@needs_corpus
@pytest.mark.parametrize("prefix", ["v6.0-", "v6.1-"])
def test_kpti_v60_v61_use_the_header_pte_to_phys(prefix):
    kpti = corpus_obj(prefix).routine("idmap_kpti_install_ng_mappings")
    # <asm/assembler.h> pte_to_phys: and with PTE_ADDR_MASK = bits 47:12
    assert "and x8, x7, #0xfffffffff000" in kpti


# ----------------------------------------------------------------------------- kpti, MMU off

MMU_OFF = [r"mrs (x1[78]), sctlr_el1", r"and x1[78], x1[78], #0xfffffffffffffffe",
           r"msr sctlr_el1, x1[78]", "isb"]
BROADCAST_FLUSH = ["dsb sy", "tlbi vmalle1is", "dsb ish", "isb"]


@needs_corpus
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("prefix,falkor_isb,dmb_before_clean,set_sctlr", [
    ("2018-", False, False, False),
    ("v5.19-", True, True, True),
    ("v6.0-", True, True, True),
])
def test_kpti_mmu_off_versions(prefix, falkor_isb, dmb_before_clean, set_sctlr, profile):
    kpti = corpus_obj(prefix, profile).routine("idmap_kpti_install_ng_mappings")
    levels = LEVELS[profile]
    i = find_seq(kpti, MMU_OFF)
    assert i > 0
    # pre_disable_mmu_workaround (Falkor E1041) = isb right before the SCTLR read
    assert (kpti[i - 1] == "isb") == falkor_isb
    # the walk runs with the MMU off, then publishes and flushes every TLB
    j = find_seq(kpti, BROADCAST_FLUSH)
    assert j > i
    on = kpti[j + 4:j + 12]
    if set_sctlr:   # set_sctlr_el1: msr; isb; ic iallu; dsb nsh; isb
        assert find_seq(on, [r"mrs x17, sctlr_el1", r"orr x17, x17, #0x1", "msr sctlr_el1, x17",
                             "isb", "ic iallu", "dsb nsh", "isb"]) == 0
    else:
        assert find_seq(on, [r"mrs x18, sctlr_el1", r"orr x18, x18, #0x1",
                             "msr sctlr_el1, x18", "isb", r"str wzr, \[x4\]"]) == 0
    # each entry: set nG, store, [dmb sy,] clean+invalidate to PoC
    put = [r"orr (x\d+), x\d+, #0x800", r"str x\d+, \[x\d+\]"] + \
        (["dmb sy"] if dmb_before_clean else []) + [r"dc civac, x\d+"]
    assert count_seq(kpti, put) == levels
    assert "tlbi vaae1" not in " ".join(kpti)


# ----------------------------------------------------------------------------- replace_ttbr1

@needs_corpus
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("prefix,daif", [
    ("2018-", True), ("v5.19-", True), ("v6.0-", True), ("v6.1-", True),
    ("v6.9-", False), ("newest-", False)])
def test_idmap_cpu_replace_ttbr1(prefix, daif, profile):
    r = corpus_obj(prefix, profile).routine("idmap_cpu_replace_ttbr1")
    core = [r"msr ttbr1_el1, x[13]", "isb", "tlbi vmalle1", "dsb nsh", "isb",
            "msr ttbr1_el1, x0", "isb"]
    i = find_seq(r, core)
    assert i > 0
    if r[0] == "bti c":          # SYM_FUNC_START; the 2018 ENTRY() has no landing pad
        r = r[1:]
        i -= 1
    else:
        assert prefix == "2018-"
    if daif:   # save_and_disable_daif flags=x2 ... restore_daif x2
        assert r[:2] == ["mrs x2, daif", "msr daifset, #0xf"]
        assert r[i + len(core):] == ["msr daif, x2", "ret"]
    else:
        assert r[i + len(core):] == ["ret"]
        assert not [t for t in r if "daif" in t]
    if prefix == "2018-":
        assert r[i - 1] == "adrp x1, 0"        # empty_zero_page, raw address
    else:
        assert r[i - 2:i] == ["adrp x1, 0", "mov x3, x1"]   # phys_to_ttbr


# ----------------------------------------------------------------------------- other files

@needs_corpus
def test_hibernate_keeps_its_own_break_before_make_ttbr_switch():
    obj = corpus_obj("hibernate-")
    r = obj.routine("swsusp_arch_suspend_exit")
    seq = [r"msr ttbr1_el1, x(5|25)", "isb", "tlbi vmalle1", "dsb nsh",
           r"msr ttbr1_el1, x(0|21)", "isb"]
    assert count_seq(r, seq) == 2
    # copy_page: 64 bytes per iteration until a page boundary
    assert has_seq(r, [r"add x1, x1, #0x40", r"stnp x2, x3, \[x0\]"])
    assert "tst x1, #0xfff" in r


@needs_corpus
def test_relocate_kernel_uses_header_break_before_make():
    r = corpus_obj("relocate_kernel-").routine("arm64_relocate_new_kernel")
    assert has_seq(r, ["mov x1, x18", "msr ttbr1_el1, x1", "isb", "tlbi vmalle1", "dsb nsh",
                       "mov x1, x17", "msr ttbr1_el1, x1", "isb"])
    # turn_off_mmu: mov_q; pre_disable_mmu_workaround (isb); msr sctlr_el1; isb
    assert has_seq(r, [r"mov x12, #0x\w+", r"movk x12, #0x\w+", "isb",
                       "msr sctlr_el1, x12", "isb"])
    # dcache_by_myline_op civac, sy
    assert has_seq(r, [r"sub x20, x15, #0x1", "bic x19, x19, x20", "dc civac, x19",
                       "add x19, x19, x15", "cmp x19, x1", r"b\.cc \w+", "dsb sy"])


@needs_corpus
def test_pkvm_switch_pgd_and_hyp_init():
    obj = corpus_obj("kvm-hyp-")
    r = obj.routine("__pkvm_init_switch_pgd")
    assert r[:7] == ["bti c", "isb", "mrs x3, sctlr_el2", "and x4, x3, #0xfffffffffffffffe",
                     "msr sctlr_el2, x4", "isb", "tlbi alle2"]
    # ARM64_HAS_CNP absent: a NOP where "orr x5, x5, #0x1" would be
    assert has_seq(r, ["mov x5, x0", "nop", "msr ttbr0_el2, x5"])
    assert r[-7:] == ["dsb nsh", "isb", "msr sctlr_el2, x3", "isb", "ic iallu", "dsb nsh",
                      "isb"] or r[-8:-1] == ["dsb nsh", "isb", "msr sctlr_el2, x3", "isb",
                                             "ic iallu", "dsb nsh", "isb"]
    h = obj.routine("___kvm_hyp_init")
    # msr_hcr_el2 with the AmpereOne AC04_CPU_23 workaround
    assert has_seq(h, ["dsb nsh", "msr hcr_el2, x1", "isb"])
    assert has_seq(h, ["isb", "tlbi alle2", "tlbi alle1", "dsb sy"])


@needs_corpus
def test_head_enable_mmu_and_kernel_mapping():
    obj = corpus_obj("head-")
    e = obj.routine("__enable_mmu")
    # phys_to_ttbr; msr ttbr0; load_ttbr1; set_sctlr_el1
    assert has_seq(e, ["mov x2, x2", "msr ttbr0_el1, x2", "mov x1, x1", "msr ttbr1_el1, x1",
                       "isb", "msr sctlr_el1, x0", "isb", "ic iallu", "dsb nsh", "isb", "ret"])
    m = obj.routine("create_kernel_mapping")
    # KIMAGE_VADDR = 0xffff800008000000 (48-bit VA), via mov_q
    # (movz :abs_g2_s: of a negative value is a movn, shown as "mov #0xffff8000ffffffff")
    assert has_seq(m, [r"mov x5, #0xffff8000ffffffff", r"movk x5, #0x800, lsl #16",
                       r"movk x5, #0x0"])
    assert m[-2:] == ["dsb ishst", "ret"]


# ----------------------------------------------------------------------------- capabilities

@needs_corpus
@pytest.mark.parametrize("prefix", ["v5.19-", "v6.1-", "v6.9-", "newest-"])
def test_capability_on_the_command_line_flips_alternative_if(prefix):
    # cpu_do_resume: alternative_if ARM64_HAS_RAS_EXTN / msr_s SYS_DISR_EL1, xzr /
    # alternative_else_nop_endif
    off = corpus_obj(prefix).routine("cpu_do_resume")
    on = corpus_obj(prefix, caps=["ARM64_HAS_RAS_EXTN"]).routine("cpu_do_resume")
    i = find_seq(off, ["msr amuserenr_el0, xzr", "nop"])
    assert i > 0 and "msr disr_el1, xzr" not in off
    assert on[i + 1] == "msr disr_el1, xzr"
    assert len(on) == len(off)                        # same size either way
    # the unselected half is assembled, outside every routine
    dead = [t for _a, t in corpus_obj(prefix).insns[".discard.bbm.alternative"]]
    assert "msr disr_el1, xzr" in dead


@needs_corpus
def test_capability_flips_alternative_if_not_and_else():
    # v6.1 cpu_do_suspend: get_this_cpu_offset = alternative_if_not VHE: tpidr_el1 / else tpidr_el2
    off = corpus_obj("v6.1-").routine("cpu_do_suspend")
    on = corpus_obj("v6.1-", caps=["ARM64_HAS_VIRT_HOST_EXTN"]).routine("cpu_do_suspend")
    assert "mrs x12, tpidr_el1" in off and "mrs x12, tpidr_el2" not in off
    assert "mrs x12, tpidr_el2" in on and "mrs x12, tpidr_el1" not in on
    # kvm: alternative_if ARM64_HAS_CNP sets TTBR0_EL2.CnP
    r = corpus_obj("kvm-hyp-", caps=["ARM64_HAS_CNP"]).routine("__pkvm_init_switch_pgd")
    assert has_seq(r, ["mov x5, x0", "orr x5, x5, #0x1", "msr ttbr0_el2, x5"])


# ----------------------------------------------------------------------------- geometry

@needs_corpus
def test_ptrs_per_pte_override_changes_the_loop_bound():
    base = corpus_obj("v6.1-").routine("idmap_kpti_install_ng_mappings")
    small = corpus_obj("v6.1-", defines={"PTRS_PER_PTE": "2"}).routine(
        "idmap_kpti_install_ng_mappings")
    # kpti_mk_tbl_ng pte, PTRS_PER_PTE: add end_ptep, cur_ptep, #PTRS_PER_PTE * 8
    assert "add x15, x14, #0x1, lsl #12" in base
    assert "add x15, x14, #0x10" in small and "add x15, x14, #0x1, lsl #12" not in small
    # the other levels are unchanged
    assert "add x6, x5, #0x1, lsl #12" in small
    small_pgd = corpus_obj("v6.1-", defines={"PTRS_PER_PGD": "4"}).routine(
        "idmap_kpti_install_ng_mappings")
    assert "add x6, x5, #0x20" in small_pgd


# ----------------------------------------------------------------------------- macros

# One invocation per macro, and the instructions it must assemble to.
MACRO_CASES = [
    ("adr_l x0, sym", ["adrp x0, 0", "add x0, x0, #0x0"]),
    ("ldr_l x1, sym", ["adrp x1, 0", r"ldr x1, \[x1\]"]),
    ("ldr_l w1, sym, x2", ["adrp x2, 0", r"ldr w1, \[x2\]"]),
    ("str_l x1, sym, x2", ["adrp x2, 0", r"str x1, \[x2\]"]),
    # objdump shows the movz/movn encodings GNU as picks for :abs_gN_s:
    ("mov_q x0, 0x1234", ["movz x0, #0x0, lsl #16", "movk x0, #0x1234"]),
    ("mov_q x0, 0x123456789a", ["mov x0, #0x1200000000", "movk x0, #0x3456, lsl #16",
                                "movk x0, #0x789a"]),
    ("mov_q x0, 0x123456789abcdef0", ["mov x0, #0x1234000000000000",
                                      "movk x0, #0x5678, lsl #32",
                                      "movk x0, #0x9abc, lsl #16", "movk x0, #0xdef0"]),
    ("mov_q x0, -2", ["movn x0, #0x0, lsl #16", "movk x0, #0xfffe"]),
    ("phys_to_ttbr x1, x2", ["mov x1, x2"]),
    ("phys_to_pte x1, x2", ["mov x1, x2"]),
    ("pte_to_phys x1, x2", ["and x1, x2, #0xfffffffff000"]),
    ("offset_ttbr1 x1, x2", []),
    ("restore_ttbr1 x1", []),
    ("load_ttbr1 x0, x1, x2", ["mov x1, x0", "msr ttbr1_el1, x1", "isb"]),
    ("break_before_make_ttbr_switch x5, x6, x7, x8",
     ["mov x7, x5", "msr ttbr1_el1, x7", "isb", "tlbi vmalle1", "dsb nsh", "mov x7, x6",
      "msr ttbr1_el1, x7", "isb"]),
    ("pre_disable_mmu_workaround", ["isb"]),
    ("set_sctlr_el1 x0", ["msr sctlr_el1, x0", "isb", "ic iallu", "dsb nsh", "isb"]),
    ("set_sctlr_el2 x0", ["msr sctlr_el2, x0", "isb", "ic iallu", "dsb nsh", "isb"]),
    ("save_and_disable_daif x3", ["mrs x3, daif", "msr daifset, #0xf"]),
    ("restore_daif x3", ["msr daif, x3"]),
    ("disable_daif", ["msr daifset, #0xf"]),
    ("enable_daif", ["msr daifclr, #0xf"]),
    ("enable_dbg", ["msr daifclr, #0x8"]),
    ("disable_dbg", ["msr daifset, #0x8"]),
    ("tcr_set_t0sz x0, x1", ["bfxil x0, x1, #0, #6"]),
    ("tcr_set_t1sz x0, x1", ["bfi x0, x1, #16, #6"]),
    ("tcr_compute_pa_size x0, #32, x1, x2",
     ["mrs x1, id_aa64mmfr0_el1", "ubfx x1, x1, #0, #3", "mov x2, #0x5", "cmp x1, x2",
      "csel x1, x2, x1, hi", "bfi x0, x1, #32, #3"]),
    ("dcache_line_size x0, x1", ["mrs x1, ctr_el0", "nop", "ubfx x1, x1, #16, #4",
                                 "mov x0, #0x4", "lsl x0, x0, x1"]),
    ("raw_dcache_line_size x0, x1", ["mrs x1, ctr_el0", "ubfx x1, x1, #16, #4",
                                     "mov x0, #0x4", "lsl x0, x0, x1"]),
    ("dcache_by_line_op civac, sy, x0, x1, x2, x3",
     ["mrs x3, ctr_el0", "nop", "ubfx x3, x3, #16, #4", "mov x2, #0x4", "lsl x2, x2, x3",
      "sub x3, x2, #0x1", "bic x0, x0, x3", "dc civac, x0", "add x0, x0, x2", "cmp x0, x1",
      r"b\.cc \w+", "dsb sy"]),
    ("dcache_by_myline_op cvau, ish, x0, x1, x2, x3",
     ["sub x3, x2, #0x1", "bic x0, x0, x3", "dc cvau, x0", "add x0, x0, x2", "cmp x0, x1",
      r"b\.cc \w+", "dsb ish"]),
    ("msr_s SYS_DISR_EL1, xzr", ["msr disr_el1, xzr"]),
    ("mrs_s x0, SYS_ID_AA64MMFR2_EL1", ["mrs x0, id_aa64mmfr2_el1"]),
    ("msr_hcr_el2 x0", ["dsb nsh", "msr hcr_el2, x0", "isb"]),
    ("ventry 1f\n1:", ["nop*", r"b \w+"]),    # .align 7 (padding) then the branch
    ("sb", ["dsb nsh", "isb"]),
    ("esb", ["esb"]),                                 # HINT #16
    ("csdb", ["csdb"]),
    ("nops 3", ["nop", "nop", "nop"]),
    ("copy_page x0, x1, x2, x3, x4, x5, x6, x7, x8, x9",
     [r"ldp x2, x3, \[x1\]", r"ldp x4, x5, \[x1, #16\]", r"ldp x6, x7, \[x1, #32\]",
      r"ldp x8, x9, \[x1, #48\]", "add x1, x1, #0x40", r"stnp x2, x3, \[x0\]",
      r"stnp x4, x5, \[x0, #16\]", r"stnp x6, x7, \[x0, #32\]", r"stnp x8, x9, \[x0, #48\]",
      "add x0, x0, #0x40", "tst x1, #0xfff", r"b\.ne \w+"]),
    ("get_this_cpu_offset x0", ["mrs x0, tpidr_el1"]),
    ("set_this_cpu_offset x0", ["msr tpidr_el1, x0"]),
    ("reset_pmuserenr_el0 x0", ["mrs x0, id_aa64dfr0_el1", "sbfx x0, x0, #8, #4",
                                "cmp x0, #0x1", r"b\.lt \w+", "msr pmuserenr_el0, xzr"]),
    ("reset_amuserenr_el0 x0", ["mrs x0, id_aa64pfr0_el1", "ubfx x0, x0, #44, #4",
                                r"cbz x0, \w+", "msr amuserenr_el0, xzr"]),
    ("ptrauth_keys_install_kernel_nosync x0, x1, x2, x3", ["nop"] * 5),
    ("invalidate_icache_by_line x0, x1, x2, x3",
     ["mrs x3, ctr_el0", "nop", "and x3, x3, #0xf", "mov x2, #0x4", "lsl x2, x2, x3",
      "sub x3, x2, #0x1", "bic x3, x0, x3", "ic ivau, x3", "add x3, x3, x2", "cmp x3, x1",
      r"b\.cc \w+", "dsb ish", "isb"]),
    ("tcr_clear_errata_bits x0, x1, x2",
     ["mrs x1, midr_el1", r"mov x2, #0x\w+", "movk x2, #0xffff", "and x1, x1, x2",
      "mov x2, #0x460f0000", "movk x2, #0x10", "cmp x1, x2", r"b\.ne \w+",
      "mov x2, #0x60000000000000", "movk x2, #0x0, lsl #32", "movk x2, #0x0, lsl #16",
      "movk x2, #0x0", "bic x0, x0, x2"]),
    ("idmap_get_t0sz x0", ["adrp x0, 0", "orr x0, x0, #0xffffffffffff", "clz x0, x0"]),
    ("frame_push 2\nframe_pop", [r"stp x29, x30, \[sp, #-32\]!", "mov x29, sp",
                                 r"stp x19, x20, \[sp, #16\]", r"ldp x19, x20, \[sp, #16\]",
                                 r"ldp x29, x30, \[sp\], #32"]),
    ("alternative_if_not ARM64_HAS_VA52\nmov x0, #1\nalternative_else\nmov x0, #2\n"
     "alternative_endif", ["mov x0, #0x1"]),
    ("alternative_if ARM64_HAS_VA52\nmov x0, #1\nalternative_else\nmov x0, #2\n"
     "alternative_endif", ["mov x0, #0x2"]),
    ("alternative_if ARM64_HAS_VA52\nmov x0, #1\nmov x1, #1\nalternative_else_nop_endif",
     ["nop", "nop"]),
    ("alternative_if ARM64_ALWAYS_SYSTEM\nmov x0, #1\nalternative_else_nop_endif",
     ["mov x0, #0x1"]),
    ("alternative_cb ARM64_ALWAYS_SYSTEM, some_cb\nmov x0, #1\nalternative_cb_end",
     ["mov x0, #0x1"]),
    ("alternative_cb some_cb\nmov x0, #1\nalternative_cb_end", ["mov x0, #0x1"]),
    ("ALTERNATIVE(\"mov x0, #1\", \"mov x0, #2\", ARM64_HAS_VA52)", ["mov x0, #0x1"]),
    ("ASM_BUG()", ["brk #0x800"]),
    ("init_el2_hcr 0", ["movz x0, #0x0, lsl #16", "movk x0, #0x0", "mrs x1, s3_0_c0_c7_4",
                        "sbfx x1, x1, #24, #4", "cmp x1, #0x0", r"b\.ge \w+",
                        "orr x0, x0, #0x400000000", "dsb nsh", "msr hcr_el2, x0", "isb",
                        "isb"]),
]

MACRO_PRELUDE = """#include <linux/linkage.h>
#include <asm/assembler.h>
#include <asm/asm_pointer_auth.h>
#include <asm/el2_setup.h>
#include <asm/kvm_mmu.h>
"""


def test_each_macro_produces_its_instruction_sequence(tmp_path):
    src = MACRO_PRELUDE
    for i, (call, _exp) in enumerate(MACRO_CASES):
        src += f"SYM_FUNC_START(case{i})\n{call}\nSYM_FUNC_END(case{i})\n"
    p = preprocess_string(src, "macros.S")
    obj = assemble(p.text, tmp_path, "macros")
    bad = []
    for i, (call, exp) in enumerate(MACRO_CASES):
        got = obj.routine(f"case{i}")[1:]          # after "bti c"
        if exp[:1] == ["nop*"]:                      # any amount of alignment padding
            while got and got[0] == "nop":
                got = got[1:]
            exp = exp[1:]
        if len(got) != len(exp) or find_seq(got, exp) != 0:
            bad.append(f"{call!r}:\n    expected {exp}\n    got      {got}")
    assert not bad, "\n".join(bad)


def test_macros_with_capabilities_present(tmp_path):
    src = MACRO_PRELUDE + (
        "SYM_FUNC_START(c0)\nsb\nSYM_FUNC_END(c0)\n"
        "SYM_FUNC_START(c1)\nget_this_cpu_offset x0\nSYM_FUNC_END(c1)\n"
        "SYM_FUNC_START(c2)\nptrauth_keys_install_kernel_nosync x0, x1, x2, x3\nSYM_FUNC_END(c2)\n"
        "SYM_FUNC_START(c3)\ndcache_by_myline_op cvac, sy, x0, x1, x2, x3\nSYM_FUNC_END(c3)\n")
    p = preprocess_string(src, "caps.S", capabilities=[
        "ARM64_HAS_SB", "ARM64_HAS_VIRT_HOST_EXTN", "ARM64_HAS_ADDRESS_AUTH",
        "ARM64_WORKAROUND_CLEAN_CACHE"])
    obj = assemble(p.text, tmp_path, "caps")
    assert obj.routine("c0")[1:] == ["sb", "nop"]
    assert obj.routine("c1")[1:] == ["mrs x0, tpidr_el2"]
    assert obj.routine("c2")[1:] == ["mov x1, #0x910", "add x1, x0, x1", r"ldp x2, x3, [x1]",
                                     "msr apiakeylo_el1, x2", "msr apiakeyhi_el1, x3"]
    assert "dc civac, x0" in obj.routine("c3")


@pytest.mark.parametrize("src,msg", [
    ("alternative_if ARM64_X\nnop\nalternative_if ARM64_Y\n", "cannot be nested"),
    ("alternative_else\n", "without alternative_if"),
    ("alternative_if_not ARM64_X\nnop\nalternative_else\nnop\nnop\nalternative_endif\n",
     "differ in size"),
])
def test_alternative_misuse_is_reported_by_the_assembler(tmp_path, src, msg):
    _require_binutils()
    p = preprocess_string("#include <asm/alternative.h>\n" + src, "bad.S")
    s = tmp_path / "bad.s"
    s.write_text(p.text)
    r = subprocess.run([AS, str(s), "-o", str(tmp_path / "bad.o")], capture_output=True,
                       text=True)
    assert r.returncode != 0 and msg in r.stderr


def test_39_bit_profile_constants_in_code(tmp_path):
    src = ("#include <linux/linkage.h>\n#include <asm/assembler.h>\n"
           "#include <asm/kernel-pgtable.h>\n"
           "SYM_FUNC_START(f)\nmov_q x0, KIMAGE_VADDR\nmov x1, #PTRS_PER_PGD\n"
           "mov x2, #PGDIR_SHIFT\nmov x3, #SWAPPER_RX_MMUFLAGS\nSYM_FUNC_END(f)\n")
    obj = assemble(preprocess_string(src, profile="linux-arm64-4k-39").text, tmp_path)
    # KIMAGE_VADDR = 0xffffffc008000000
    assert obj.routine("f")[1:] == ["mov x0, #0xffffffc0ffffffff",
                                    "movk x0, #0x800, lsl #16", "movk x0, #0x0",
                                    "mov x1, #0x200", "mov x2, #0x1e", "mov x3, #0x781"]
