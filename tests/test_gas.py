"""The gas macro language and assembler state (grammar/gas.py) through
`assemble_string`: macros, .req, conditionals, repetition, symbols, sections,
layout, literal pools, data, routines, and the errors bad input must give."""
from __future__ import annotations

import pytest

from bbmcheck.errors import FrontEndError
from bbmcheck.grammar.frontend import assemble_string, entry_routine
from bbmcheck.grammar.program import (Cond, Data, ExtendedReg, Imm, Instruction, Literal,
                                      MacroFrame, Mem, Name, Reg, ShiftedReg, SymRef)


def insns(src: str, section: str = ".text") -> list[Instruction]:
    p = assemble_string(src, "t.S")
    return [i for i in p.sections[section].items if isinstance(i, Instruction)]


def texts(src: str, section: str = ".text") -> list[str]:
    return [i.text for i in insns(src, section)]


def error(src: str) -> FrontEndError:
    with pytest.raises(FrontEndError) as e:
        assemble_string(src, "t.S")
    return e.value


X = lambda n: Reg(f"x{n}", n, 64)   # noqa: E731


# ----------------------------------------------------------------- operands

def test_operands_resolved():
    i = insns("""
        ldr x0, [x1, #8]!
        ldp x2, x3, [sp], #16
        ldr x4, [x5, w6, sxtw #3]
        add x7, x8, x9, lsl #3
        add x7, x8, #1, lsl #12
        csel x0, x1, x2, cs
        tlbi vaae1is, x0
        msr ttbr1_el1, x0
        dsb nshst
        b.HS 1f
    1:  ret
        mov x0, lr
        cmp wzr, w1
    """)
    assert i[0].operands == (X(0), Mem(X(1), Imm(8), "pre"))
    assert i[1].operands == (X(2), X(3), Mem(Reg("sp", 31, 64, True), Imm(16), "post"))
    assert i[2].operands[1] == Mem(X(5), ExtendedReg(Reg("w6", 6, 32), "sxtw", 3))
    assert i[3].operands[2] == ShiftedReg(X(9), "lsl", 3)
    assert i[4].operands[2] == Imm(1, 12)
    assert i[5].operands[3] == Cond("hs")
    assert i[6].operands == (Name("vaae1is"), X(0))
    assert i[7].operands == (Name("ttbr1_el1"), X(0))
    assert i[8].operands == (Name("nshst"),)
    assert (i[9].mnemonic, i[9].cond) == ("b", "hs")
    assert i[9].operands == (SymRef("1$1", 0, None, "1f"),)
    assert i[11].operands == (X(0), X(30))
    assert i[12].operands[0] == Reg("wzr", 31, 32)


def test_upper_case_like_herd_litmus():
    i = insns("MOV X0, #1\nSTR X0, [X1]\nLDR W2, [X3, #4]\nB.NE .\nDMB SY")
    assert [x.mnemonic for x in i] == ["mov", "str", "ldr", "b", "dmb"]
    assert i[1].operands == (X(0), Mem(X(1)))
    assert i[3].cond == "ne"
    assert i[4].operands == (Name("sy"),)


def test_immediate_expressions_and_abs_operators():
    i = insns("""
        mov x0, #3 << 20
        str xzr, [x0, #8 * (1 + 1)]
        movz x1, #:abs_g1_s:-0x12345678
        movk x1, #:abs_g0_nc:-0x12345678
        movz x2, :abs_g2:0x123456789abc
        add x3, x3, :lo12:sym
        tst x0, #~((1 << 12) - 1)
    """)
    assert i[0].operands[1] == Imm(3 << 20)
    assert i[1].operands[1] == Mem(X(0), Imm(16))
    assert (i[2].mnemonic, i[2].operands[1]) == ("movn", Imm(0x1234, 16))
    assert i[3].operands[1] == Imm(0xA988)
    assert i[4].operands[1] == Imm(0x1234, 32)
    assert i[5].operands[2] == SymRef("sym", 0, "lo12", "sym")
    assert i[6].operands[1] == Imm(~0xFFF)


def test_symbol_as_immediate_is_an_error():
    e = error("mov x0, #undefined_thing")
    assert "undefined_thing" in e.message and e.loc.line == 1
    e = error("lbl: add x0, x0, #lbl")
    assert "immediate" in e.message


