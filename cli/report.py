"""Verdicts and counterexample traces for people (text) and machines (JSON)."""
from __future__ import annotations

import os
import sys
import time

import click

JSON_SCHEMA_VERSION = 1

STYLE = {"PROVED": "green", "REFUTED": "red", "INCONCLUSIVE": "yellow", "VACUOUS": "yellow",
         "UNKNOWN": "yellow"}


def progress_printer():
    t0 = time.perf_counter()

    def say(msg):
        click.echo(f"  [{time.perf_counter() - t0:6.1f}s] {msg}", err=True)
    return say


def _bounds_line(v) -> str:
    b = v.bounds
    return (f"{b.get('cpus')} CPUs, ≤ {b.get('steps')} instructions per CPU; "
            f"{b.get('regime')}; {b.get('geometry')}; {b.get('features')}; "
            f"initial TLB: {b.get('initial_tlb')}")


def render_text(title, scen, v, file, *, color=False) -> str:
    def st(s, **kw):
        return click.style(s, **kw) if color else s
    out = []
    out.append(f"{os.path.basename(file)}: {title}")
    out.append(st(v.status, fg=STYLE[v.status], bold=True) + f"  {v.reason}")
    out.append(f"  bounds: {_bounds_line(v)}")
    if v.trace is not None:
        out.append("")
        out.extend(render_trace(v.trace, color=color))
    if v.status == "PROVED" and v.witness is not None:
        steps = {}
        for s in v.witness.steps:
            if s.kind == "instr":
                steps[s.cpu] = steps.get(s.cpu, 0) + 1 + len(s.locals)
        w = ", ".join(f"CPU{c} {n} instructions" for c, n in sorted(steps.items()))
        out.append(f"  reachability witness: every CPU returns ({w})")
    out.append("  the model omits: " + "; ".join(v.omits))
    st_ = v.stats
    out.append(f"  time {st_.get('total_s', 0):.2f} s (symbolic execution "
               f"{st_.get('symex_s', 0):.2f} s, encoding {st_.get('encode_s', 0):.2f} s, "
               f"{st_.get('events', 0)} events, {st_.get('constraints', 0)} constraints)")
    return "\n".join(out)


def render_trace(tr, *, color=False, fold: int = 6) -> list[str]:
    def st(s, **kw):
        return click.style(s, **kw) if color else s
    lines = []
    n = 0
    for s in tr.steps:
        n += 1
        where = f"  {s.loc}" if s.loc else ""
        if s.locals:
            locs = [x.instr for x in s.locals]
            if len(locs) > fold:
                first, last = locs[0].loc.short(), locs[-1].loc.short()
                lines.append(f"      CPU{s.cpu}: {len(locs)} register-only instructions "
                             f"({first} … {last})")
            else:
                for i in locs:
                    lines.append(f"      CPU{s.cpu}: {i}  ({i.loc.short()})")
        who = f"CPU{s.cpu}"
        mark = "▶ " if s.key else "  "
        text = s.text
        if s.kind != "instr":
            text = st(text, dim=True) if s.kind in ("visible", "tlbi-performed") else text
        lines.append(f"{n:3d}. {mark}{who:5s} {text}{where}")
        if s.changes:
            ch = ", ".join(f"{k}={v:#x}" for k, v in s.changes.items())
            lines.append(f"            {ch}")
    lines.append("")
    lines.append(st("✗ " + tr.violation, fg="red", bold=True))
    if tr.rule:
        lines.append(f"  rule: {tr.rule}")
    if tr.fix:
        lines.append(f"  suggested fix: {tr.fix}")
    return lines


def verdict_json(title, scen, v, file) -> dict:
    d = {
        "schema": JSON_SCHEMA_VERSION,
        "file": file,
        "check": title,
        "status": v.status,
        "reason": v.reason,
        "property": v.prop,
        "bounds": v.bounds,
        "omits": v.omits,
        "stats": {k: v for k, v in v.stats.items() if k != "paths"},
    }
    if v.trace is not None:
        d["trace"] = trace_json(v.trace)
    return d


def trace_json(tr) -> dict:
    return {
        "violation": tr.violation,
        "property": tr.prop,
        "rule": tr.rule,
        "fix": tr.fix,
        "steps": [{"n": i + 1, "time": s.time, "cpu": s.cpu, "kind": s.kind, "text": s.text,
                   "loc": s.loc, "source": s.source,
                   "changes": {k: hex(v) for k, v in s.changes.items()},
                   "key": s.key,
                   "folded": [str(x.instr) for x in s.locals]}
                  for i, s in enumerate(tr.steps)],
    }
