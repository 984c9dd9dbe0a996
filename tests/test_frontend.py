"""The front end on real input: every routine of every Linux corpus file with both
Linux profiles, the Program IR of the motivating routine, our example, and the
`routines` / `expand` commands (including their errors: exit 2, no traceback)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bbmcheck.errors import FrontEndError
from bbmcheck.grammar.frontend import entry_routine, load_program
from bbmcheck.grammar.program import Data, Imm, Mem, Name, Reg, SymRef

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PROC = CORPUS / "linux" / "proc.S"
LINUX_FILES = sorted(PROC.glob("*.S")) + sorted((CORPUS / "other" / "linux").glob("*.S"))
PROFILES = ["linux-arm64-4k-48", "linux-arm64-4k-39"]
V61 = PROC / "v6.1-c50d3285-mmuon-47546a19-routine.S"
EXAMPLE = ROOT / "examples" / "remap" / "remap.S"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")


# ----------------------------------------------------------------- the corpus walk

@needs_corpus
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", LINUX_FILES, ids=lambda p: p.name)
def test_every_linux_routine_expands(path, profile):
    prog = load_program(path, profile=profile)
    assert prog.routines, f"no routines found in {path.name}"
    for r in prog.routines.values():
        r2 = entry_routine(prog, r.name)
        assert r2.instructions == r.instructions
        for ins in r.instructions:
            assert ins.loc.line > 0 and os.path.basename(ins.loc.file)
            assert ins.text and ins.mnemonic
            assert prog.instruction_at(ins.address) is ins
            for f in ins.loc.expansion:
                assert f.line > 0 and f.name
    if path.parent.name == "proc.S":
        assert {"idmap_kpti_install_ng_mappings", "idmap_cpu_replace_ttbr1"} <= set(prog.routines)


@needs_corpus
def test_kpti_routine_ir():
    prog = load_program(V61)
    r = prog.routines["idmap_kpti_install_ng_mappings"]
    assert r.section == ".idmap.text"
    texts = [i.text for i in r.instructions]
    # the BBM sequence of kpti_map_pgtbl pgd, 0 with the .req names resolved
    k = texts.index("str xzr, [x0, #8]")
    assert texts[k:k + 7] == ["str xzr, [x0, #8]", "dsb nshst", "add x16, x0, #0x1000",
                              "lsr x16, x16, #12", "tlbi vaae1, x16", "dsb nsh", "isb"]
    brk = r.instructions[k]
    assert brk.operands == (Reg("xzr", 31, 64), Mem(Reg("x0", 0, 64), Imm(8)))
    assert brk.loc.expansion[0].name == "kpti_map_pgtbl"
    assert os.path.basename(brk.loc.expansion[0].file) == V61.name
    assert brk.loc.short().startswith(f"{V61.name}:302 kpti_map_pgtbl")
    assert brk.source.startswith("str") and "temp_pte" in brk.source
    tlbi = r.instructions[k + 4]
    assert tlbi.operands == (Name("vaae1"), Reg("x16", 16, 64))
    # data symbol with its initial value
    flag = prog.symbols["__idmap_kpti_flag"]
    assert flag.section == ".data"
    (d,) = [it for it in prog.sections[".data"].items if it.offset == flag.offset]
    assert isinstance(d, Data) and d.values == [(4, 1)]
    assert prog.initial_value("__idmap_kpti_flag") == 1 and flag.kind == "object"
    # externals stay symbolic
    assert {"swapper_pg_dir", "reserved_pg_dir"} <= prog.externals
    adrp = next(i for i in r.instructions if i.mnemonic == "adrp"
                and i.operands[1].name == "swapper_pg_dir")
    assert adrp.operands[1] == SymRef("swapper_pg_dir", 0, None, "swapper_pg_dir")
    # branches to local labels resolve within the routine
    sec = entry_routine(prog, "__idmap_kpti_secondary")
    assert r.start < sec.start < r.end == sec.end


@needs_corpus
def test_three_level_profile_folds_the_pud():
    p48 = load_program(V61, profile="linux-arm64-4k-48")
    p39 = load_program(V61, profile="linux-arm64-4k-39")
    assert ".Ldo_pud" in p48.symbols and ".Ldo_pud" not in p39.symbols
    # `.set .Lnext_pud, .Lnext_pgd` and `pud .req pgd`
    assert p39.address_of(".Lnext_pud") == p39.address_of(".Lnext_pgd")
    r39 = p39.routines["idmap_kpti_install_ng_mappings"]
    assert len(r39.instructions) < len(p48.routines["idmap_kpti_install_ng_mappings"].instructions)


# ----------------------------------------------------------------- our example

def test_example_expands():
    prog = load_program(EXAMPLE)
    r = prog.routines["remap_page"]
    seq = [i.text for i in r.instructions if i.mnemonic != "bti"]
    assert seq == ["str xzr, [x0]", "dsb ishst", "ubfx x3, x2, #12, #44", "tlbi vaae1is, x3",
                   "dsb ish", "str x1, [x0]", "dsb ishst", "isb", "ret"]


# ----------------------------------------------------------------- the commands

def bbm(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "bbmcheck", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def test_cli_routines_and_expand_on_the_example():
    r = bbm("routines", EXAMPLE)
    assert r.returncode == 0, r.stderr
    assert "remap_page" in r.stdout and ".text" in r.stdout and "remap.S:34" in r.stdout
    r = bbm("expand", EXAMPLE, "--entry", "remap_page")
    assert r.returncode == 0, r.stderr
    assert "remap.S:37 tlbi_va_all_asid" in r.stdout and "tlbi vaae1is, x3" in r.stdout


@needs_corpus
def test_cli_acceptance_commands():
    r = bbm("routines", V61)
    assert r.returncode == 0 and "idmap_kpti_install_ng_mappings" in r.stdout
    r = bbm("expand", V61, "--entry", "idmap_kpti_install_ng_mappings")
    assert r.returncode == 0
    assert f"{V61.name}:302 kpti_map_pgtbl" in r.stdout
    assert ".Lderef_pgd:" in r.stdout
    r = bbm("expand", V61, "--entry", "idmap_kpti_install_ng_mappings",
            "--profile", "linux-arm64-4k-39")
    assert r.returncode == 0 and ".Lderef_pud:" in r.stdout


@pytest.mark.parametrize("body,where,msg", [
    ("\tmov x0, x1\n\tfrob x0\n", "bad.S:2", "unknown instruction `frob`"),
    ("\t.macro m\n\tnop\n", "bad.S:1", ".endm"),
    ("\t.if 1\n\tnop\n", "bad.S:1", ".endif"),
    ("\t.unreq nope\n", "bad.S:1", "unknown register alias"),
    ("\tmov x0, #(1 +\n", "bad.S:1", "syntax error"),
    ('\t.error "stop here"\n', "bad.S:1", "stop here"),
    ("#include <no/such/header.h>\n", "bad.S:1", "No such file"),
    ("\t.macro m\n\tfrob\n\t.endm\n\tm\n", "bad.S:2", "in macro m invoked at"),
])
def test_cli_errors_exit_2_without_traceback(tmp_path, body, where, msg):
    f = tmp_path / "bad.S"
    f.write_text(body)
    for cmd in ("routines", "expand"):
        r = bbm(cmd, f)
        assert r.returncode == 2, (r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
        assert where in r.stderr and msg in r.stderr, r.stderr


def test_cli_defines_includes_and_caps(tmp_path):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "mine.h").write_text(".macro twice op\n\t\\op\n\t\\op\n.endm\n")
    f = tmp_path / "d.S"
    f.write_text("#include <mine.h>\n\t.type f, %function\nf:\n#ifdef FAST\n\ttwice isb\n"
                 "#else\n\ttwice nop\n#endif\n\tmov x0, #VAL\n\t.size f, . - f\n")
    r = bbm("expand", f, "-I", inc, "-D", "FAST", "-D", "VAL=7", "--entry", "f")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("isb") == 2 and "mov x0, #7" in r.stdout
    r = bbm("expand", f, "-I", inc, "-D", "VAL=1", "--cap", "ARM64_HAS_RAS_EXTN")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("nop") == 2
    r = bbm("routines", f)
    assert r.returncode == 2 and "mine.h" in r.stderr


def test_missing_file_and_unknown_entry(tmp_path):
    r = bbm("routines", tmp_path / "nope.S")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = bbm("expand", EXAMPLE, "--entry", "nope")
    assert r.returncode == 2 and "no label `nope`" in r.stderr


def test_load_program_errors_are_front_end_errors(tmp_path):
    f = tmp_path / "e.S"
    f.write_text("\tb 1f\n")
    with pytest.raises(FrontEndError) as e:
        load_program(f)
    assert e.value.loc.line == 1 and e.value.loc.file.endswith("e.S")


@needs_corpus
def test_largest_corpus_file_expands_in_under_a_second():
    import time
    from bbmcheck.grammar import syntax
    largest = max(LINUX_FILES, key=lambda p: len(p.read_text(errors="replace").splitlines()))
    load_program(EXAMPLE)                        # build the parser once
    for f in (syntax.parse_instruction, syntax.parse_expr, syntax.parse_exprs):
        f.cache_clear()
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        load_program(largest)
        best = min(best, time.perf_counter() - t0)
    assert best < 1.0, f"{largest.name}: {best:.2f} s"


OTHER_FILES = sorted(p for p in (CORPUS / "other").glob("*/*.S") if p.parent.name != "linux")


@needs_corpus
@pytest.mark.parametrize("path", OTHER_FILES, ids=lambda p: p.name)
def test_other_projects_assemble_with_their_profile(path):
    """Xen, TF-A, U-Boot, edk2, OP-TEE, Jailhouse: `--profile auto` picks the
    project's profile and the file assembles (tests/test_profiles_other.py checks
    the routines, the semantics and GNU as)."""
    prog = load_program(path, profile="auto")
    assert prog.profile != "linux-arm64-4k-48"
    if "asm_macros" in path.name:                # TF-A's macro header: no code
        assert not prog.routines
    else:
        assert prog.sections and prog.routines