def test_unknown_instruction_is_an_undefined_macro_error():
    e = error("\tnop\n\tkpti_map_pgtbl pgd, 0\n")
    assert e.loc.line == 2 and "kpti_map_pgtbl" in e.message and "macro" in e.message
    # unknown to the model but a real A64 instruction: kept, with parsed operands
    i = insns("fmla v0.4s, v1.4s, v2.4s\nsha256h q0, q1, v2.4s")
    assert i[0].mnemonic == "fmla" and len(i[0].operands) == 3


# ----------------------------------------------------------------- macros

def test_macro_arguments():
    t = texts(r"""
    .macro m a, b=7, c:vararg
        add x0, x1, #\a
        add x0, x1, #\b
        .ifnb \c
        orr \c
        .endif
    .endm
    .macro kw reg, val=3
        mov \reg, #\val
    .endm
        m 1
        m 2, 3
        m 4 5, x0, x1, x2
        kw x3
        kw val=9, reg=x4
        kw x5, val=11
    """)
    assert t == ["add x0, x1, #1", "add x0, x1, #7", "add x0, x1, #2", "add x0, x1, #3",
                 "add x0, x1, #4", "add x0, x1, #5", "orr x0, x1, x2", "mov x3, #3",
                 "mov x4, #9", "mov x5, #11"]


def test_macro_concatenation_counter_exitm_purgem_case():
    t = texts(r"""
    .macro cat a
        mov x\a\()0, x\a
    .endm
    .macro lab
    .Ll\@: b .Ll\@
    .endm
    .macro early n
        .if \n == 0
        .exitm
        .endif
        mov x\n, #\n
    .endm
    .macro Mixed
        nop
    .endm
        cat 1
        lab
        lab
        early 0
        early 3
        MIXED
        .purgem mixed
    .macro mixed
        yield
    .endm
        mixed
    """)
    assert t == ["mov x10, x1", "b .Ll1", "b .Ll2", "mov x3, #3", "nop", "yield"]


def test_nested_macros_give_the_expansion_chain():
    p = assemble_string(r"""
    .macro inner p
        str xzr, [\p]
    .endm
    .macro outer r
        inner \r
    .endm
        outer x7
    """, "chain.S")
    ins = p.sections[".text"].items[0]
    assert ins.loc.file == "chain.S" and ins.loc.line == 3
    assert ins.loc.expansion == (MacroFrame("inner", "chain.S", 6),
                                 MacroFrame("outer", "chain.S", 8))
    assert ins.loc.short() == "chain.S:8 outer ← inner"
    assert ins.source == r"str xzr, [\p]" and ins.text == "str xzr, [x7]"


@pytest.mark.parametrize("src,where,msg", [
    (".macro m a:req\n nop\n.endm\n m\n", 4, "required"),
    (".macro m a\n nop\n.endm\n m 1, 2\n", 4, "too many"),
    (".macro m a\n nop\n.endm\n m b=1\n", 4, "no parameter"),
    (".macro m\n nop\n", 1, ".endm"),
    (".endm\n", 1, "without `.macro`"),
    (".macro m\n.endm\n.macro M\n.endm\n", 3, "already defined"),
    (".rept 2\n nop\n", 1, ".endr"),
    (".purgem nope\n", 1, "no such macro"),
])
def test_macro_errors(src, where, msg):
    e = error(src)
    assert e.loc.line == where and msg in e.message


def test_macro_error_names_the_chain():
    e = error(".macro m\n .error \"bad level\"\n.endm\n nop\n m\n")
    assert e.loc.line == 2 and e.loc.expansion == (MacroFrame("m", "t.S", 5),)
    assert "bad level" in e.render() and "in macro m invoked at t.S:5" in e.render()


def test_end_of_macro_inside_conditional():
    e = error(".macro open\n .if 1\n.endm\n open\n .endif\n")
    assert "inside a conditional" in e.message


# ----------------------------------------------------------------- .req

def test_req_chains_case_and_unreq():
    t = texts("""
        pgd .req x7
        pud .req pgd
        FOO .req x13
        mov pud, pgd
        mov foo, FOO
        .unreq pgd
        mov pud, x1
        tmp .req w3
        add tmp, tmp, #1
        .unreq tmp
        tmp .req x3
        add tmp, tmp, #1
    """)
    assert t == ["mov x7, x7", "mov x13, x13", "mov x7, x1", "add w3, w3, #1",
                 "add x3, x3, #1"]


