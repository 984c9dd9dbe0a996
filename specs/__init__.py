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


def bundled_scenarios(file: str, entry: str | None = None, *, features=(), cpus=None,
                      bound=None, entries=None, profile=None, include_dirs=(),
                      defines: dict | None = None, capabilities=(), use: str | None = None):
    """(title, Scenario) for each routine of `file` that has a bundled spec, each
    loaded with the spec's own profile and defines (command-line values win).
    `use` names a bundled spec (its file name without .bbm.toml) to apply to `entry`
    without matching (e.g. for a variant that lacks an instruction the match needs)."""
    from ..errors import SpecError
    from ..grammar.frontend import load_program
    from .spec import Locator, apply_entries, build_scenario, resolve_extra_files
    defines = dict(defines or {})
    # the file's routines are matched with the profile given, else the one guessed from
    # the file (a Xen, TF-A, U-Boot, edk2 ... file does not assemble as Linux)
    program = load_program(file, profile=profile or "auto",
                           include_dirs=include_dirs, defines=defines,
                           capabilities=capabilities)
    if use is not None:
        found = [(entry, bs) for bs in bundled_specs()
                 if os.path.basename(bs.path) == f"{use}.bbm.toml"]
        if not found or entry is None:
            raise SpecError(f"no bundled spec named {use} (or no entry given)")
    else:
        found = matching(program, entry)
    if not found:
        names = ", ".join(sorted(program.routines)) or "none"
        what = f"routine {entry}" if entry else "any routine of this file"
        raise SpecError(f"no bundled spec fits {what}; give --spec FILE "
                        f"(routines found: {names})", file=file)
    out = []
    for routine, bs in found:
        data = apply_entries(bs.data, entries) if entries is not None else bs.data
        chk = dict(data.get("check", {}))
        prof = profile or chk.get("profile", "auto")
        d = dict(chk.get("defines", {}))
        d.update(defines)
        with open(bs.path, encoding="utf-8") as f:
            text = f.read()
        extra = resolve_extra_files(chk, file, os.path.dirname(bs.path), Locator(bs.path, text))
        prog = load_program(file, profile=prof, include_dirs=include_dirs,
                            defines={k: (None if v is None else str(v)) for k, v in d.items()},
                            capabilities=list(chk.get("capabilities", [])) + list(capabilities),
                            extra_files=extra)
        scen = build_scenario(data, Locator(bs.path, text), "", program=prog,
                              features=features, cpus=cpus, bound=bound)
        out.append((f"{routine}: {bs.name}", scen))
    return out
