"""`bbmcheck routines FILE` and `bbmcheck expand FILE --entry SYM`: the front end's
view of an assembly file (after cpp with a profile, gas macros, `.req`, ...)."""
from __future__ import annotations

import os
import re

import click

from ..errors import FrontEndError
from ..grammar.program import Data, Instruction, Program, Routine


def _defines(values) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        name, eq, val = v.partition("=")
        if not re.fullmatch(r"[A-Za-z_]\w*(\([\w\s,.]*\))?", name):
            raise FrontEndError(f"bad -D `{v}`: expected NAME, NAME=VALUE or NAME(ARGS)=VALUE")
        out[name] = val if eq else "1"
    return out


def frontend_options(f):
    """--profile, -I, -D, --cap: the preprocessor's inputs."""
    f = click.option("--cap", "caps", multiple=True, metavar="CAPABILITY",
                     help="A CPU capability the profile's alternative_* macros see as "
                          "present (repeatable).")(f)
    f = click.option("-U", "undefines", multiple=True, metavar="NAME",
                     help="Remove a define of the profile, e.g. a CONFIG_* option "
                          "(repeatable).")(f)
    f = click.option("-D", "defines", multiple=True, metavar="NAME[=VAL]",
                     help="Define a preprocessor macro (repeatable).")(f)
    f = click.option("-I", "include_dirs", multiple=True, metavar="DIR",
                     type=click.Path(file_okay=False),
                     help="Add an include directory, searched before the profile's "
                          "(repeatable).")(f)
    f = click.option("--profile", default="linux-arm64-4k-48", show_default=True,
                     metavar="NAME", help="Preprocessor profile (configuration); `auto` "
                     "guesses it from the file's headers and macros.")(f)
    return f


def load(file, profile, include_dirs, defines, caps, undefines=()) -> Program:
    from ..grammar.frontend import load_program
    from ..grammar.profile_guess import resolve_profile
    profile, why = resolve_profile(profile, file)
    if why:
        click.echo(f"bbmcheck: --profile auto: {profile} ({why})", err=True)
    return load_program(file, profile=profile, include_dirs=include_dirs,
                        defines=_defines(defines), capabilities=caps, undefines=undefines)


def _where(loc) -> str:
    if loc is None:
        return "-"
    f, line = loc.outer
    return f"{os.path.basename(f)}:{line}"


@click.command("routines")
@click.argument("file", type=click.Path(dir_okay=False))
@frontend_options
def routines_cmd(file, profile, include_dirs, defines, undefines, caps):
    """List the routines found in FILE: name, section, size, file:line."""
    prog = load(file, profile, include_dirs, defines, caps, undefines)
    rows = [(r.name, r.section, f"{r.end - r.start:#x}", str(len(r.instructions)),
             _where(r.loc)) for r in prog.routines.values()]
    head = ("ROUTINE", "SECTION", "SIZE", "INSNS", "LOCATION")
    widths = [max(len(x[i]) for x in [head, *rows]) for i in range(5)]
    for row in [head, *rows]:
        click.echo("  ".join(c.ljust(w) if i in (0, 1, 4) else c.rjust(w)
                             for i, (c, w) in enumerate(zip(row, widths))).rstrip())
    if not rows:
        click.echo("(no routines: no `.type sym, %function` or sized code symbols; "
                   "use `bbmcheck expand FILE --entry LABEL`)")


def _label_names(prog: Program, r: Routine) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for s in prog.symbols.values():
        if s.section == r.section and r.start <= s.offset < r.end and s.kind != "section":
            name = s.name.split("$")[0] if s.name[:1].isdigit() else s.name
            out.setdefault(s.offset, []).append(name)
    return out


def listing(prog: Program, r: Routine) -> list[str]:
    """The expanded listing of one routine: offset, location, instruction."""
    sec = prog.sections[r.section]
    items = [it for it in sec.items if r.start <= it.offset < r.end]
    labels = _label_names(prog, r)
    locs = [it.loc.short() for it in items]
    w = min(max([len(x) for x in locs] + [8]), 60)
    out = [f"{r.name}: {r.section}+{r.start:#x}..{r.end:#x} "
           f"({len(r.instructions)} instructions), {_where(r.loc)}"]
    for it, where in zip(items, locs):
        for name in labels.pop(it.offset, ()):
            out.append(f"{name}:")
        if isinstance(it, Instruction):
            text = it.text or str(it)
        else:
            text = _data_text(it)
        out.append(f"  {it.offset:#06x}  {where:<{w}}  {text}")
    return out


def _data_text(d: Data) -> str:
    parts = []
    for size, v in d.values[:8]:
        kw = {1: ".byte", 2: ".hword", 4: ".word", 8: ".quad"}.get(size)
        if kw is None:
            parts.append(f".zero {size}" if v == 0 else f".octa {v:#x}")
        else:
            parts.append(f"{kw} {v:#x}" if isinstance(v, int) else f"{kw} {v}")
    more = f" ... ({d.size} bytes)" if len(d.values) > 8 else ""
    return "; ".join(parts) + more


@click.command("expand")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--entry", "entries", multiple=True, metavar="SYM",
              help="Routine or label to list (repeatable; default: every routine).")
@frontend_options
def expand_cmd(file, entries, profile, include_dirs, defines, undefines, caps):
    """Print the expanded instructions of a routine with their source locations
    (file:line of the statement as written, and the macros it came through)."""
    from ..grammar.frontend import entry_routine
    prog = load(file, profile, include_dirs, defines, caps, undefines)
    rs = [entry_routine(prog, e) for e in entries] if entries else list(prog.routines.values())
    if not rs:
        raise FrontEndError(f"no routines in {file}; name a label with --entry", file=file)
    for i, r in enumerate(rs):
        if i:
            click.echo()
        for line in listing(prog, r):
            click.echo(line)