def test_req_errors():
    assert "unknown register alias" in error(".unreq nope").message
    assert "not a register" in error("a .req b").message
    e = error("x .req x1\n.unreq x\nmov x0, x\n")
    assert e.loc.line == 3


# ----------------------------------------------------------------- conditionals

def test_conditionals():
    t = texts("""
        .set L, 4
        .if L > 3
        mov x0, #1
        .elseif L > 2
        mov x0, #2
        .else
        mov x0, #3
        .endif
        .if L > 5
        mov x1, #1
        .elseif L > 2
        mov x1, #2
        .endif
        .ifc pte, pte
        mov x2, #1
        .endif
        .ifnc pgd, pte
        mov x2, #2
        .endif
        .ifdef L
        mov x3, #1
        .endif
        .ifndef M
        mov x3, #2
        .endif
        .ifeq L - 4
        mov x4, #1
        .endif
        .iflt -1
        mov x4, #2
        .endif
        .if 0
        .if 1
        .error "not taken"
        .endif
        this is not even syntax
        .else
        mov x5, #1
        .endif
        .ifb
        mov x5, #2
        .endif
        .ifnes "a", "b"
        mov x5, #3
        .endif
    """)
    assert t == ["mov x0, #1", "mov x1, #2", "mov x2, #1", "mov x2, #2", "mov x3, #1",
                 "mov x3, #2", "mov x4, #1", "mov x4, #2", "mov x5, #1", "mov x5, #2",
                 "mov x5, #3"]


@pytest.mark.parametrize("src,line,msg", [
    (".if 1\n nop\n", 1, "without `.endif`"),
    (" nop\n.endif\n", 2, "without `.if`"),
    (".else\n", 1, "without `.if`"),
    (".if 1\n.else\n.else\n.endif\n", 3, "second `.else`"),
    (".if 1\n.else\n.elseif 1\n.endif\n", 3, "after `.else`"),
    (".if undefined_sym\n.endif\n", 1, "undefined_sym"),
    (".if 1 / 0\n.endif\n", 1, "division by zero"),
])
def test_conditional_errors(src, line, msg):
    e = error(src)
    assert e.loc.line == line and msg in e.message


# ----------------------------------------------------------------- repetition

def test_rept_irp_irpc():
    t = texts(r"""
        .rept 2
        nop
        .endr
        .irp r, x0, x1
        mov \r, #0
        .endr
        .irpc c, 56
        mov x\c, #\c
        .endr
        .set i, 0
        .rept 3
        add x0, x0, #i
        .set i, i + 1
        .endr
    """)
    assert t == ["nop", "nop", "mov x0, #0", "mov x1, #0", "mov x5, #5", "mov x6, #6",
                 "add x0, x0, #0", "add x0, x0, #1", "add x0, x0, #2"]
    p = assemble_string(".rept 2\n nop\n.endr\n", "r.S")
    assert p.sections[".text"].items[1].loc.expansion == (MacroFrame(".rept", "r.S", 1),)


# ----------------------------------------------------------------- labels and symbols

def test_local_labels_and_forward_references():
    p = assemble_string("""
    f:
    1:  nop
        b 1b
        b 1f
    1:  b 1b
        adr x0, .Lfwd
        mov x1, #(.Lfwd - f)
    .Lfwd: ret
    """, "l.S")
    i = [x for x in p.sections[".text"].items]
    assert i[1].operands[0] == SymRef("1$1", 0, None, "1b")
    assert i[2].operands[0] == SymRef("1$2", 0, None, "1f")
    assert p.symbols["1$2"].offset == 12
    assert i[3].operands[0].name == "1$2"
    assert i[4].operands[1] == SymRef(".Lfwd", 0, None, ".Lfwd")
    assert i[5].operands[1] == Imm(24)
    assert p.symbols[".Lfwd"].offset == 24


def test_label_alias_defined_later():
    """`.set .Lnext_pud, .Lnext_pgd` as in proc.S with 3 levels; also forward."""
    p = assemble_string("""
        .set .Lalias, .Ltarget
        b .Lalias
        nop
    .Ltarget:
        ret
        .set .Lback, .Ltarget
    """, "a.S")
    assert p.symbols[".Lalias"].offset == 8 == p.symbols[".Lback"].offset
    b = p.sections[".text"].items[0]
    assert b.operands[0].name in (".Lalias", ".Ltarget")
    assert p.address_of(".Lalias") == p.address_of(".Ltarget")


