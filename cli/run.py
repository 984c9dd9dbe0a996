"""`bbmcheck run FILE --entry SYM`: run a routine on the single-CPU concrete interpreter
(model/runner.py) and print registers, flags, the memory it wrote and the ordered
system effects (barriers, TLBI, DC/IC, sysreg writes) with their source lines.

Exit status: 0 when the routine returned from its entry frame, 1 when it stopped for
another reason (step limit, Unsupported instruction, exception instruction, no code
at the PC), 2 on bad input."""
from __future__ import annotations

import json as _json
import re

import click

from ..errors import BbmError
from .frontend import frontend_options, load

_REG = re.compile(r"^(?:([xw])([0-9]|[12][0-9]|30)|(sp)|(lr)|(fp))$")


def _split(opt: str, text: str):
    name, eq, value = text.partition("=")
    if not eq or not name.strip() or not value.strip():
        raise click.BadParameter(f"`{text}`: expected NAME=VALUE", param_hint=opt)
    return name.strip(), value.strip()


def _resolver(prog, syms: dict[str, int]):
    def symbol(name: str) -> int:
        if name in syms:
            return syms[name]
        a = prog.address_of(name)
        if a is None:
            raise click.BadParameter(f"unknown symbol `{name}` (bind it with --sym)")
        return a
    return symbol


def _value(opt, text, symbol):
    from ..model.runner import parse_value
    try:
        return parse_value(text, symbol)
    except (ValueError, click.BadParameter) as e:
        raise click.BadParameter(f"`{text}`: {e}", param_hint=opt) from None


@click.command("run")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--entry", required=True, metavar="SYM", help="The label to start at.")
@click.option("--reg", "regs", multiple=True, metavar="xN=VALUE",
              help="Initial register (x0..x30, w0..w30, sp, lr, fp); VALUE is a number "
                   "or SYM[+-OFF] (repeatable).")
@click.option("--mem", "mems", multiple=True, metavar="ADDR=VALUE[:SIZE]",
              help="Initial memory, little-endian, SIZE bytes (1/2/4/8, default 8); ADDR "
                   "and VALUE may be SYM[+-OFF] (repeatable).")
@click.option("--sym", "syms", multiple=True, metavar="NAME=ADDR",
              help="Address of a symbol the file does not define (repeatable; others "
                   "get distinct addresses, printed).")
@click.option("--sysreg", "sysregs", multiple=True, metavar="NAME=VALUE",
              help="Initial system register value, e.g. ttbr1_el1=0x4000 (repeatable).")
