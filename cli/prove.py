"""`bbmcheck prove`: prove or refute BBM and TLB properties of a routine.

    bbmcheck prove proc.S                        # every routine with a bundled spec
    bbmcheck prove proc.S --entry idmap_kpti_install_ng_mappings --cpus 3
    bbmcheck prove my.S --spec my.bbm.toml --feature ets2

Exit status: 0 PROVED, 1 REFUTED, 2 usage or input error, 3 UNKNOWN /
INCONCLUSIVE / VACUOUS (the worst over all checks run).
"""
from __future__ import annotations

import json
import os
import sys

import click

from ..errors import BbmError, SpecError


def _defines(items):
    out = {}
    for d in items:
        k, _, v = d.partition("=")
        out[k] = v if _ else None
    return out


@click.command(name="prove")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--entry", help="Check only this routine (with a bundled spec, or with --spec).")
@click.option("--spec", "spec_path", type=click.Path(exists=True, dir_okay=False),
              help="A scenario spec (TOML); without it, bundled specs are picked by symbol.")
@click.option("--cpus", type=click.IntRange(1, 8), help="Number of CPUs (overrides the spec).")
@click.option("--bound", type=click.IntRange(1), help="Instructions per CPU (overrides the spec).")
@click.option("--entries", "entries_opt", metavar="N|N,N,..",
              help="Reduced geometry: entries modelled per table, or per level from the "
                   "root (overrides the spec's).")
@click.option("--profile", help="Preprocessor profile (default: the spec's, else linux-arm64-4k-48).")
@click.option("-I", "include_dirs", multiple=True, help="Extra include directory.")
@click.option("-D", "defines", multiple=True, help="Extra define NAME[=VALUE].")
@click.option("--cap", "capabilities", multiple=True, help="CPU capability present (alternatives).")
@click.option("--feature", "features", multiple=True,
              help="Architecture feature: ets2, ttl, bbm1, bbm2, ng-arm-arm.")
@click.option("--property", "props", multiple=True,
              type=click.Choice(["bbm", "conflict", "fault", "stale", "post"]),
              help="Check only these properties (default: the spec's).")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              help="Output format: text for people, json (docs/report.md), sarif (SARIF 2.1.0).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Also write the counterexample as a self-contained HTML page.")
@click.option("-o", "--output", "out_path", type=click.Path(dir_okay=False),
              help="Write the report to this file instead of standard output.")
@click.option("--color", "color_mode", type=click.Choice(["auto", "always", "never"]),
              default="auto", help="Colour in the text report (auto: on a terminal).")
@click.option("--verbose", "-v", is_flag=True, help="Show every step of a trace (no folding).")
@click.option("--no-minimize", is_flag=True, help="Do not shorten a counterexample.")
@click.option("--timeout", type=click.IntRange(0), default=0,
              help="Solver timeout per query in seconds (0: none); a timeout gives UNKNOWN.")
@click.option("--jobs", "-j", "solver_jobs", type=click.IntRange(1, 2), default=None,
              help="Solver threads: with 2, the search for the shortest counterexample runs "
                   "beside the proof, on a second core [default: 2 when this process may use "
                   "2 CPUs, else 1].")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
def prove_cmd(file, entry, spec_path, cpus, bound, entries_opt, profile, include_dirs, defines, capabilities,
              features, props, as_json, fmt, html_path, out_path, color_mode, verbose,
              no_minimize, timeout, solver_jobs, quiet):
    """Prove or refute break-before-make and TLB properties of a routine in FILE."""
    from ..grammar.frontend import load_program
    from ..model.checker import Checker, Options
    from ..model.solving import stop_on_sigint
    from .. import specs
    from ..specs.spec import Locator, apply_entries, build_scenario, load_spec, parse_entries
    from . import report

    fmt = "json" if as_json else fmt
    stop_on_sigint()
    defs = _defines(defines)
    entries = parse_entries(entries_opt) if entries_opt else None
    progress = report.Progress(enabled=False if quiet else None)
    invocation = {"file": file, "spec": spec_path, "entry": entry, "cpus": cpus,
                  "bound": bound, "entries": entries_opt, "profile": profile, "include_dirs": list(include_dirs),
                  "defines": list(defines), "capabilities": list(capabilities),
                  "features": list(features), "properties": list(props),
                  "cwd": os.getcwd()}
    jobs = []
    if spec_path:
        scen = load_spec(spec_path, features=features, cpus=cpus, bound=bound,
                         profile=profile, include_dirs=include_dirs, defines=defs,
                         capabilities=capabilities, asm_file=file, entries=entries)
        if entry:
            for c in scen.cpus:
                c.entry = entry
        jobs.append((scen.name or spec_path, scen))
    else:
        jobs.extend(specs.bundled_scenarios(
            file, entry, features=features, cpus=cpus, bound=bound, entries=entries,
            profile=profile, include_dirs=include_dirs, defines=defs,
            capabilities=capabilities))
    worst = 0
    results = []
    for i, (title, scen) in enumerate(jobs, 1):
        opts = Options(minimize=not no_minimize, timeout_ms=timeout * 1000,
                       progress=progress)
        if solver_jobs:
            opts.jobs = solver_jobs
        if props:
            opts.props = tuple(props)
        else:
            opts.props = tuple("post" if p == "post" else p for p in scen.properties)
        progress.start(title, i, len(jobs))
        try:
            verdict = Checker(scen, opts).run()
        finally:
            progress.finish()
        inv = dict(invocation)
        if not spec_path:
            inv["bundled"] = title
        rep = report.verdict_json(title, scen, verdict, file, invocation=inv)
        if verdict.status == "REFUTED" and rep.get("trace"):
            # the counterexample, as written, re-run on the concrete interpreter
            from .replay import self_check
            rep["replay"] = self_check(scen, rep)
        results.append(rep)
        worst = max(worst, verdict.exit_code, key=lambda c: {0: 0, 3: 1, 1: 2}.get(c, 0))
    if fmt == "json":
        text = json.dumps(results, indent=2)
    elif fmt == "sarif":
        from .sarif import sarif_log
        text = json.dumps(sarif_log(results), indent=2)
    else:
        color = use = report.use_color(None if out_path else sys.stdout, color_mode)
        if out_path and color_mode != "always":
            color = use = False
        text = "\n".join(report.render_report(r, color=color, verbose=verbose) for r in results)
    if out_path:
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        click.echo(text, color=True if fmt == "text" and color_mode == "always" else None)
    if html_path:
        from .html import write_html
        write_html(results, html_path)
    sys.exit(worst)