@pytest.mark.parametrize("src,line,msg", [
    ("a: nop\na: nop\n", 2, "already defined"),
    (" b 1f\n", 1, "local label `1:`"),
    (" b 1b\n", 1, "`1b`"),
    (".equiv A, 1\n.equiv A, 2\n", 2, "already defined"),
    (".set a, b\n.set b, a\nmov x0, #a\n", 3, "itself"),
])
def test_symbol_errors(src, line, msg):
    e = error(src)
    assert e.loc.line == line and msg in e.message


def test_equates():
    t = texts("""
        .equ A, 3
        .set B, A * 2
        C = B + 1
        D=C+1
        .eqv F, A + 1
        mov x0, #D
        mov x1, #F
        .set A, 10
        mov x2, #F
        mov x3, #G
        .set G, 12
    """)
    assert t == ["mov x0, #8", "mov x1, #4", "mov x2, #11", "mov x3, #12"]


# ----------------------------------------------------------------- sections and layout

def test_sections_push_pop_previous():
    p = assemble_string("""
        nop
        .pushsection .data, "aw"
    d1: .quad 1
        .popsection
        yield
        .section .rodata, "a"
        .word 5
        .previous
        wfe
        .pushsection ".idmap.text", "awx"
        isb
        .popsection
    """, "s.S")
    assert [i.text for i in p.sections[".text"].items] == ["nop", "yield", "wfe"]
    assert [i.offset for i in p.sections[".text"].items] == [0, 4, 8]
    assert p.sections[".idmap.text"].flags == "awx"
    assert p.symbols["d1"].section == ".data"
    assert error(".popsection\n").loc.line == 1


def test_alignment_pads_code_with_nops_and_data_with_zeros():
    p = assemble_string("""
        .byte 1
        .align 4
        ret
        .section .d, "aw"
        .byte 1
        .align 3
        .byte 2
    """, "a.S")
    t = p.sections[".text"].items
    assert isinstance(t[1], Data) and t[1].size == 3
    assert [i.mnemonic for i in t if isinstance(i, Instruction)] == ["nop"] * 3 + ["ret"]
    assert t[-1].offset == 16
    d = p.sections[".d"].items
    assert d[1].values == [(7, 0)] and d[2].offset == 8


def test_literal_pools_where_gas_puts_them():
    p = assemble_string("""
    f:  ldr x0, =0x12345678abcd
        ldr w1, =5
        ldr x2, =f
        ldr x3, =0x12345678abcd
        nop
        .ltorg
        ldr x4, =7
    """, "p.S")
    items = p.sections[".text"].items
    ins = [i for i in items if isinstance(i, Instruction)]
    lit = [i.operands[1] for i in ins if i.operands and isinstance(i.operands[-1], Literal)]
    # 4-byte pool first at 0x14, then the 8-byte pool aligned to 8 (0x18), shared entries
    assert [l.pool_offset for l in lit] == [0x18, 0x14, 0x20, 0x18, 0x30]
    assert lit[0].value == 0x12345678ABCD and lit[2].value == SymRef("f", 0)
    data = {d.offset: d.values for d in items if isinstance(d, Data)}
    assert data[0x14] == [(4, 5)] and data[0x18] == [(8, 0x12345678ABCD)]
    assert data[0x30] == [(8, 7)]          # end-of-section pool, after padding at 0x2c


def test_data_directives_and_data_symbols():
    p = assemble_string("""
        .pushsection ".data", "aw", %progbits
        .globl flag
    flag: .long 1
        .type flag, %object
        .size flag, . - flag
        .byte 1, -1, 'a
        .hword 0x1234
        .quad flag + 8, ext
        .ascii "ab"
        .asciz "c"
        .space 3
        .fill 2, 2, 0x77
        .word ext2 - .
        .popsection
    """, "d.S")
    s = p.symbols["flag"]
    assert (s.section, s.offset, s.kind, s.size, s.is_global) == (".data", 0, "object", 4, True)
    vals = [v for d in p.sections[".data"].items for v in d.values]
    assert vals[:4] == [(4, 1), (1, 1), (1, 0xFF), (1, 97)]
    assert (8, SymRef("flag", 8)) in vals and (8, SymRef("ext", 0)) in vals
    assert vals[-1] == (4, SymRef("ext2", 0, "prel"))   # ext2 - .
    assert p.externals == {"ext", "ext2"}
    assert p.initial_value("flag") == 1
    assert p.initial_value("flag", 8) == 0x3461FF01_00000001   # .long 1; .byte 1, -1, 97; .hword
    p2 = assemble_string(".data\nptr: .quad target + 8\ntarget: .byte 5\n", "q.S")
    assert p2.initial_value("ptr") == SymRef("target", 8)
    with pytest.raises(ValueError):
        p2.initial_value("ptr", 4)


