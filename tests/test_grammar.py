"""The statement grammar (grammar/aarch64.lark via grammar/syntax.py), GNU as
expression semantics (grammar/expr.py) and the input scrubber (grammar/scrub.py).

Expected values of expressions are what aarch64-linux-gnu-as 2.40 produced for the
same text (see also the differential expression test in test_gnu_as.py)."""
from __future__ import annotations

import pytest

from bbmcheck.grammar.expr import Env, ExprError, Undefined, Val, evaluate, parse_number
from bbmcheck.grammar.scrub import read_statements, scrub, split_line
from bbmcheck.grammar.syntax import (OpExpr, OpFloat, OpIndexed, OpLiteral, OpMem,
                                     OpRegList, OpShift, SyntaxProblem, parse_expr,
                                     parse_instruction)


class NoSyms(Env):
    def symbol(self, name):
        return None

    def position(self, name):
        return None

    def dot(self):
        return Val(0x40, ".text")

    def local(self, n, d):
        return f"{n}$1"


def ev(text: str) -> int:
    v = evaluate(parse_expr(text), NoSyms())
    assert v.is_abs
    return v.const


# ----------------------------------------------------------------- expressions

@pytest.mark.parametrize("text,value", [
    ("1 + 3 & 1", 2),               # & binds tighter than + (not C!)
    ("2 == 1 + 1", -1),             # comparisons are below +, true is -1
    ("1 < 2 == -1", -1),
    ("1 || 0 && 0", 1),             # && above ||
    ("6 % 4 * 3", 6),
    ("2 * 3 % 4", 2),
    ("1 ^ 3 * 2", 7),
    ("2 + 3 << 1", 8),
    ("1 | 2 & 0", 0),               # | and & share a level, left to right
    ("-1 >> 60", 15),               # logical shift of the 64-bit pattern
    ("-16 >> 2", 0x3FFFFFFFFFFFFFFC),
    ("-7 / 2", -3),                 # truncation toward zero
    ("-7 % 3", -1),
    ("3 ! 4", -5),                  # or-not: 3 | ~4
    ("!0", 1), ("!5", 0),
    ("1 <> 2", -1), ("1 != 1", 0), ("5 >= 5", -1), ("5 <= 4", 0),
    ("5!!3", 6), ("!!7", 1),         # `!!` between operands is xor (after scrubbing)
    ("~0 + 1", 0),
    ("1 << 65", 0), ("1 >> 64", 0),  # gas warns and gives 0
    ("0b101", 5), ("010", 8), ("0x1F", 31), ("'a", 97), ("9 - 2 - 3", 4),
    ("1 - - 1", 2), ("+4", 4),
    ("0x8000000000000000 / 2", -0x4000000000000000),
    ("0xffffffffffffffff", -1),
    ("((64 - (48)) << 0) | ((64 - (48)) << 16)", 0x100010),
])
def test_gas_expression_values(text, value):
    assert ev(text) == value


def test_division_by_zero_is_an_error():
    with pytest.raises(ExprError, match="division by zero"):
        ev("1 / 0")
    with pytest.raises(ExprError, match="division by zero"):
        ev("1 % (2 - 2)")


def test_undefined_symbol_defers_and_relocatable_rules():
    with pytest.raises(Undefined):
        evaluate(parse_expr("foo + 1"), NoSyms())
    v = evaluate(parse_expr("foo + 1 - 2"), NoSyms(), allow_undefined=True)
    assert v == Val(-1, "foo")
    with pytest.raises(ExprError):
        evaluate(parse_expr("foo * 2"), NoSyms(), allow_undefined=True)
    with pytest.raises(ExprError):
        evaluate(parse_expr("-foo"), NoSyms(), allow_undefined=True)


@pytest.mark.parametrize("tok,node", [
    ("42", ("num", 42)), ("0x2a", ("num", 42)), ("052", ("num", 42)),
    ("0b101010", ("num", 42)), ("1b", ("local", 1, "b")), ("23f", ("local", 23, "f")),
    ("0b", ("local", 0, "b")), ("0", ("num", 0)),
])
def test_numbers(tok, node):
    assert parse_number(tok) == node


@pytest.mark.parametrize("tok", ["12UL", "0x", "09", "0x1g", "0x1" + "0" * 17])
def test_bad_numbers(tok):
    with pytest.raises(ExprError):
        parse_number(tok)


# ----------------------------------------------------------------- instructions

def ops(text):
    return parse_instruction(text)[1]


