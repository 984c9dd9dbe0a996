"""The bbm property looks at every store that may write a descriptor some walk
reads: one whose address the value-set analysis cannot bound (it used to skip it,
and answered PROVED for a store through an open pointer that overwrites a live
table entry), and one to a table the spec does not declare (a page the routine has
just made a table: bbm looked at declared tables only)."""
from __future__ import annotations

import pytest

from remap_mutants import prove_scene, remap_spec

ASM = """
	.text
	.globl	remap_page
remap_page:
	and	x0, x0, #~7
	str	x1, [x0]
	dsb	ishst
	isb
	ret
	.globl	read_page
read_page:
	ldr	x1, [x0]
	ldr	x2, [x0, #8]
	ret
"""


def _check(tmp_path, regs):
    """examples/remap's scene; CPU0 stores x1 = page(new) through x0 (aligned)."""
    return prove_scene(tmp_path, "open", ASM, lambda asm: remap_spec(asm, regs=regs),
                       "--property", "bbm")


def test_store_through_an_open_pointer_is_checked(tmp_path):
    """x0 is left open: the store may hit any descriptor (here one the idmap maps)."""
    rc, rep = _check(tmp_path, 'x1 = "page(new)"')
    assert rc == 1 and rep["status"] == "REFUTED" and rep["property"] == "bbm", rep["reason"]
    assert rep["replay"]["status"] == "CONFIRMED", rep["replay"]


def test_store_through_a_bounded_pointer_beside_the_tables_is_proved(tmp_path):
    """The same store to the data page: no descriptor, no violation."""
    rc, rep = _check(tmp_path, 'x0 = "kva(511, 511, 511, 1)", x1 = "page(new)"')
    assert rc == 0 and rep["status"] == "PROVED", rep["reason"]


NEW_TABLE = """
	.text
	.globl	remap_page
remap_page:
	str	x1, [x0]
	dsb	ishst
	str	x2, [x5]
	dsb	ishst
	isb
	ldr	x6, [x7]
	str	x3, [x5]
	dsb	ishst
	isb
	ret
	.globl	read_page
read_page:
	ldr	x1, [x0]
	ret
"""


@pytest.mark.parametrize("slot,entry", [(0, 0), (5, 7)])
@pytest.mark.parametrize("last,status", [("str\tx3, [x5]", "REFUTED"),
                                         ("str\txzr, [x5]", "PROVED")])
def test_store_to_a_table_the_spec_does_not_declare(tmp_path, last, status, slot, entry):
    """pmd[slot] := table(new), new[entry] := page(old), a load through it (its entry
    may now be in the TLB), then new[entry] := page(data) with no break: a
    break-before-make violation in a table the spec declares as a page.  Storing an
    invalid descriptor there instead (the break itself) is no violation.  pmd[5] is
    not a declared entry, so no VA the spec tracks walks through it: the checker adds
    the VAs whose walks read pmd[5] and new[7] (it used to answer PROVED)."""
    regs = (f'x0 = "slot(pmd, {slot})", x1 = "table(new)", x2 = "page(old)", '
            f'x3 = "page(data)", x5 = "pa(new, {8 * entry})", '
            f'x7 = "kva(511, 511, {slot}, {entry})"')
    rc, rep = prove_scene(tmp_path, "newtable", NEW_TABLE.replace("str\tx3, [x5]", last),
                          lambda asm: remap_spec(asm, regs=regs, stale=False),
                          "--property", "bbm")
    assert rep["status"] == status, rep["reason"]
    if status == "REFUTED":
        assert rep["property"] == "bbm" and "newtable.S:11" in rep["reason"], rep["reason"]
        assert rep["replay"]["status"] == "CONFIRMED", rep["replay"]
    added = {x["va"]: x["store"] for x in rep["bounds"].get("tracked_vas_added", [])}
    if slot == 5:
        # the walk of (511, 511, 5, 0) reads pmd[5]; then (511, 511, 5, 7) new[7]
        assert added == {"0xffffffffc0a00000": "newtable.S:5",
                         "0xffffffffc0a07000": "newtable.S:7"}, added
    else:
        assert not added, added


LINK_TABLE = """
	.text
	.globl	remap_page
remap_page:
	str	x1, [x0]
	dsb	ishst
	isb
	ldr	x6, [x7]
	ret
	.globl	read_page
read_page:
	ldr	x1, [x0]
	ret
"""


def test_a_table_linked_in_is_tracked_at_its_valid_entries(tmp_path):
    """pmd[5] := table(new), where `new` already holds a valid page descriptor at
    entry 7 (`words`): from then on (511, 511, 5, 7) is mapped, so it is tracked
    too, beside (511, 511, 5, 0), the VA whose walk reads pmd[5]."""
    def spec(asm):
        return remap_spec(asm, regs='x0 = "slot(pmd, 5)", x1 = "table(new)", '
                                    'x7 = "kva(511, 511, 5, 7)"', stale=False, post=False
                          ).replace("[pages.new]", '[pages.new]\nwords = { "56" = "page(old)" }')
    rc, rep = prove_scene(tmp_path, "link", LINK_TABLE, spec)
    added = {x["va"]: x["store"] for x in rep["bounds"].get("tracked_vas_added", [])}
    assert added == {"0xffffffffc0a00000": "link.S:5",
                     "0xffffffffc0a07000": "link.S:5, the linked table's entry 7"}, \
        (added, rep["reason"])
