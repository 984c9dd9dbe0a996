"""Unit tests of bbmcheck.grammar.preprocess: the cpp invocation, profiles, errors.

These need only the system cpp (Debian package `cpp`), not the corpus.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from bbmcheck.errors import FrontEndError
from bbmcheck.grammar import preprocess as pp
from bbmcheck.grammar.preprocess import (
    Preprocessed, list_profiles, load_profile, preprocess, preprocess_string)

LINEMARKER = re.compile(r'^#\s*(\d+)\s+"([^"]*)"')


def body(p: Preprocessed) -> list[str]:
    """The non-empty, non-linemarker lines of the output, stripped."""
    return [ln.strip() for ln in p.text.splitlines()
            if ln.strip() and not LINEMARKER.match(ln)]


def origin_of(p: Preprocessed, needle: str) -> tuple[str, int]:
    """(file, line) that the first output line containing `needle` came from."""
    file, line = None, 0
    for ln in p.text.splitlines():
        m = LINEMARKER.match(ln)
        if m:
            file, line = m.group(2), int(m.group(1))
            continue
        if needle in ln:
            return file, line
        line += 1
    raise AssertionError(f"{needle!r} not in output")


# ----------------------------------------------------------------------------- profiles

def test_list_profiles_has_the_two_linux_profiles_and_not_the_base():
    names = list_profiles()
    assert "linux-arm64-4k-48" in names
    assert "linux-arm64-4k-39" in names
    assert "linux-arm64" not in names          # abstract base


def test_profiles_share_headers_and_differ_in_config_only():
    p48, p39 = load_profile("linux-arm64-4k-48"), load_profile("linux-arm64-4k-39")
    assert p48.include_dirs == p39.include_dirs      # one shared include directory
    diff = {k for k in set(p48.defines) | set(p39.defines)
            if p48.defines.get(k) != p39.defines.get(k)}
    assert diff == {"CONFIG_ARM64_VA_BITS", "CONFIG_PGTABLE_LEVELS",
                    "CONFIG_ARM64_VA_BITS_48", "CONFIG_ARM64_VA_BITS_39"}
    assert p48.defines["CONFIG_PGTABLE_LEVELS"] == "4"
    assert p39.defines["CONFIG_PGTABLE_LEVELS"] == "3"
    assert p48.chain == ("linux-arm64-4k-48", "linux-arm64")


def test_default_profile_is_4k_48():
    p = preprocess_string("CONFIG_ARM64_VA_BITS CONFIG_PGTABLE_LEVELS\n")
    assert p.profile == "linux-arm64-4k-48"
    assert body(p) == ["48 4"]


NAMES = ["PTRS_PER_PGD", "PTRS_PER_PUD", "PTRS_PER_PMD", "PTRS_PER_PTE", "PGDIR_SHIFT",
         "PAGE_SIZE", "PAGE_OFFSET", "KIMAGE_VADDR"]


@pytest.mark.parametrize("profile,expect", [
    ("linux-arm64-4k-48", [512, 512, 512, 512, 39, 4096,
                           0xffff000000000000, 0xffff800008000000]),
    ("linux-arm64-4k-39", [512, "PTRS_PER_PUD", 512, 512, 30, 4096,
                           0xffffff8000000000, 0xffffffc008000000]),
])
def test_geometry_constants(profile, expect):
    src = "#include <asm/pgtable-hwdef.h>\n" + "".join(n + "\n" for n in NAMES)
    lines = body(preprocess_string(src, profile=profile))[-len(NAMES):]
    got = []
    for expr in lines:   # C integer expressions: evaluate as 64-bit two's complement
        got.append(eval(expr) & (2**64 - 1) if expr.startswith("(") else expr)
    assert got == expect


def test_unknown_profile_is_an_error_naming_the_choices():
    with pytest.raises(FrontEndError) as e:
        preprocess_string("nop\n", profile="linux-arm64-64k-52")
    assert "unknown profile" in str(e.value)
    assert "linux-arm64-4k-48" in str(e.value)


def test_abstract_profile_cannot_be_used():
    with pytest.raises(FrontEndError, match="abstract"):
        preprocess_string("nop\n", profile="linux-arm64")


def test_no_profile_gives_plain_cpp_with_target_macros():
    p = preprocess_string("#ifdef CONFIG_ARM64\nyes\n#endif\n__aarch64__\n", profile=None)
    assert body(p) == ["1"]
    assert p.profile is None
    assert "CONFIG_ARM64" not in p.defines


# ----------------------------------------------------------------------------- cpp setup

def test_host_macros_do_not_leak_and_target_macros_are_defined():
    p = preprocess_string("__x86_64__ __linux__ __GNUC__ __unix__ i386 linux\n"
                          "__aarch64__ __AARCH64EL__ __LP64__ __ASSEMBLY__ __ASSEMBLER__ __KERNEL__\n")
    assert body(p) == ["__x86_64__ __linux__ __GNUC__ __unix__ i386 linux", "1 1 1 1 1 1"]


def test_system_headers_are_not_searched():
    with pytest.raises(FrontEndError) as e:
        preprocess_string("#include <stdio.h>\n", "t.S")
    assert e.value.file == "t.S" and e.value.line == 1
    assert "stdio.h" in e.value.message


def test_linemarkers_map_lines_back_to_the_file(tmp_path):
    src = tmp_path / "r.S"
    src.write_text("#include <linux/linkage.h>\n"
                   "\n"
                   "SYM_FUNC_START(f)\n"
                   "\tmov\tx0, #PAGE_SIZE\n"
                   "\ttlbi\tvmalle1\n"
                   "SYM_FUNC_END(f)\n")
    p = preprocess(str(src))
    assert p.path == str(src)
    assert origin_of(p, "tlbi") == (str(src), 5)
    assert origin_of(p, ".globl f") == (str(src), 3)
    # PAGE_SIZE was not included: it stays as written
    assert "mov x0, #PAGE_SIZE" in body(p)


def test_sym_macros_emit_globl_type_size_and_bti():
    p = preprocess_string("#include <linux/linkage.h>\n"
                          "SYM_FUNC_START(f)\nret\nSYM_FUNC_END(f)\n"
                          "SYM_DATA(d, .long 1)\n")
    text = " ".join(body(p))
    assert ".globl f ; .balign 4 ; f: bti c ;" in text
    assert ".type f, %function ; .size f, . - f" in text
    assert ".globl d ; ; d: ; .long 1 ; .type d, %object ; .size d, . - d" in text


def test_preprocess_string_names_the_file_in_errors():
    with pytest.raises(FrontEndError) as e:
        preprocess_string("nop\nnop\n#error boom here\n", "mine.S")
    assert (e.value.file, e.value.line) == ("mine.S", 3)
    assert "boom here" in e.value.message
    assert str(e.value).startswith("mine.S:3: error:")


def test_error_inside_a_header_names_the_header_and_the_include_chain(tmp_path):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "bad.h").write_text("/* */\n#error broken header\n")
    src = tmp_path / "a.S"
    src.write_text("nop\n#include <bad.h>\n")
    with pytest.raises(FrontEndError) as e:
        preprocess(str(src), include_dirs=[str(inc)])
    assert e.value.file.endswith("bad.h") and e.value.line == 2
    assert f"included from {src}:2" in e.value.message


def test_missing_include_is_an_error_with_location(tmp_path):
    src = tmp_path / "m.S"
    src.write_text("\n\n#include <asm/no-such-header.h>\n")
    with pytest.raises(FrontEndError) as e:
        preprocess(str(src))
    assert (e.value.file, e.value.line) == (str(src), 3)
    assert "asm/no-such-header.h" in e.value.message


def test_missing_source_file():
    with pytest.raises(FrontEndError) as e:
        preprocess("/nonexistent/dir/x.S")
    assert e.value.file == "/nonexistent/dir/x.S"


def test_directory_as_source(tmp_path):
    with pytest.raises(FrontEndError, match="directory"):
        preprocess(str(tmp_path))


def test_missing_include_dir_is_an_error(tmp_path):
    with pytest.raises(FrontEndError, match="does not exist"):
        preprocess_string("nop\n", include_dirs=[str(tmp_path / "nope")])


def test_cpp_missing_from_the_machine_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("BBMCHECK_CPP", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(FrontEndError) as e:
        preprocess_string("nop\n")
    assert "preprocessor was not found" in e.value.message
    assert "cpp" in e.value.message
    assert str(e.value).startswith("<string>: error:")


def test_bbmcheck_cpp_override(monkeypatch):
    monkeypatch.setenv("BBMCHECK_CPP", "no-such-cpp-binary-xyz")
    with pytest.raises(FrontEndError, match="command not found"):
        preprocess_string("nop\n")
    monkeypatch.setenv("BBMCHECK_CPP", shutil.which("cpp"))
    assert body(preprocess_string("__aarch64__\n")) == ["1"]


@pytest.mark.parametrize("kwargs,msg", [
    (dict(defines={"1BAD": "x"}), "invalid -D macro name"),
    (dict(defines={"A": "x\ny"}), "one line"),
    (dict(capabilities=["ARM64 HAS"]), "invalid capability"),
    (dict(undefines=["a-b"]), "invalid macro name"),
])
def test_bad_arguments_are_front_end_errors(kwargs, msg):
    with pytest.raises(FrontEndError, match=msg):
        preprocess_string("nop\n", **kwargs)


# ----------------------------------------------------------------------------- overrides

def test_user_define_overrides_profile_define():
    p = preprocess_string("CONFIG_ARM64_PA_BITS PTRS_PER_PTE\n#include <asm/pgtable-hwdef.h>\n"
                          "PTRS_PER_PTE\n", defines={"CONFIG_ARM64_PA_BITS": "40",
                                                     "PTRS_PER_PTE": "2"})
    lines = body(p)
    assert lines[0] == "40 2" and lines[-1] == "2"
    assert p.defines["CONFIG_ARM64_PA_BITS"] == "40"
    assert p.warnings == []                   # override, not a redefinition


def test_bare_define_and_undefine():
    p = preprocess_string("#ifdef CONFIG_UNMAP_KERNEL_AT_EL0\nkpti\n#endif\nFOO\n",
                          defines={"FOO": None}, undefines=["CONFIG_UNMAP_KERNEL_AT_EL0"])
    assert body(p) == ["1"]
    assert p.defines["FOO"] is None
    assert "CONFIG_UNMAP_KERNEL_AT_EL0" not in p.defines


def test_inconsistent_config_is_refused():
    with pytest.raises(FrontEndError, match="CONFIG_PGTABLE_LEVELS does not match"):
        preprocess_string("#include <asm/pgtable-hwdef.h>\n",
                          defines={"CONFIG_PGTABLE_LEVELS": "3"})
    with pytest.raises(FrontEndError, match="52-bit"):
        preprocess_string("nop\n", defines={"CONFIG_ARM64_VA_BITS_52": "1"})
    with pytest.raises(FrontEndError, match="4 KiB granule"):
        preprocess_string("nop\n", defines={"CONFIG_ARM64_64K_PAGES": "1"})


def test_user_include_dir_comes_before_the_profile(tmp_path):
    (tmp_path / "asm").mkdir()
    (tmp_path / "asm" / "page.h").write_text("#define PAGE_SIZE mine\n")
    p = preprocess_string("#include <asm/page.h>\nPAGE_SIZE\n", include_dirs=[str(tmp_path)])
    assert body(p) == ["mine"]
    assert p.include_dirs[0] == str(tmp_path)
    assert p.include_dirs[1:] == load_profile("linux-arm64-4k-48").include_dirs


def test_capabilities_reach_the_headers_as_one_list():
    p = preprocess_string("BBM_CAPABILITIES\n", capabilities=["ARM64_HAS_CNP", "ARM64_HAS_VA52"])
    assert body(p) == ["ARM64_ALWAYS_BOOT,ARM64_ALWAYS_SYSTEM,ARM64_HAS_CNP,ARM64_HAS_VA52"]
    assert p.capabilities == ("ARM64_ALWAYS_BOOT", "ARM64_ALWAYS_SYSTEM",
                              "ARM64_HAS_CNP", "ARM64_HAS_VA52")
    # no capability beyond the always-present ones by default
    assert preprocess_string("nop\n").capabilities == ("ARM64_ALWAYS_BOOT", "ARM64_ALWAYS_SYSTEM")


def test_defines_record_everything_passed():
    p = preprocess_string("nop\n", defines={"X": "1"}, capabilities=["ARM64_HAS_CNP"])
    assert p.defines["X"] == "1"
    assert p.defines["__ASSEMBLY__"] == "1"
    assert p.defines["__KERNEL__"] == "1"
    assert p.defines["CONFIG_UNMAP_KERNEL_AT_EL0"] == "1"
    assert p.defines["BBM_CAPABILITIES"].endswith("ARM64_HAS_CNP")


# ----------------------------------------------------------------------------- guards

def test_a_file_defining_a_profile_macro_gets_its_own(tmp_path):
    src = tmp_path / "own.S"
    src.write_text("#include <asm/assembler.h>\n"
                   "\t.macro\tpte_to_phys, phys, pte\n"
                   "\tand\t\\phys, \\pte, #PTE_ADDR_LOW\n"
                   "\t.endm\n")
    p = preprocess(str(src))
    assert p.defines.get("__BBM_USER_MACRO_pte_to_phys", "absent") is None
    defs = [ln for ln in body(p) if re.match(r"\.macro\s+pte_to_phys\b", ln)]
    assert len(defs) == 1                              # only the file's own
    assert origin_of(p, ".macro pte_to_phys")[0] == str(src)


def test_no_guard_when_the_file_defines_only_new_macros(tmp_path):
    src = tmp_path / "new.S"
    src.write_text("#include <asm/assembler.h>\n.macro my_own\nnop\n.endm\n")
    p = preprocess(str(src))
    assert not [k for k in p.defines if k.startswith("__BBM_USER_MACRO_")]


def test_a_macro_only_in_a_false_cpp_branch_is_not_a_clash(tmp_path):
    src = tmp_path / "c.S"
    src.write_text("#include <asm/assembler.h>\n#if 0\n.macro mov_q r, v\n.endm\n#endif\n")
    p = preprocess(str(src))
    assert "__BBM_USER_MACRO_mov_q" not in p.defines
    assert any(re.match(r"\.macro\s+mov_q\b", ln) for ln in body(p))


def test_every_profile_gas_macro_is_guarded():
    """Any gas macro a profile header defines can be replaced by a file's own."""
    inc = Path(load_profile("linux-arm64-4k-48").include_dirs[0])
    unguarded = []
    for h in sorted(list(inc.rglob("*.h")) + list(inc.rglob("*.S"))):
        lines = h.read_text().splitlines()
        for i, ln in enumerate(lines):
            m = re.match(r"\s*\.macro\s+([A-Za-z_]\w*)", ln)
            if not m or m.group(1).startswith("__bbm_"):
                continue
            guard = f"#ifndef __BBM_USER_MACRO_{m.group(1)}"
            if guard not in lines[max(0, i - 8):i]:
                unguarded.append(f"{h.relative_to(inc)}:{i + 1} {m.group(1)}")
    assert unguarded == []


# ----------------------------------------------------------------------------- robustness

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

_PIECES = st.sampled_from([
    "#", "include", "define", "if", "ifdef", "endif", "else", "error", "line", " ", "\n",
    "\t", '"', "'", "<", ">", "(", ")", ",", "\\", "x", "1", "A", "__VA_ARGS__", "##",
    "/*", "*/", "//", "asm/assembler.h", "PAGE_SIZE", "alternative_if", "\x00", "\ud800",
    "é", "mov x0, #1", ".macro", "pte_to_phys", ".endm"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_arbitrary_text_gives_output_or_a_located_error(text):
    try:
        p = preprocess_string(text, "fuzz.S")
    except FrontEndError as e:
        assert e.file is not None
        assert str(e)
    else:
        assert isinstance(p.text, str)