@click.option("--nzcv", default="0", metavar="BITS", help="Initial flags, 4 bits (e.g. 0b0110).")
@click.option("--max-steps", default=100_000, show_default=True, type=int)
@click.option("--trace", is_flag=True, help="Print every executed instruction.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@frontend_options
def run_cmd(file, entry, regs, mems, syms, sysregs, nzcv, max_steps, trace, as_json,
            profile, include_dirs, defines, undefines, caps):
    """Run routine SYM of FILE on the concrete single-CPU interpreter."""
    from ..model import runner as R
    prog = load(file, profile, include_dirs, defines, caps, undefines)
    if prog.address_of(entry) is None:
        known = ", ".join(sorted(prog.routines)) or "none"
        raise BbmError(f"no label `{entry}` (routines: {known})", file=file)
    bound: dict[str, int] = {}
    symbol = _resolver(prog, bound)
    for s in syms:
        name, v = _split("--sym", s)
        bound[name] = _value("--sym", v, symbol)
    init: dict[int, int] = {}
    sp = None
    for s in regs:
        name, v = _split("--reg", s)
        m = _REG.match(name.lower())
        if not m:
            raise click.BadParameter(f"`{name}` is not x0..x30, w0..w30, sp, lr or fp",
                                     param_hint="--reg")
        val = _value("--reg", v, symbol)
        if m.group(3):
            sp = val & (2**64 - 1)
        elif m.group(4):
            init[30] = val
        elif m.group(5):
            init[29] = val
        else:
            n = int(m.group(2))
            init[n] = val & (2**32 - 1 if m.group(1) == "w" else 2**64 - 1)
    memory: dict[int, tuple[int, int]] = {}
    for s in mems:
        a, v = _split("--mem", s)
        size = 8
        if ":" in v:
            v, sz = v.rsplit(":", 1)
            if sz not in ("1", "2", "4", "8"):
                raise click.BadParameter(f"`{s}`: SIZE must be 1, 2, 4 or 8", param_hint="--mem")
            size = int(sz)
        memory[_value("--mem", a, symbol)] = (size, _value("--mem", v, symbol))
    sregs = {}
    for s in sysregs:
        name, v = _split("--sysreg", s)
        sregs[name.lower()] = _value("--sysreg", v, symbol)
    try:
        flags = int(nzcv, 0)
    except ValueError:
        raise click.BadParameter(f"`{nzcv}` is not a number", param_hint="--nzcv") from None
    res = R.run(prog, entry, regs=init, sp=sp, nzcv=flags & 0xF, memory=memory,
                symbols=bound, sysregs=sregs, max_steps=max_steps, trace=trace)
    if as_json:
        click.echo(_json.dumps(to_json(prog, res), indent=1))
    else:
        for line in render(prog, res, trace=trace):
            click.echo(line)
    return 0 if res.stop == "ret" else 1


def _where(prog, pc: int) -> str:
    ins = prog.instruction_at(pc)
    return ins.loc.short() if ins is not None and ins.loc is not None else f"{pc:#x}"


def _written_words(res) -> list[tuple[int, int]]:
    """Written bytes grouped into aligned 8-byte words (address, value)."""
    words = sorted({a & ~7 for a in res.memory.written})
    return [(a, res.memory.read(a, 8)) for a in words]


def render(prog, res, *, trace=False) -> list[str]:
    from ..model.runner import RETURN_SENTINEL, describe_effect
    out = []
    if trace and res.trace:
        out.append("trace:")
        for pc, text in res.trace:
            out.append(f"  {pc:#014x}  {text:<40} {_where(prog, pc)}")
    where = "the caller" if res.pc == RETURN_SENTINEL else f"{res.pc:#x} ({_where(prog, res.pc)})"
    detail = f": {res.stop_detail}" if res.stop_detail else ""
    out.append(f"stopped: {res.stop}{detail} after {res.steps} instructions, at {where}")
    out.append("registers:")
    cells = [f"x{n:<2} {res.regs[n]:#018x}" for n in range(31)]
    cells.append(f"sp  {res.sp:#018x}")
    for i in range(0, len(cells), 4):
        out.append("  " + "   ".join(cells[i:i + 4]))
    out.append(f"flags: {res.flags}")
    words = _written_words(res)
    if words:
        out.append("memory written:")
        for a, v in words:
            out.append(f"  [{a:#014x}] = {v:#018x}")
    if res.effects:
        out.append("system effects, in order:")
        for e in res.effects:
            out.append(f"  {e.step:>6}  {describe_effect(e.effect):<60} {_where(prog, e.pc)}")
    if res.bound_symbols:
        out.append("undefined symbols bound to: " + ", ".join(
            f"{k}={v:#x}" for k, v in sorted(res.bound_symbols.items())))
    return out


def to_json(prog, res) -> dict:
    from ..model.runner import describe_effect
    return {
        "stop": res.stop, "detail": res.stop_detail, "steps": res.steps, "pc": res.pc,
        "regs": {f"x{n}": res.regs[n] for n in range(31)}, "sp": res.sp,
        "nzcv": res.nzcv, "flags": res.flags,
        "memory_written": {hex(a): v for a, v in _written_words(res)},
        "effects": [{"step": e.step, "pc": e.pc, "text": e.text, "where": _where(prog, e.pc),
                     "effect": describe_effect(e.effect), "kind": type(e.effect).__name__}
                    for e in res.effects],
        "sysregs": res.sysregs,
        "bound_symbols": res.bound_symbols,
    }