def test_memory_operand_forms():
    x1 = OpExpr(("sym", "x1"))
    assert ops("ldr x0,[x1]")[1] == OpMem((x1,))
    assert ops("ldr x0,[x1,#8]")[1] == OpMem((x1, OpExpr(("num", 8), True)))
    assert ops("ldr x0,[x1,#8]!")[1] == OpMem((x1, OpExpr(("num", 8), True)), True)
    post = ops("ldr x0,[x1],#8")
    assert post[1] == OpMem((x1,)) and post[2] == OpExpr(("num", 8), True)
    assert ops("ldr x0,[x1,x2,lsl#3]")[1].items[2] == OpShift("lsl", ("num", 3))
    assert ops("ldr x0,[x1,w2,sxtw #2]")[1].items[2] == OpShift("sxtw", ("num", 2))
    assert ops("ldr x0,[x1,:lo12:sym]")[1].items[1] == OpExpr(("sym", "sym"), True, "lo12")
    assert ops("ldr x0,[x1,#:lo12:sym+8]")[1].items[1].reloc == "lo12"


def test_immediates_relocs_literals():
    assert ops("mov x0,3")[1] == OpExpr(("num", 3))
    assert ops("mov x0,#3<<20")[1].expr == ("bin", "<<", ("num", 3), ("num", 20))
    assert ops("movz x0,#:abs_g1_s:-5")[1] == OpExpr(("un", "-", ("num", 5)), True, "abs_g1_s")
    assert ops("movk x0,:ABS_G0_NC:sym")[1].reloc == "abs_g0_nc"
    assert ops("ldr x0,=0x1234")[1] == OpLiteral(("num", 0x1234))
    assert ops("ldr x0,=sym+8")[1] == OpLiteral(("bin", "+", ("sym", "sym"), ("num", 8)))
    assert ops("fmov d0,#1.0")[1] == OpFloat("1.0")
    assert ops("add x0,x1,#1,lsl #12")[3] == OpShift("lsl", ("num", 12))


def test_vector_operands():
    assert isinstance(ops("ld1 {v0.16b,v1.16b},[x0]")[0], OpRegList)
    assert ops("ld1 {v0.s}[1],[x0]")[0].index == ("num", 1)
    assert ops("mov v0.s[1],w0")[0] == OpIndexed(("sym", "v0.s"), ("num", 1))


def test_mnemonics_keep_their_spelling_and_dots():
    assert parse_instruction("B.NE .Ldo_pgd")[0] == "B.NE"
    assert parse_instruction("ret")[1] == ()
    assert ops("b.ne .Ldo_pgd") == (OpExpr(("sym", ".Ldo_pgd")),)
    assert ops("b .") == (OpExpr(("dot",)),)
    assert ops("cbnz w17,1b") == (OpExpr(("sym", "w17")), OpExpr(("local", 1, "b")))


@pytest.mark.parametrize("bad", ["mov x0,,x1", "ldr x0,[x1", "add x0,x1,#", "ldr x0,]",
                                 "mov x0,#(1", "mov x0, @", "b 1 2 3 +"])
def test_syntax_errors(bad):
    with pytest.raises(SyntaxProblem):
        parse_instruction(bad)


# ----------------------------------------------------------------- scrubbing

@pytest.mark.parametrize("raw,out", [
    ("\tmov\tx0,  x1 // comment", "mov x0,x1"),
    ("m 1 + 2, 3", "m 1+2,3"),
    ("m (1 + 2) 3 4", "m (1+2)3 4"),           # gas keeps a space only between symbol chars
    ("m 1 2 , 3", "m 1 2,3"),
    ("label:  mov x0 , #1", "label: mov x0,#1"),
    ("1:wfe", "1: wfe"),
    ('.ascii "a  b ; c"', '.ascii "a  b ; c"'),
    ("mov x0, #'a", "mov x0,#97"),
    ("inner \\a \\b", "inner \\a \\b"),
    ("cpu\t.req\tw0", "cpu .req w0"),
])
def test_scrub(raw, out):
    segs, _ = split_line(raw, False)
    assert scrub(segs[0]) == out


def test_statements_split_comments_and_linemarkers():
    text = ('# 1 "proc.S"\n'
            "\tnop ; isb /* a\n"
            " comment */ wfe\n"
            '# 7 "include/asm/assembler.h" 1\n'
            "\tdsb sy // x\n"
            '# 30 "proc.S" 2\n'
            "\n"
            "\tret\n")
    st = read_statements(text, "<cpp>")
    assert [(s.text, s.file, s.line) for s in st] == [
        ("nop", "proc.S", 1), ("isb", "proc.S", 1), ("wfe", "proc.S", 2),
        ("dsb sy", "include/asm/assembler.h", 7), ("ret", "proc.S", 31)]
    assert st[3].raw == "dsb sy"