def test_org_and_inst():
    p = assemble_string(".inst 0xd503201f\n.org 0x10\n.inst 0xd5033fdf\n", "o.S")
    it = p.sections[".text"].items
    assert it[0].mnemonic == ".inst" and it[0].operands == (Imm(0xD503201F),)
    assert it[-1].offset == 0x10
    assert "backwards" in error(".org 8\n.org 4\n").message


# ----------------------------------------------------------------- routines

def test_routines_from_type_and_size():
    p = assemble_string("""
        .globl a
        .type a, %function
    a:  nop
        ret
        .size a, . - a
    helper:
        nop
        .type b, @function
    b:  ret
        .type c, %function
    c:  nop
        ret
    """, "r.S")
    assert list(p.routines) == ["a", "b", "c"]
    a, b, c = p.routines.values()
    assert (a.start, a.end, [i.text for i in a.instructions]) == (0, 8, ["nop", "ret"])
    assert (b.start, b.end) == (12, 16)          # up to the next function
    assert (c.start, c.end) == (16, 24)          # up to the end of the section
    h = entry_routine(p, "helper")
    assert (h.start, h.end) == (8, 12)
    with pytest.raises(FrontEndError, match="no label"):
        entry_routine(p, "missing")


def test_layout_addresses():
    p = assemble_string(".text\nf: nop\n.data\nd: .quad f\n", "l.S")
    assert p.address_of("f") == p.sections[".text"].base
    assert p.address_of("d") == p.sections[".data"].base
    assert p.instruction_at(p.address_of("f")).mnemonic == "nop"
    assert p.sections[".data"].base % 0x1000 == 0


def test_unknown_directive_and_error_directive():
    assert "unknown directive" in error(".frobnicate 1\n").message
    e = error('.error "PAGE_OFFSET must be aligned"\n')
    assert "PAGE_OFFSET must be aligned" in e.message
    # ignored directives
    assert texts(".cfi_startproc\n.arch armv8-a\n.arch_extension lse\nnop\n.cfi_endproc\n") \
        == ["nop"]


def test_include(tmp_path):
    (tmp_path / "inc.s").write_text(".macro two\n nop\n nop\n.endm\n")
    (tmp_path / "main.s").write_text('.include "inc.s"\n two\n')
    from bbmcheck.grammar.frontend import assemble_preprocessed
    p = assemble_preprocessed((tmp_path / "main.s").read_text(), str(tmp_path / "main.s"))
    assert len(p.sections[".text"].items) == 2
    assert "not found" in error('.include "nope.s"\n').message


# ----------------------------------------------------------------- other projects' habits

def test_branch_condition_without_the_dot():
    # Xen's head.S writes `beq`/`bne`/`bgt`; GNU as takes them as b.eq, b.ne, ...
    i = insns("1: beq 1b\n bne 1b\n bgt 1b\n bcs 1b\n blo 1b\n bls 1b\n b.eq 1b\n")
    assert [(x.mnemonic, x.cond) for x in i] == [
        ("b", "eq"), ("b", "ne"), ("b", "gt"), ("b", "hs"), ("b", "lo"), ("b", "ls"),
        ("b", "eq")]
    # bal/bnv are not mnemonics in GNU as either; bl is still branch-with-link
    assert "bal" in error("1: bal 1b\n").render()
    assert [x.mnemonic for x in insns("f: bl f\n")] == ["bl"]


def test_global_labels_outside_functions_start_routines():
    # Jailhouse / older Xen: `.globl f; f:` with no .type or .size
    p = assemble_string("""
        .text
        .globl a
a:      nop
        nop
local:  nop
        .globl b
b:      ret
        .globl f
        .type f, %function
f:      nop
        .globl inner
inner:  ret
        .size f, . - f
        .globl c
c:      ret
""", "t.S")
    r = {n: (x.start, x.end) for n, x in p.routines.items()}
    # a runs to the next routine start, local labels do not split it; a global
    # label inside a sized function is not a routine of its own
    assert r == {"a": (0, 12), "b": (12, 16), "f": (16, 24), "c": (24, 28)}
