"""The bbm property looks at every store that may write a descriptor some walk
reads: one whose address the value-set analysis cannot bound (it used to skip it,
and answered PROVED for a store through an open pointer that overwrites a live
table entry), and one to a table the spec does not declare (a page the routine has
just made a table: bbm looked at declared tables only)."""
from __future__ import annotations

import json

import pytest

from remap_mutants import REMAP, prove

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
    asm = tmp_path / "open.S"
    asm.write_text(ASM)
    spec = (REMAP / "remap.bbm.toml").read_text().replace('file = "remap.S"', f'file = "{asm}"')
    spec = spec.replace("[regime]", 'profile = "none"\n\n[regime]', 1)
    spec = spec.replace('regs = { x0 = "kva(511, 511, 511, 2)", x1 = "page(new)", '
                        'x2 = "kva(511, 511, 511, 0)" }', f"regs = {{ {regs} }}")
    sp = tmp_path / "open.bbm.toml"
    sp.write_text(spec)
    rc, out = prove([str(asm), "--spec", str(sp), "-q", "--format", "json",
                     "--property", "bbm"])
    return rc, json.loads(out)[0]


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
    asm = tmp_path / "newtable.S"
    asm.write_text(NEW_TABLE.replace("str\tx3, [x5]", last))
    spec = (REMAP / "remap.bbm.toml").read_text().replace('file = "remap.S"', f'file = "{asm}"')
    spec = spec.replace("[regime]", 'profile = "none"\n\n[regime]', 1)
    spec = spec[:spec.index("[stale]")] + spec[spec.index("[[cpu]]"):]
    spec = spec.replace('regs = { x0 = "kva(511, 511, 511, 2)", x1 = "page(new)", '
                        'x2 = "kva(511, 511, 511, 0)" }',
                        f'regs = {{ x0 = "slot(pmd, {slot})", x1 = "table(new)", '
                        f'x2 = "page(old)", x3 = "page(data)", x5 = "pa(new, {8 * entry})", '
                        f'x7 = "kva(511, 511, {slot}, {entry})" }}')
    sp = tmp_path / "newtable.bbm.toml"
    sp.write_text(spec)
    rc, out = prove([str(asm), "--spec", str(sp), "-q", "--format", "json",
                     "--property", "bbm"])
    rep = json.loads(out)[0]
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
    asm = tmp_path / "link.S"
    asm.write_text(LINK_TABLE)
    spec = (REMAP / "remap.bbm.toml").read_text().replace('file = "remap.S"', f'file = "{asm}"')
    spec = spec.replace("[regime]", 'profile = "none"\n\n[regime]', 1)
    spec = spec[:spec.index("[stale]")] + spec[spec.index("[[cpu]]"):]
    spec = spec.replace('regs = { x0 = "kva(511, 511, 511, 2)", x1 = "page(new)", '
                        'x2 = "kva(511, 511, 511, 0)" }',
                        'regs = { x0 = "slot(pmd, 5)", x1 = "table(new)", '
                        'x7 = "kva(511, 511, 5, 7)" }')
    spec = spec.replace("[pages.new]", '[pages.new]\nwords = { "56" = "page(old)" }')
    spec = spec[:spec.index("[[post]]")]
    sp = tmp_path / "link.bbm.toml"
    sp.write_text(spec)
    rc, out = prove([str(asm), "--spec", str(sp), "-q", "--format", "json"])
    rep = json.loads(out)[0]
    added = {x["va"]: x["store"] for x in rep["bounds"].get("tracked_vas_added", [])}
    assert added == {"0xffffffffc0a00000": "link.S:5",
                     "0xffffffffc0a07000": "link.S:5, the linked table's entry 7"}, \
        (added, rep["reason"])
