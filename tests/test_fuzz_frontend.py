"""Property-based tests: whatever text comes in, the front end either builds a
Program or raises FrontEndError with a location -- never another exception.

Two sources of input: random "statement soup" assembled from gas fragments (labels,
instructions with all operand forms, macro/conditional/repetition directives, `.req`,
sections, data, deliberate junk), and real corpus lines with random mutations."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bbmcheck.errors import FrontEndError
from bbmcheck.grammar.frontend import assemble_string
from bbmcheck.grammar.program import Program

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

REGS = ["x0", "x1", "w2", "sp", "xzr", "wzr", "lr", "x30", "v0.16b", "q1", "d2", "tmp",
        "pte", "X3", "Xzr", "x31", "w32"]
EXPRS = ["1", "#1", "#-8", "#(1 << 12)", "#0x10", "sym", "1b", "1f", ".", ". + 8",
         "#:lo12:sym", ":abs_g1_s:0x1234", "#~0", "(1", "2 / 0", "'a", "0b101", "08",
         "#PAGE_SIZE", "lbl - .", "\\arg", "\\@", "=0x1234", "=sym", "[x0]", "[x0, #8]!",
         "[x0], #8", "[x0, x1, lsl #3]", "[x1, w2, sxtw #2]", "[x0, :lo12:sym]", "lsl #3",
         "uxtw", "eq", "ne", "{v0.16b, v1.16b}", "v0.s[1]", "ttbr1_el1", "vaae1is", "ish"]
MNEMONICS = ["mov", "add", "ldr", "str", "ldp", "b", "b.ne", "cbz", "tbnz", "adrp", "msr",
             "mrs", "tlbi", "dsb", "isb", "csel", "movz", "movk", "orr", "ld1", "ret",
             "MOV", "frob", "m", "mac2", ".inst", "fmov", "nop"]
DIRECTIVES = [".if 1", ".if 0", ".if sym", ".elseif 1", ".else", ".endif", ".ifc a, b",
              ".ifnb \\arg", ".ifdef sym", ".macro m arg=1", ".macro mac2 a:req, b:vararg",
              ".endm", ".exitm", ".purgem m", ".rept 2", ".irp r, x0, x1", ".irpc c, 12",
              ".endr", "tmp .req x5", "pte .req tmp", ".unreq tmp", ".set sym, 4",
              ".set lbl, .Lx", "sym = sym + 1", ".equ E, 1 / 0", ".section .d, \"aw\"",
              ".pushsection .x, \"ax\"", ".popsection", ".previous", ".text", ".data",
              ".align 3", ".balign 3", ".p2align 2,,1", ".byte 1, 256", ".quad sym",
              ".long lbl - .", ".ascii \"a\\n\"", ".asciz \"x", ".space 4", ".fill 2, 4, 1",
              ".org 8", ".ltorg", ".globl f", ".type f, %function", ".size f, . - f",
              ".error \"e\"", ".warning \"w\"", ".include \"nope\"", ".weird", ".end",
              ".cfi_startproc", ".arch armv8-a"]
LABELS = ["1:", "2:", "f:", ".Lx:", "lbl:", "\\arg:", ".L\\@:", "1", "::"]
JUNK = ["", " ", ";", "//", "/*", "*/", "\\", "\"", "'", "#", "@", "$", "%", "!", "(", ")",
        "[", "]", "{", "}", ",", "=", ":", "\t", "0x", "é"]


@st.composite
def statement(draw):
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        mn = draw(st.sampled_from(MNEMONICS))
        ops = draw(st.lists(st.sampled_from(REGS + EXPRS), max_size=4))
        s = f"\t{mn} " + ", ".join(ops)
    elif kind <= 6:
        s = "\t" + draw(st.sampled_from(DIRECTIVES))
    elif kind == 7:
        s = draw(st.sampled_from(LABELS)) + " " + draw(st.sampled_from(["nop", "", "ret"]))
    else:
        s = "".join(draw(st.lists(st.sampled_from(JUNK + REGS + EXPRS + MNEMONICS),
                                  max_size=6)))
    if draw(st.integers(0, 5)) == 0:
        s += " " + draw(st.sampled_from(JUNK))
    return s


def check(text: str) -> None:
    try:
        prog = assemble_string(text, "fuzz.S")
    except FrontEndError as e:
        assert e.loc is not None or e.file is not None, f"no location: {e}"
        if e.loc is not None:
            assert e.loc.file == "fuzz.S" or e.loc.file.endswith("nope")
            assert 1 <= e.loc.line <= text.count("\n") + 1, e
        assert "Traceback" not in e.render()
        return
    assert isinstance(prog, Program)
    for ins in prog.instructions():
        assert ins.text is not None and ins.loc.line >= 1


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(statement(), min_size=1, max_size=25))
def test_statement_soup_never_crashes(lines):
    check("\n".join(lines) + "\n")


def _corpus_lines() -> list[str]:
    out: list[str] = []
    for p in sorted(CORPUS.glob("**/*.S")) + sorted(CORPUS.glob("**/*.h")):
        try:
            out.extend(p.read_text(errors="replace").splitlines())
        except OSError:
            pass
    return out or ["\tmov x0, x1", "1:\tcbnz x0, 1b", ".macro m a\n\tadd \\a, \\a, #1\n.endm"]


LINES = _corpus_lines()


@st.composite
def mutated_window(draw):
    start = draw(st.integers(0, len(LINES) - 1))
    n = draw(st.integers(1, 30))
    window = LINES[start:start + n]
    out = []
    for line in window:
        op = draw(st.integers(0, 9))
        if op == 0 and line:
            k = draw(st.integers(0, len(line) - 1))
            line = line[:k] + line[k + 1:]
        elif op == 1:
            k = draw(st.integers(0, len(line)))
            line = line[:k] + draw(st.sampled_from(JUNK + ["x0", "1", "\\x", ".endm"])) + line[k:]
        elif op == 2 and line:
            k = draw(st.integers(0, len(line) - 1))
            line = line[:k] + draw(st.sampled_from(JUNK)) + line[k + 1:]
        elif op == 3:
            continue
        elif op == 4:
            out.append(line)
        out.append(line)
    return "\n".join(out) + "\n"


@SETTINGS
@given(mutated_window())
def test_mutated_corpus_lines_never_crash(text):
    check(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_crashes(text):
    check(text)
