"""Our example routines (examples/): verdicts of the originals and of edits, as a user
runs them (`bbmcheck prove FILE --spec SPEC`)."""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from remap_mutants import MUTANTS, REMAP, make, prove  # noqa: E402

import pytest  # noqa: E402


def test_remap_proved(tmp_path):
    rc, out = prove([str(REMAP / "remap.S"), "--spec", str(REMAP / "remap.bbm.toml"), "-q"])
    assert rc == 0, out
    assert out.splitlines()[1].startswith("PROVED")
    assert "2 CPUs" in out


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_remap_mutants_refuted(name, tmp_path):
    asm, spec = make(tmp_path, name)
    rc, out = prove([str(asm), "--spec", str(spec), "--format", "json", "--no-minimize"])
    assert rc == 1, out
    v = json.loads(out)[0]
    assert v["status"] == "REFUTED" and v["property"] == MUTANTS[name][1], v.get("reason")


def test_remap_without_final_dsb_stays_proved(tmp_path):
    """The last `dsb ishst; isb` only matter to accesses after the routine, which this
    scene does not make: dropping the DSB is allowed, and saying otherwise would be
    crying wolf."""
    src = (REMAP / "remap.S").read_text().splitlines(keepends=True)
    kept = [ln for ln in src if "// 6." not in ln]
    assert len(kept) == len(src) - 1
    asm = tmp_path / "nofinal.S"
    asm.write_text("".join(kept))
    rc, out = prove([str(asm), "--spec", str(REMAP / "remap.bbm.toml"), "-q"])
    assert rc == 0, out


def _ttl_variant(tmp_path):
    """remap with the TLBI operand built by a plain shift: a kernel VA keeps its top
    bits in Xt[47:44], the FEAT_TTL hint (0b1111: 64K granule, level 3)."""
    src = (REMAP / "remap.S").read_text()
    assert "ubfx	\\tmp, \\va, #12, #44" in src
    asm = tmp_path / "ttl.S"
    asm.write_text(src.replace("ubfx	\\tmp, \\va, #12, #44", "lsr	\\tmp, \\va, #12"))
    return asm


def test_ttl_hint_left_in_operand_is_harmless_without_feat_ttl(tmp_path):
    asm = _ttl_variant(tmp_path)
    rc, out = prove([str(asm), "--spec", str(REMAP / "remap.bbm.toml"), "-q"])
    assert rc == 0, out


def test_ttl_hint_left_in_operand_refuted_with_feat_ttl(tmp_path):
    asm = _ttl_variant(tmp_path)
    rc, out = prove([str(asm), "--spec", str(REMAP / "remap.bbm.toml"), "--feature", "ttl",
                     "--format", "json", "--no-minimize"])
    assert rc == 1, out
    v = json.loads(out)[0]
    assert v["property"] in ("conflict", "bbm", "stale")
    assert "TTL = 0b1111" in json.dumps(v)
