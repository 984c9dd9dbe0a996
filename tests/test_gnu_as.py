"""Differential test of the front end against GNU as (aarch64-linux-gnu-as/objdump).

Our Program is rendered back to plain gas statements (grammar/gnu_as.py), assembled
and disassembled next to GNU as's own object for the same source; routine by routine
every instruction must disassemble identically (aliases, hex immediates and branch
targets normalised by objdump on both sides), data must have the same bytes and
relocations, and every instruction gas emitted must be one of ours.

The binutils are required: this test fails, not skips, when they are missing (Debian
`binutils-aarch64-linux-gnu`; .ci/run installs them).  The Linux corpus part skips,
with the reason, when ../shared/corpus is absent.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bbmcheck.grammar import gnu_as
from bbmcheck.errors import FrontEndError
from bbmcheck.grammar.frontend import assemble_preprocessed, assemble_string
from bbmcheck.grammar.program import Data, Imm, Instruction, Reg

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
LINUX_FILES = sorted((CORPUS / "linux" / "proc.S").glob("*.S")) + \
    sorted((CORPUS / "other" / "linux").glob("*.S"))
PROFILES = ["linux-arm64-4k-48", "linux-arm64-4k-39"]


@pytest.fixture(scope="module", autouse=True)
def binutils():
    if not gnu_as.tools_available():
        pytest.fail(f"{gnu_as.AS} / {gnu_as.OBJDUMP} not found: install the Debian package "
                    "binutils-aarch64-linux-gnu (.ci/run does)")


def _show(rep):
    return "\n".join(str(m) for m in rep.mismatches[:40])


# ----------------------------------------------------------------- the Linux corpus

@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("path", LINUX_FILES, ids=lambda p: p.name)
def test_linux_corpus_matches_gnu_as(path, profile):
    from bbmcheck.grammar.preprocess import preprocess
    pp = preprocess(path, profile=profile)
    prog = assemble_preprocessed(pp.text, str(path))
    rep = gnu_as.compare(prog, pp.text)
    assert rep.ok, _show(rep)
    # every routine with instructions was compared, instruction by instruction
    for r in prog.routines.values():
        if r.instructions:
            assert rep.compared.get(r.name) == len(r.instructions), r.name
    if path.parent.name == "proc.S":
        for must in ("idmap_kpti_install_ng_mappings", "idmap_cpu_replace_ttbr1"):
            assert rep.compared.get(must, 0) > 5, must


def test_corpus_present_or_skipped_with_reason():
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    assert len(LINUX_FILES) >= 10


# ----------------------------------------------------------------- hand-written sources

SNIPS = {}
SNIPS['macros'] = r'''
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
.macro lab
.Ll\@:	b .Ll\@
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
f:	m 1
	m 2, 3
	m 4, 5, x0, x1, x2
	m 1 2
	m (1 + 2), 3
	kw x3
	kw val=9, reg=x4
	kw x5, val=11
	lab
	lab
	early 0
	early 3
	mixed
	MIXED
	.purgem mixed
.macro mixed
	yield
.endm
	mixed
.macro outer r
	inner \r, \r
.endm
.macro inner p, q
	add \p, \q, #1
.endm
	outer x9
.macro cat a
	mov x\a\()0, x\a
.endm
	cat 1
'''
SNIPS['req'] = r'''
	pgd .req x7
	pud .req pgd
	PMD .req x13
	mov pud, pgd
	mov pmd, PMD
	.unreq pgd
	mov pud, x1
	tmp .req w3
	add tmp, tmp, #1
	.unreq tmp
	tmp .req x3
	add tmp, tmp, #1
'''
SNIPS['cond'] = r'''
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
	.else
	mov x1, #3
	.endif
	.ifc a,a
	nop
	.endif
	.ifnc a,b
	yield
	.endif
	.ifeqs "x", "x"
	wfe
	.endif
	.ifnes "x", "y"
	wfi
	.endif
	.ifdef L
	sev
	.endif
	.ifndef NOPE
	sevl
	.endif
	.ifeq L - 4
	mov x2, #1
	.endif
	.ifne L
	mov x2, #2
	.endif
	.iflt -1
	mov x2, #3
	.endif
	.ifle 0
	mov x2, #4
	.endif
	.ifgt 1
	mov x2, #5
	.endif
	.ifge 0
	mov x2, #6
	.endif
	.if 0
	.if 1
	mov x3, #1
	.else
	mov x3, #2
	.endif
	.error "never"
	.else
	mov x3, #3
	.endif
	.ifb
	mov x4, #1
	.endif
'''
SNIPS['rept'] = r'''
	.rept 3
	nop
	.endr
	.irp r, x0, x1, x2
	mov \r, #0
	.endr
	.irp r x3 x4
	mov \r, #1
	.endr
	.irpc c, 567
	mov x\c, #\c
	.endr
	.set i, 0
	.rept 4
	add x0, x0, #i
	.set i, i + 1
	.endr
	.irp n, 1, 2
	.rept \n
	mov x\n, #\n
	.endr
	.endr
'''
SNIPS['labels'] = r'''
	.text
f:
1:	nop
	b 1b
	b 1f
1:	b 1b
2:	cbz x0, 2f
	tbnz x1, #3, 1b
	b.ne 2f
2:	b.eq 2b
	bl f
	b .
	b .+8
	b .-4
	adr x0, 1b
	adr x1, .Lfwd
	.set .Lalias, .Lfwd
	b .Lalias
	b.hs .Lfwd
	b.cs .Lfwd
	b.lo .Lfwd
	b.cc .Lfwd
	nop
.Lfwd:	ret
	mov x0, #(.Lfwd - 1b)
	mov x1, #(.Lend - f)
.Lend:
'''
SNIPS['sections'] = r'''
	.text
	nop
	.pushsection .data, "aw"
d1:	.quad 1
	.popsection
	yield
	.section .rodata, "a"
	.word 5
	.previous
	wfe
	.previous
	.word 6
	.pushsection ".idmap.text", "awx"
	.byte 1
	.align 3
	isb
	.popsection
	.data
	.quad d1
	.quad d1 + 8
	.word 7
	.text
	wfi
'''
SNIPS['align'] = r'''
	.text
	.byte 1
	.align 4
	nop
	.balign 16, 0xaa
	.byte 2
	.p2align 3
	.hword 3
	.align 3, 0
	.byte 4
	.align 5,,4
	.byte 5
	.align 5,,28
	.org 0x80
	nop
	.balign 32
	.org . + 6
	.align 2
	nop
	.section .d, "aw"
	.byte 1
	.align 4
	.byte 2
	.byte 3
	.balignw 8, 0x1234
	.balignl 16, 0x11223344
'''
SNIPS['data'] = r'''
	.data
	.byte 1, 2, -1, 'a
	.hword 0x1234, -2
	.short 5
	.word 0xdeadbeef
	.long 1 << 31
	.int -1
	.quad 0x123456789abcdef0, -1
	.xword 7
	.2byte 1
	.4byte 2
	.8byte 3
	.ascii "ab\n\t\"\\\101\x42"
	.asciz "z"
	.string "s", "t"
	.space 3
	.space 2, 0xff
	.skip 1
	.zero 2
	.fill 2, 4, 0x11
	.fill 3
	.fill 1, 8, 0x123456789
	.align 3
	.quad lbl
	.word lbl - .
	.quad ext + 4
	.word ext2 - .
lbl:	.word 9
	.uleb128 300
	.sleb128 -2
'''
SNIPS['literals'] = r'''
	.text
f:
	ldr x0, =0x12345678abcd
	ldr w1, =5
	ldr x2, =1
	ldr x3, =f
	ldr x4, =0x12345678abcd
	ldr x5, =ext_sym + 8
	.byte 1
	.align 3
	nop
	.ltorg
	ldr x5, =7
	ldr w6, =later
	ldr x7, =(later + 1)
	.set later, 99
	.section .other, "ax"
	ldr x8, =7
	nop
	.text
	.byte 3
	.ltorg
	ldr w9, =1
	ldr x10, =2
	.byte 3
	.ltorg
'''
SNIPS['movwide'] = r'''
	movz x0, #:abs_g1_s:-0x12345678
	movz x0, #:abs_g1_s:0x12345678
	movk x0, #:abs_g0_nc:-0x12345678
	movz x1, :abs_g2:0x123456789abc
	movk x1, :abs_g1_nc:0x123456789abc
	movz x2, :abs_g3:0x123456789abcdef0
	movz x3, :abs_g2_s:-0x123456789abc
	movz x4, :abs_g0:0x1234
	movz x4, :abs_g0_s:-2
	movz x5, #:abs_g1:sym
	movk x5, #:abs_g0_nc:sym
	mov x6, #-1
	mov w7, #-1
	mov x8, #0x10000
	mov x9, #~0xff
	movn x10, #5, lsl #16
	add x0, x1, #1, lsl #12
	add x1, x1, #:lo12:sym
	ldr x2, [x2, #:lo12:sym]
	ldr x3, [x3, :lo12:sym]
	adrp x4, sym + 0x1000
	adr x5, sym
'''
SNIPS['operands'] = r'''
	.arch armv8.2-a+lse
	ldr x0, [x1]
	ldr x0, [x1, #8]
	ldr x0, [x1, #8]!
	ldr x0, [x1], #8
	ldr x0, [x1, x2]
	ldr x0, [x1, x2, lsl #3]
	ldr x0, [x1, w2, sxtw]
	ldr x0, [x1, w2, uxtw #3]
	ldr w0, [x1, w2, sxtw #2]
	ldp x0, x1, [sp, #-16]!
	ldp x0, x1, [sp], #16
	stp x29, x30, [sp, #-32]!
	ldrb w0, [x1, #1]
	ldrsw x0, [x1, #4]
	add x0, x1, x2, lsl #3
	add x0, sp, x1
	add x0, x1, w2, uxtw #2
	add x0, x1, w2, sxtw
	sub sp, sp, #16
	cmp x0, x1, lsr #4
	cmn w0, #1
	tst x0, #~((1 << 12) - 1)
	and x0, x0, #0xfffffffffffff000
	eor w0, w1, w2, ror #3
	csel x0, x1, x2, eq
	csinc x0, x1, x2, hs
	cset w0, cs
	ccmp x0, #0, #4, ne
	cinc x0, x1, lo
	ubfx x0, x1, #4, #8
	bfi x0, x1, #4, #8
	lsl x0, x1, #3
	lsr x0, x1, #3
	asr x0, x1, x2
	mrs x0, ttbr1_el1
	msr ttbr0_el1, x0
	msr daifset, #0xf
	msr daifclr, #2
	mrs x1, s3_0_c2_c0_3
	msr s3_0_c15_c2_0, x1
	tlbi vmalle1
	tlbi vaae1, x0
	tlbi vale1is, x1
	tlbi alle2
	dc civac, x0
	dc cvac, x1
	ic iallu
	ic ivau, x0
	at s1e1r, x0
	dsb ish
	dsb nshst
	dsb sy
	dmb ishld
	isb
	isb sy
	sevl
	wfe
	ldxr w0, [x1]
	stxr w2, w0, [x1]
	ldaxr x0, [x1]
	stlxr w3, x0, [x1]
	ldar x0, [x1]
	stlr x0, [x1]
	prfm pldl1keep, [x0]
	prfm pldl1keep, .Lp
.Lp:	nop
	hint #34
	bti c
	paciasp
	autiasp
	ret
	ret x1
	br x2
	blr x3
	eret
	svc #0
	hvc #0x10
	smc #0
	brk #0x800
	mov x0, lr
	mov fp, sp
	mul x0, x1, x2
	madd x0, x1, x2, x3
	udiv x0, x1, x2
	neg x0, x1
	mvn x0, x1
	movk x0, #0xffff, lsl #48
	extr x0, x1, x2, #8
	rev x0, x1
	clz x0, x1
	sxtw x0, w1
	uxtb w0, w1
	ldadd x0, x1, [x2]
	cas x0, x1, [x2]
	swp x0, x1, [x2]
	MOV X0, X1
	STR X1, [X0]
	LDR W2, [X3, #4]
	B.NE .
'''
SNIPS['simd'] = r'''
	.arch_extension crypto
	fmov d0, #1.0
	fmov s1, #-2.5
	fmov x0, d1
	movi v0.16b, #0
	movi v1.4s, #1, msl #8
	ld1 {v0.16b, v1.16b}, [x0], #32
	st1 {v0.2d}, [x1]
	ld1 {v0.s}[1], [x0]
	mov v0.s[1], w0
	umov w0, v1.b[3]
	add v0.4s, v1.4s, v2.4s
	ldr q0, [x0, #16]
	stp q0, q1, [sp, #-32]!
	ldr d1, =0x123456789
	ldr s2, =0x3f800000
	ldr q3, [x1], #16
	eor v0.16b, v0.16b, v1.16b
	ext v0.16b, v1.16b, v2.16b, #8
	aese v0.16b, v1.16b
	tbl v0.16b, {v1.16b, v2.16b}, v3.16b
'''
SNIPS['expr'] = r'''
	.data
	.quad 1 + 3 & 1, 2 == 1 + 1, 1 < 2 == -1, 1 || 0 && 0, 6 % 4 * 3, 2 * 3 % 4
	.quad 0b101, 010, 0x1f, 'a, 9 - 2 - 3, 1 - - 1, ~0 + 1, (-1 >> 60), -16 >> 2
	.quad 0x8000000000000000 / 2, -7 / 2, -7 % 3, 3 ! 4, !0, !5, 1 <> 2, 1 != 1
	.quad 5 >= 5, 5 <= 4, -1 < 0, 1 > 0, 1 | 2 & 0, 1 ^ 3 * 2, 2 + 3 << 1
'''
SNIPS['inst'] = r'''
	.inst 0xd503201f
	.byte 1
	.inst 0xd50320ff, 0xd5033fdf
	nop
'''
SNIPS['macro_args'] = r'''
.macro m a, b, c
	.ascii "[\a|\b|\c]"
.endm
.macro k a=5, b:req, c:vararg
	.ascii "<\a|\b|\c>"
.endm
	.data
	m 1 + 2, 3
	m (1 + 2) 3 4
	m 1, 2 3
	m 1 2 , 3
	m 1 - 1 2
	m 1 -1 2
	m 1 , 2 ,3
	m 5 +2
	m 5 ~2
	m x0, [x1, #8]
	m "a, b" c
	m 1, b=2
	m b=1, c=2 , a=3
	m foo(1) bar
	m #1 #2
	m a,,c
	m 1 << 2 3
	m x0 , lsl #3
	m 'a 'b
	m [x1,#8] !
	m ,
	k b=1
	k 1, 2, 3, 4 5
	k 1 2 3 4
	k ,7
'''
SNIPS['ifc'] = r'''
	.data
.macro t cond, a, b
	\cond \a,\b
	.byte 1
	.else
	.byte 0
	.endif
.endm
	.ifc a b,a b
	.byte 1
	.endif
	.ifc a b , a c
	.byte 2
	.endif
	.ifc "a",a
	.byte 3
	.endif
	.ifc "a","a"
	.byte 4
	.endif
	.ifc a	b,a b
	.byte 5
	.endif
	.ifc a, b
	.byte 6
	.endif
	.ifc x,x
	.byte 7
	.endif
	.ifc ,
	.byte 8
	.endif
	.ifc a,
	.byte 9
	.endif
	.ifc "a,b","a,b"
	.byte 10
	.endif
	.ifnc a b,a c
	.byte 11
	.endif
	.ifc A,a
	.byte 12
	.endif
	.ifeqs "a", "a"
	.byte 13
	.endif
	.ifnes "a b", "a c"
	.byte 14
	.endif
	.ifeqs "a\"", "a\""
	.byte 15
	.endif
	t .ifc, pte, pte
	t .ifc, pte, pgd
	t .ifnc, pte, pgd
'''
SNIPS['equ'] = r'''
	.equ A, 3
	.set B, A * 2
	C = B + 1
	D=C+1
	.equiv E, 9
	.eqv F, A + 1
	mov x0, #A
	mov x1, #B
	mov x2, #C
	mov x3, #D
	mov x4, #E
	mov x5, #F
	.set A, 10
	mov x6, #F
	mov x7, #G
	.set G, 12
'''


@pytest.mark.parametrize("name", sorted(SNIPS))
def test_snippet_matches_gnu_as(name):
    src = SNIPS[name]
    prog = assemble_string(src, name + ".s")
    rep = gnu_as.compare(prog, src)
    assert rep.ok, _show(rep)
    n_ins = sum(isinstance(i, Instruction) for s in prog.sections.values() for i in s.items)
    assert sum(rep.compared.values()) == n_ins


# ----------------------------------------------------------------- the harness itself

def _src():
    lit = SNIPS["literals"].replace("\nf:\n", "\ng:\n").replace("=f\n", "=g\n")
    return SNIPS["labels"] + lit


def _prog():
    return assemble_string(_src(), "h.s")


def _mutated(mutate):
    p = _prog()
    mutate(p)
    return gnu_as.compare(p, _src())


def test_harness_accepts_the_original():
    assert gnu_as.compare(_prog(), _src()).ok


def test_harness_catches_a_wrong_register():
    def m(p):
        i = next(i for i in p.instructions() if i.mnemonic == "adr")
        i.operands = (Reg("x9", 9, 64),) + i.operands[1:]
    assert not _mutated(m).ok


def test_harness_checks_register_fields_not_names():
    def m(p):
        i = next(i for i in p.instructions() if i.mnemonic == "adr")
        r = i.operands[0]
        i.operands = (Reg(r.name, (r.num + 1) % 31, r.width),) + i.operands[1:]
    assert not _mutated(m).ok


def test_harness_catches_a_literal_that_disagrees_with_its_pool_slot():
    from bbmcheck.grammar.program import Literal

    def m(p):
        i = next(i for i in p.instructions()
                 if i.operands and isinstance(i.operands[-1], Literal)
                 and isinstance(i.operands[-1].value, int))
        lit = i.operands[-1]
        i.operands = i.operands[:-1] + (Literal(lit.value + 1, lit.pool_offset),)
    assert not _mutated(m).ok


def test_harness_catches_a_wrong_immediate():
    def m(p):
        i = next(i for i in p.instructions() if i.mnemonic == "mov")
        i.operands = (i.operands[0], Imm(i.operands[1].value + 4))
    assert not _mutated(m).ok


def test_harness_catches_a_misplaced_label():
    def m(p):
        p.symbols[".Lfwd"].offset -= 4
    assert not _mutated(m).ok


def test_harness_catches_swapped_instructions():
    def m(p):
        a, b = [i for i in p.sections[".text"].items if isinstance(i, Instruction)][:2]
        a.mnemonic, b.mnemonic = b.mnemonic, a.mnemonic
        a.operands, b.operands = b.operands, a.operands
    assert not _mutated(m).ok


def test_harness_catches_wrong_data():
    def m(p):
        d = next(i for i in p.sections[".text"].items
                 if isinstance(i, Data) and i.values[0][0] == 8)
        d.values[0] = (8, 0x5555)
    assert not _mutated(m).ok


def test_harness_catches_a_missing_instruction():
    def m(p):
        items = p.sections[".text"].items
        k = next(n for n, i in enumerate(items) if isinstance(i, Instruction))
        items[k] = Data([(4, 0)], items[k].loc, items[k].section, items[k].offset)
    assert not _mutated(m).ok


# ----------------------------------------------------------------- expressions vs gas

_OPS = ["+", "-", "*", "/", "%", "<<", ">>", "|", "&", "^", "!", "==", "!=", "<>", "<",
        "<=", ">", ">=", "&&", "||"]
_UNARY = ["-", "~", "!", "+"]
_ATOMS = st.one_of(st.integers(0, 20), st.integers(0, 1 << 64 - 1).map(hex),
                   st.sampled_from(["0", "1", "2", "63", "64", "0x8000000000000000",
                                    "0b1011", "017", "'a", "-1"]))


@st.composite
def gas_expr(draw, depth=0):
    parts = []
    for k in range(draw(st.integers(1, 4 if depth < 2 else 1))):
        if k:
            parts.append(draw(st.sampled_from(_OPS)))
        if depth < 3 and draw(st.integers(0, 3)) == 0:
            atom = "(" + draw(gas_expr(depth + 1)) + ")"
        else:
            atom = str(draw(_ATOMS))
        if draw(st.integers(0, 4)) == 0:
            atom = draw(st.sampled_from(_UNARY)) + atom
        parts.append(atom)
    return " ".join(parts)


def _ours(text):
    """The value our whole front end (scrubber, grammar, evaluation) gives `.quad text`."""
    prog = assemble_string(f"\t.data\n\t.quad {text}\n", "e.s")
    (size, value), = prog.sections[".data"].items[0].values
    return value


def _traps_in_gas(text):
    """True where GNU as itself crashes: INT64_MIN / -1 or % -1 (SIGFPE on the host)."""
    from bbmcheck.grammar.expr import apply_abs, char_value
    from bbmcheck.grammar.scrub import scrub
    from bbmcheck.grammar.syntax import parse_expr
    bad = []

    def ev(e):
        if e[0] == "num":
            return e[1]
        if e[0] == "un":
            a = ev(e[2])
            return apply_abs("-", 0, a) if e[1] == "-" else (
                ~a if e[1] == "~" else (0 if a else 1) if e[1] == "!" else a)
        a, b = ev(e[2]), ev(e[3])
        if e[1] in ("/", "%") and a == -(1 << 63) and b == -1:
            bad.append(e)
            return 0
        return apply_abs(e[1], a, b)

    ev(parse_expr(scrub(".quad " + text)[len(".quad "):]))
    return bool(bad)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(gas_expr(), min_size=20, max_size=40))
def test_expressions_evaluate_like_gnu_as(exprs):
    keep = []
    for e in exprs:
        try:
            v = _ours(e)
        except FrontEndError as x:
            assert "division by zero" in x.message, x
            continue                     # gas rejects these too
        if _traps_in_gas(e):
            continue
        keep.append((e, v))
    if not keep:
        return
    src = "\t.data\n" + "".join(f"\t.quad {e}\n" for e, _ in keep)
    secs = gnu_as.run_gnu_as(src)
    data = secs[".data"].data
    for k, (e, v) in enumerate(keep):
        g = int.from_bytes(data[8 * k:8 * k + 8], "little")
        assert g == v, f"`{e}`: gas {g:#x}, ours {v:#x}"
