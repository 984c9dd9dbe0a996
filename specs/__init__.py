"""Scenario specs: the TOML format (spec.py), postconditions (post.py) and the specs
bundled for known routines (bundled/*.bbm.toml), picked by symbol name."""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass

BUNDLED_DIR = os.path.join(os.path.dirname(__file__), "bundled")


@dataclass
class BundledSpec:
    path: str
    name: str
    routines: list
    data: dict


def bundled_specs() -> list[BundledSpec]:
    out = []
    for f in sorted(os.listdir(BUNDLED_DIR)):
        if f.endswith(".bbm.toml"):
            p = os.path.join(BUNDLED_DIR, f)
            with open(p, "rb") as fh:
                data = tomllib.load(fh)
            chk = data.get("check", {})
            out.append(BundledSpec(p, chk.get("name", f), list(chk.get("routines", [])), data))
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def applies(spec: BundledSpec, program, routine: str) -> bool:
    """Does the bundled spec fit this routine?  It names the routine, and the routine
    contains every instruction pattern of `match.has` and none of `match.lacks`
    (patterns are prefixes of the normalised instruction text, e.g. 'tlbi vaae1')."""
    if routine not in spec.routines or routine not in program.routines:
        return False
    m = spec.data.get("check", {}).get("match", {})
    texts = [_norm(str(i)) for i in program.routines[routine].instructions]

    def has(pat):
        pat = _norm(pat)
        return any(t.startswith(pat) for t in texts)
    return all(has(p) for p in m.get("has", [])) and not any(has(p) for p in m.get("lacks", []))


def matching(program, entry: str | None = None) -> list[tuple[str, BundledSpec]]:
    """(routine, spec) pairs for the routines of `program` that have a bundled spec."""
    out = []
    for spec in bundled_specs():
        for r in spec.routines:
            if entry is not None and r != entry:
                continue
            if applies(spec, program, r):
                out.append((r, spec))
    return out
