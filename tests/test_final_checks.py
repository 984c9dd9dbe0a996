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
