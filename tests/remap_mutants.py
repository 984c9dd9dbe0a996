"""Mutants of examples/remap generated at test time (never stored): one source line
of remap.S left out, checked with the example's spec."""
from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REMAP = ROOT / "examples" / "remap"

#: name -> (a substring of the line to leave out, expected property)
MUTANTS = {
    "nobreak": ("// 1. break", "bbm"),
    "notlbi": ("tlbi_va_all_asid x2, x3", "conflict"),
    "nodsb": ("// 4.", "conflict"),
    "nodsbst": ("// 2.", "conflict"),
}


def make(dirpath: Path, name: str) -> tuple[Path, Path]:
    """Write the mutant `name` (or the original for name == "remap") and the spec into
    dirpath; return (assembly file, spec file)."""
    src = (REMAP / "remap.S").read_text()
    if name != "remap":
        cut = MUTANTS[name][0]
        lines = src.splitlines(keepends=True)
        kept = [ln for ln in lines if cut not in ln]
        assert len(kept) == len(lines) - 1, f"mutant {name}: '{cut}' must match one line"
        src = "".join(kept)
    asm = dirpath / f"{name}.S"
    asm.write_text(src)
    spec = dirpath / "remap.bbm.toml"
    if not spec.exists():
        shutil.copy(REMAP / "remap.bbm.toml", spec)
    return asm, spec


def prove(args: list[str]) -> tuple[int, str]:
    """Run `bbmcheck prove ARGS` in-process; (exit status, stdout)."""
    from bbmcheck.cli.main import main
    buf = io.StringIO()
    with redirect_stdout(buf):
        try:
            main(["prove", *args])
            rc = 0
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
    return rc, buf.getvalue()


def prove_json(asm: Path, spec: Path, *extra) -> tuple[int, list]:
    rc, out = prove([str(asm), "--spec", str(spec), "--format", "json", "-q", *extra])
    return rc, json.loads(out)


def two_cpu_post(work, name, asm_text, entries, post, expr="final(pa(data, 8)) == 0",
                 extra=()):
    """Prove `post` (`expr`: "the word at `data` + 8 stays 0") of CPUs running `entries` of
    `asm_text` (x0 = the remap example's data page, swapper in TTBR1), in the remap
    example's scene; returns (exit status, JSON report)."""
    asm = work / f"{name}.S"
    asm.write_text(asm_text)
    spec = (REMAP / "remap.bbm.toml").read_text()
    spec = spec[:spec.index("[stale]")].replace('file = "remap.S"', f'file = "{asm}"')
    spec = spec.replace('properties = ["bbm", "conflict", "fault", "stale", "post"]',
                        'properties = ["post"]\nprofile = "none"')
    for entry in entries:
        spec += (f'[[cpu]]\nentry = "{entry}"\nregs = {{ x0 = "kva(511, 511, 511, 1)" }}\n'
                 'ttbr1 = "pgd"\n\n')
    spec += (f'[[post]]\nname = "{post}"\ncheck = "expr"\n'
             f'expr = "{expr}"\n')
    sp = work / f"{name}.bbm.toml"
    sp.write_text(spec)
    rc, out = prove([str(asm), "--spec", str(sp), "-q", "--format", "json", "--no-minimize",
                     *extra])
    return rc, json.loads(out)


REMAP_CPU0_REGS = ('regs = { x0 = "kva(511, 511, 511, 2)", x1 = "page(new)", '
                   'x2 = "kva(511, 511, 511, 0)" }')


def remap_spec(asm: Path, *, regs: str | None = None, stale: bool = True,
               post: bool = True) -> str:
    """examples/remap's spec around `asm` (no profile): CPU0 runs remap_page, with
    `regs` (a TOML inline table's body) for its registers when given, CPU1 read_page;
    without the [stale] VAs or the postcondition when asked."""
    spec = (REMAP / "remap.bbm.toml").read_text().replace('file = "remap.S"', f'file = "{asm}"')
    spec = spec.replace("[regime]", 'profile = "none"\n\n[regime]', 1)
    if not stale:
        spec = spec[:spec.index("[stale]")] + spec[spec.index("[[cpu]]"):]
    if regs is not None:
        assert REMAP_CPU0_REGS in spec
        spec = spec.replace(REMAP_CPU0_REGS, f"regs = {{ {regs} }}")
    if not post:
        spec = spec[:spec.index("[[post]]")]
    return spec


def prove_scene(work: Path, name: str, asm_text: str, spec_of, *args) -> tuple[int, dict]:
    """Write `asm_text` and the spec `spec_of(asm path)` gives into `work`, prove them
    (`args` added to the command line); returns (exit status, the first JSON report)."""
    asm = work / f"{name}.S"
    asm.write_text(asm_text)
    sp = work / f"{name}.bbm.toml"
    sp.write_text(spec_of(asm))
    rc, out = prove([str(asm), "--spec", str(sp), "-q", "--format", "json", *args])
    return rc, json.loads(out)[0]

