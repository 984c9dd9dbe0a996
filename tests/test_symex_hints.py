"""Load hints in symbolic execution (model/symex.py Executor._hinted,
model/checker.py initial_load_hint).

A loop that steps by a value loaded from memory (Xen's relocate_xen cleans by
`dcache_line_bytes`) has a trip count the executor does not know: it forks at every
iteration and the paths that leave the loop merge with the one the bound cuts.  With
a hint — the value the load reads if it reads the scenario's initial memory through
the CPU's initial tables — the executor follows only the side of the branch that
value takes and keeps the other as an `unexplored` path; the checker reports that
path (INCONCLUSIVE) if any execution takes it.  So a wrong hint can cost a verdict,
never make one wrong.
"""
from __future__ import annotations

import os

from bbmcheck.model.checker import Checker, Options, initial_load_hint
from bbmcheck.specs.spec import load_spec

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

ASM = """\
	.text
	.globl	step_loop
step_loop:			// x0: address of the step, x1: length
	ldr	x3, [x0]
1:	subs	x1, x1, x3
	b.gt	1b
	nop			// work after the loop: where the merged paths
	nop			// of an unknown trip count meet the bound
	nop
	nop
	ret

	.globl	step_loop_overwrite
step_loop_overwrite:		// the same, after storing 1 over the step through an
	ldr	x2, [x0, #8]	// address the executor cannot resolve (x0 + a loaded 0)
	mov	x4, #1
	str	x4, [x0, x2]
	ldr	x3, [x0]
1:	subs	x1, x1, x3
	b.gt	1b
	nop			// work after the loop: where the merged paths
	nop			// of an unknown trip count meet the bound
	nop
	nop
	ret

	.globl	step_loop_store8
step_loop_store8:		// the same, after storing 8 over the step (4 iterations)
	mov	x4, #8
	str	x4, [x0]
	ldr	x3, [x0]
1:	subs	x1, x1, x3
	b.gt	1b
	nop			// work after the loop: where the merged paths
	nop			// of an unknown trip count meet the bound
	nop
	nop
	ret
"""

SPEC = """\
[check]
file = "loop.S"
profile = "none"
cpus = 1
bound = 30
properties = ["fault", "post"]

[pages.data]
words = { "0" = 64, "8" = 0 }

[[cpu]]
entry = "step_loop"
mmu = false
regs = { x0 = "pa(data)", x1 = 32 }
"""


def _verdict(tmp_path, entry, **opts):
    (tmp_path / "loop.S").write_text(ASM)
    (tmp_path / "loop.bbm.toml").write_text(SPEC)
    scen = load_spec(str(tmp_path / "loop.bbm.toml"))
    scen.cpus[0].entry = entry
    return Checker(scen, Options(props=("fault", "post"), **opts)).run()


def test_loop_stepping_by_a_loaded_value_is_proved_with_the_hint(tmp_path):
    v = _verdict(tmp_path, "step_loop")
    assert v.status == "PROVED", v.reason
    # the first run's bound cut the loop, the second left it where the step (64)
    # leaves it: one unexplored path, which no execution takes
    assert v.stats["paths"][0].get("unexplored") == 1, v.stats["paths"]
    # without the reductions there are no hints: the loop forks every iteration
    v = _verdict(tmp_path, "step_loop", prune_forks=False)
    assert not v.stats["paths"][0].get("unexplored") and v.stats["paths"][0]["cut"]


def test_the_hint_follows_the_cpus_own_store(tmp_path):
    """The routine stores 8 over the step before loading it: the hint is what the CPU
    stored there (store-to-load forwarding as the CPU sees it), not the initial 64,
    so the loop is left after its fourth iteration and the skipped side is never
    taken."""
    v = _verdict(tmp_path, "step_loop_store8")
    assert v.status == "PROVED", v.reason
    assert v.stats["paths"][0].get("unexplored") == 1, v.stats["paths"]


def test_a_wrong_hint_gives_inconclusive_not_proved(tmp_path):
    """The routine overwrites the step before loading it, through an address the
    executor does not know: the hint (the initial 64) is wrong, the branch side it
    skipped is taken, and the verdict says so."""
    v = _verdict(tmp_path, "step_loop_overwrite")
    assert v.status == "INCONCLUSIVE", v.reason
    assert "did not explore" in v.reason and "0x40" in v.reason, v.reason


def test_initial_load_hint_walks_the_initial_tables():
    """examples/remap: kva(511, 511, 511, 2) maps the last-level table itself, so the
    hint of a load of its first word is pte[0] = page(old); an unmapped VA, a load
    straddling a word, and a word the spec does not give have no hint."""
    ex = os.path.join(ROOT, "examples", "remap")
    scen = load_spec(os.path.join(ex, "remap.bbm.toml"))
    hint = initial_load_hint(scen, scen.cpus[0])
    tables = {t.name: t.base for t in scen.tables}
    va = (0xFFFF << 48) | (511 << 39) | (511 << 30) | (511 << 21) | (2 << 12)
    assert hint(va, 8) == scen.memory[tables["pte"]]
    assert hint(va, 4) == scen.memory[tables["pte"]] & 0xFFFF_FFFF
    assert hint(va + 4, 8) is None                  # straddles two words
    assert hint(va - (1 << 21), 8) is None          # pmd[510] is invalid
    assert hint(va + 8 * 100, 8) is None            # pte[100]: not in the initial memory
