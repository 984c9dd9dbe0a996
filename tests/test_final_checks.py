"""A PROVED verdict needs every final check to answer: where the solver gives up on
one (unsupported instructions, mixed-size accesses, the bound), the verdict is UNKNOWN naming it -- the checks used to treat `unknown` as
`unsat` and answer PROVED."""
from __future__ import annotations

import pytest
import z3

from remap_mutants import REMAP

CHECKS = {"unsupported": "unsupported instructions",
          "mixed_size": "mixed-size",
          "cut_by_bound": "bound"}


@pytest.mark.parametrize("builder", sorted(CHECKS))
def test_solver_giving_up_on_a_final_check_is_unknown(monkeypatch, builder):
    from bbmcheck.model import checker as C
    from bbmcheck.model import properties as P
    from bbmcheck.specs.spec import load_spec
    probe = z3.Bool(f"probe_{builder}")
    real = getattr(P, builder)
    monkeypatch.setattr(P, builder, lambda enc: (probe, real(enc)[1]))
    check = C.Checker._check

    def giving_up(self, s, *extra, phase="checks"):
        if extra and extra[0] is probe:
            s.push()
            return z3.unknown, None
        return check(self, s, *extra, phase=phase)
    monkeypatch.setattr(C.Checker, "_check", giving_up)
    scen = load_spec(str(REMAP / "remap.bbm.toml"))
    v = C.Checker(scen, C.Options(jobs=1)).run()
    assert v.status == "UNKNOWN" and CHECKS[builder] in v.reason, (v.status, v.reason)


def test_remap_example_is_proved_with_every_check_answering():
    from bbmcheck.model import checker as C
    from bbmcheck.specs.spec import load_spec
    v = C.Checker(load_spec(str(REMAP / "remap.bbm.toml")), C.Options(jobs=1)).run()
    assert v.status == "PROVED", v.reason


TCR_ASM = """
	.text
	.globl	retune
retune:
	mrs	x5, tcr_el1
	msr	tcr_el1, x5
	isb
	mov	x1, #1
	str	x1, [x0, #8]
	ret
	.globl	plain
plain:
	mov	x1, #1
	str	x1, [x0, #8]
	ret
"""


@pytest.mark.parametrize("entry,said", [("retune", True), ("plain", False)])
def test_verdict_says_tcr_writes_are_not_applied(tmp_path, entry, said):
    """Every walk uses the spec's regime; a routine that writes TCR_EL1 gets that
    said in its verdict's omissions, with the place of the write."""
    from remap_mutants import two_cpu_post
    rc, rep = two_cpu_post(tmp_path, entry, TCR_ASM, (entry,), "the word stays clear")
    assert rc == 1 and rep[0]["property"] == "post", rep[0]["reason"]
    lines = [o for o in rep[0]["omits"] if o.startswith("TCR writes are recorded, not applied")]
    assert bool(lines) == said, rep[0]["omits"]
    if said:
        assert f"tcr_el1 at {entry}.S:6" in lines[0], lines


@pytest.mark.parametrize("bit_blast", [False, True])
@pytest.mark.parametrize("jobs", [1, 2])
def test_time_limit_gives_unknown_and_says_so(jobs, bit_blast):
    """A query stopped by the time limit (`--timeout`) is UNKNOWN, never PROVED, on
    either solver (Z3's incremental one, or the one that bit-blasts first,
    model/solving.py), with the shortest-trace search beside it or not; the reason
    names the limit instead of Z3's bare "canceled"/"unknown", once for all the
    queries it stopped."""
    from bbmcheck.model import checker as C
    from bbmcheck.specs.spec import load_spec
    scen = load_spec(str(REMAP / "remap.bbm.toml"))
    opts = C.Options(jobs=jobs, timeout_ms=1, bit_blast=bit_blast)
    opts.props = tuple(scen.properties)
    v = C.Checker(scen, opts).run()
    assert v.status == "UNKNOWN", (v.status, v.reason)
    assert v.reason.count("time limit of 0.001 s per query reached (--timeout)") == 1, v.reason
    assert v.reason.startswith("solver gave up on "), v.reason
