"""`bbmcheck litmus FILE... [--kinds KINDS]`: herd7 AArch64 litmus tests on bbmcheck's
machine.

Per test, herd's summary shape (`Test`, `Ok`/`No`, `Condition`, `Observation NAME
Always|Sometimes|Never`, `Time`); unsupported features are named, never guessed.  With
`--kinds` (herd's kinds file: the verdict Arm's model gives each test) a last table
compares: tests read, tests whose features we model, agreements, and the two kinds of
disagreement — *we forbid, Arm allows* (our model is too strong: a soundness bug) and
*we allow, Arm forbids* (too weak: a false alarm).

Exit status: 1 when some test is a *we forbid, Arm allows* disagreement; otherwise 2
when some file could not be read (file:line errors are printed), else 0.
"""
from __future__ import annotations

import os
import sys

import click

from ..errors import FrontEndError


def _expand(files) -> list[str]:
    from ..grammar.litmus import expand_test_list
    out: list[str] = []
    for f in files:
        if os.path.basename(f).startswith("@"):
            out += expand_test_list(f)
        elif os.path.isdir(f):
            for root, dirs, names in os.walk(f):
                dirs.sort()
                out += [os.path.join(root, n) for n in sorted(names) if n.endswith(".litmus")]
        else:
            out.append(f)
    return out


@click.command("litmus")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--kinds", "kinds_file", type=click.Path(exists=True, dir_okay=False),
              help="herd kinds file (NAME Allowed|Forbidden|Required): compare with Arm's "
                   "verdicts and print the agreement table.")
@click.option("--timeout", type=float, default=10.0, show_default=True, metavar="S",
              help="Seconds per test (0: no limit, run in this process).")
@click.option("-j", "--jobs", type=int, default=0, metavar="N",
              help="Tests run in parallel (default: the number of CPUs).")
@click.option("--states", is_flag=True,
              help="Count final states as herd does (Positive/Negative), over the "
                   "locations of the condition and `locations [...]`; slower.")
@click.option("--trace", "show_trace", is_flag=True,
              help="Print our execution for each outcome we find reachable that the "
                   "condition asks about (and for every disagreement).")
@click.option("--bound", type=int, default=None, metavar="N",
              help="Instructions per CPU (default: the code's length; 3x + 10 with "
                   "branches).")
@click.option("--variant", "variants", multiple=True, metavar="NAME",
              help="A herd variant added to every test's own (e.g. ets2; repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Only the Observation lines and the table.")
def litmus_cmd(files, kinds_file, timeout, jobs, states, show_trace, bound, variants, quiet):
    """Run herd7 AArch64 litmus tests on bbmcheck's model.

    FILE may be a .litmus file, a folder (every .litmus file under it) or a herd
    `@list` file.
    """
    from ..grammar.litmus import read_kinds
    from ..specs.litmus import CMP_WORDS, Tally, compare, herd_lines, run_files, tally_table

    paths = _expand(files)
    kinds: dict[str, str] = {}
    if kinds_file:
        kinds, warnings = read_kinds(kinds_file)
        for w in warnings:
            click.echo(w, err=True)
    jobs = jobs or os.cpu_count() or 1
    tally = Tally()
    errors = 0

    def show(res):
        nonlocal errors
        arm = kinds.get(res.name) if kinds_file else None
        tally.add(res, arm)
        if res.status == "error":
            errors += 1
            click.echo(res.reason, err=True)
            return
        lines = herd_lines(res)
        if quiet:
            lines = [ln for ln in lines if ln.startswith(("Observation", "Unsupported",
                                                            "Timeout", "Unknown"))]
        for ln in lines:
            click.echo(ln)
        cmp = compare(res, arm)
        if kinds_file:
            if arm is None and res.status == "ok":
                click.echo(f"Arm {res.name}: no verdict in the kinds file")
            elif cmp is not None:
                click.echo(f"Arm {res.name}: {arm} -- ours {res.kind}: {CMP_WORDS[cmp]}")
        if show_trace or cmp == "we-allow":
            for label, tr in (("P reachable", res.pos_trace), ("~P reachable", res.neg_trace)):
                if tr and (show_trace or label == "P reachable"):
                    click.echo(f"  our execution ({label}):")
                    for ln in tr:
                        click.echo("    " + ln)
        if cmp == "we-forbid":
            click.echo(f"  no execution of ours reaches the outcome Arm allows "
                       f"({'P' if res.quantifier != 'forall' or not res.pos else '~P'})")
        if not quiet:
            click.echo("")

    want_traces = show_trace or bool(kinds_file)
    run_files(paths, timeout_s=timeout, jobs=jobs if timeout > 0 else 1, bound=bound,
              count_states=states, traces=want_traces, on_result=show, variants=variants)
    if kinds_file:
        click.echo("")
        for ln in tally_table([("total", tally)]):
            click.echo(ln)
        if tally.forbid_names:
            click.echo("we forbid, Arm allows (soundness): " + ", ".join(tally.forbid_names))
        if tally.allow_names:
            click.echo("we allow, Arm forbids (false alarms): " + ", ".join(tally.allow_names))
    if tally.we_forbid:
        sys.exit(1)
    if errors:
        sys.exit(2)
