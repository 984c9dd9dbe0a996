"""Mixed-size accesses to one location are not modelled: where an execution has a
store that overlaps a read (or the final value a postcondition reads) only in part,
the verdict is UNKNOWN naming the store, never an answer computed as if the store
were not there."""
from __future__ import annotations

import pytest

from remap_mutants import prove_scene, remap_spec, two_cpu_post

WORD = "final(pa(data, 8)) == 0"          # the word at data + 8 (x4 below)
COPY = "final(pa(data, 0)) == 0"          # the word at data + 0, where `copy` puts it

ASM = """
	.text
	.globl	byte_in_word
byte_in_word:
	add	x4, x0, #8
	mov	w1, #1
	strb	w1, [x4, #1]
	ret
	.globl	byte_then_copy
byte_then_copy:
	add	x4, x0, #8
	mov	w1, #1
	strb	w1, [x4, #1]
	ldr	x2, [x4]
	str	x2, [x0]
	ret
	.globl	unaligned_word
unaligned_word:
	add	x4, x0, #8
	mov	x1, #1
	str	x1, [x4, #4]
	ret
	.globl	beside_word
beside_word:
	add	x4, x0, #8
	mov	w1, #1
	strb	w1, [x4, #8]
	str	x1, [x4, #16]
	str	x1, [x4, #-8]
	ret
	.globl	whole_word
whole_word:
	add	x4, x0, #8
	mov	w1, #1
	strb	w1, [x4, #8]
	str	x1, [x4]
	ret
"""


@pytest.mark.parametrize("entry,expr,line", [
    ("byte_in_word", WORD, 7),        # the final value of the word
    ("byte_then_copy", COPY, 13),     # a load of the word
    ("unaligned_word", WORD, 21),     # an 8-byte store half over the word
])
def test_partial_overlap_is_unknown(tmp_path, entry, expr, line):
    """Each of these was PROVED before the overlap was looked for by address range
    (a store was only compared with reads at its own address)."""
    rc, rep = two_cpu_post(tmp_path, entry, ASM, (entry,), "the word stays clear", expr)
    assert rc == 3 and rep[0]["status"] == "UNKNOWN", rep[0]["reason"]
    assert rep[0]["reason"].startswith("mixed-size accesses to one location are not "
                                       "modelled") and f".S:{line} " in rep[0]["reason"], \
        rep[0]["reason"]


@pytest.mark.parametrize("entry,status", [("beside_word", "PROVED"),
                                          ("whole_word", "REFUTED")])
def test_stores_beside_the_word_are_no_mix(tmp_path, entry, status):
    """Stores next to the word, of any size, do not make the answer UNKNOWN; the
    word's own 8-byte store is seen."""
    rc, rep = two_cpu_post(tmp_path, entry, ASM, (entry,), "the word stays clear", WORD)
    assert rep[0]["status"] == status, rep[0]["reason"]


HALF_DESCRIPTOR = """
	.text
	.globl	remap_page
remap_page:
	str	w1, [x0]
	dsb	ishst
	isb
	ret
	.globl	read_page
read_page:
	ldr	x1, [x0]
	ldr	x2, [x0, #8]
	ret
"""


@pytest.mark.parametrize("props", [["--property", "bbm"], []])
def test_half_a_live_descriptor_is_unknown(tmp_path, props):
    """examples/remap's scene, its make done by a 32-bit store of the new
    descriptor's low half (no break).  Only `bbm` asked: a witness walk of the
    descriptor (what a TLB may hold) had no mixed-size check, and bbm looks at
    8-byte stores only, so the answer was PROVED.  All properties: the postcondition
    read the descriptor's final value as if the store were not there, and the answer
    was REFUTED with a false trace; a violation now counts only in an execution
    without a mixed-size pair."""
    rc, rep = prove_scene(tmp_path, "half", HALF_DESCRIPTOR, remap_spec, *props)
    assert rc == 3 and rep["status"] == "UNKNOWN", rep["reason"]
    assert "the 4-byte store at half.S:5 overlaps" in rep["reason"], rep["reason"]
