"""A store whose address the value-set analysis cannot bound may write any
descriptor: the bbm property must look at it (it used to skip it, and answered
PROVED for a store through an open pointer that overwrites a live table entry)."""
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
