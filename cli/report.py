"""Verdicts and counterexample traces for people (text) and machines (JSON).

Every renderer (text here, SARIF in sarif.py, HTML in html.py, `bbmcheck replay`)
works from the same JSON document (`verdict_json`, schema in docs/report.md), so
what a person reads, what CI stores and what replay checks are one thing.

The text trace is the JSON trace, folded for reading (`rows`):
  * consecutive walk reads of one walk are one line (the entry it leaves, and the
    path through the tables);
  * walks no part of the violation needs (the translation of accesses that only
    move data) are folded into one line per CPU and run;
  * a CPU spinning in a loop (the same loads again and again) is folded into
    "CPU1: 14 steps spinning at proc.S:384";
  * steps after the moment the violation holds are not shown.
Step numbers are those of the JSON trace, so a folded range reads "3-8".
"""
from __future__ import annotations

import os
import sys
import time

import click

#: version of the JSON report (docs/report.md); bump on any incompatible change
JSON_SCHEMA_VERSION = 2

STYLE = {"PROVED": "green", "REFUTED": "red", "INCONCLUSIVE": "yellow", "VACUOUS": "yellow",
         "UNKNOWN": "yellow"}

# 64-bit quantities are written as hex strings (JSON numbers lose precision past 2**53)
HEX_KEYS = frozenset({"va", "pa", "value", "desc", "desc_addr", "ttbr", "oa", "va_start",
                      "va_end", "next_table", "pc", "old", "new", "ttbr0_el1", "ttbr1_el1",
                      "sctlr_el1", "ttbr0_el2", "sctlr_el2", "ttbr0_el3", "sctlr_el3"})


# --------------------------------------------------------------------------- progress

class Progress:
    """Progress of a long run on stderr: elapsed time, the check, what is being tried.

    On a terminal the status line is rewritten in place; `finish()` clears it.  Quiet
    (does nothing) when stderr is not a terminal or with --quiet."""

    def __init__(self, stream=None, *, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        if enabled is None:
            enabled = self.stream.isatty()
        self.enabled = enabled
        self.t0 = time.perf_counter()
        self.check = ""
        self.width = 0
        self.messages: list[str] = []

    def start(self, check: str, index: int, total: int):
        self.check = f"[{index}/{total}] {check}" if total > 1 else check
        self.t0 = time.perf_counter()

    def __call__(self, msg: str):
        self.messages.append(msg)
        if not self.enabled:
            return
        line = f"  {time.perf_counter() - self.t0:6.1f}s  {self.check}: {msg}"
        cols = _columns()
        if len(line) > cols - 1:
            line = line[:cols - 2] + "…"
        pad = max(0, self.width - len(line))
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self.width = len(line)

    def finish(self):
        if self.enabled and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def _columns() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except OSError:
        return 100


def progress_printer():
    """Kept for callers of the first version: a Progress on stderr."""
    return Progress()


# --------------------------------------------------------------------------- JSON

def _hexify(d, all_ints=False):
    if isinstance(d, dict):
        out = {}
        for k, v in d.items():
            if k in ("regs", "changes"):
                out[k] = _hexify(v, True)
            elif (k in HEX_KEYS or all_ints) and isinstance(v, int) and not isinstance(v, bool):
                out[k] = hex(v)
            else:
                out[k] = _hexify(v)
        return out
    if isinstance(d, list):
        return [_hexify(x) for x in d]
    return d


def _z3_version() -> str:
    """Z3's version: solver times, and which proofs finish in time, depend on it as much
    as on the machine (docs/performance.md, stop 24)."""
    import z3
    return z3.get_version_string()


def verdict_json(title, scen, v, file, *, invocation: dict | None = None) -> dict:
    from .. import __version__
    d = {
        "schema": JSON_SCHEMA_VERSION,
        "tool": {"name": "bbmcheck", "version": __version__, "z3": _z3_version()},
        "file": file,
        "check": title,
        "status": v.status,
        "reason": v.reason,
        "property": v.prop,
        "bounds": v.bounds,
        "omits": v.omits,
        "stats": {k: x for k, x in v.stats.items() if k != "paths"},
    }
    if invocation is not None:
        d["invocation"] = invocation
    if v.trace is not None:
        d["trace"] = trace_json(v.trace)
    if v.status == "PROVED" and v.witness is not None:
        d["witness"] = {"instructions": _witness_counts(v.witness)}
    return d


def _witness_counts(w) -> dict:
    steps: dict = {}
    for s in w.steps:
        if s.kind == "instr":
            steps[s.cpu] = steps.get(s.cpu, 0) + 1 + len(s.locals)
    return {f"cpu{c}": n for c, n in sorted(steps.items())}


def trace_json(tr) -> dict:
    return {
        "violation": tr.violation,
        "property": tr.prop,
        "rule": tr.rule,
        "fix": tr.fix,
        "at": tr.at,
        "details": _hexify(dict(tr.details)),
        "cpus": _hexify(list(tr.cpus)),
        "initial": {hex(a): hex(v) for a, v in sorted(tr.initial.items())},
        "steps": [{"n": s.n or i + 1, "time": s.time, "cpu": s.cpu, "kind": s.kind,
                   "text": s.text, "loc": s.loc, "source": s.source,
                   "changes": {k: hex(x) for k, x in s.changes.items()},
                   "key": bool(s.key),
                   "data": _hexify(dict(s.data))}
                  for i, s in enumerate(tr.steps)],
    }


# --------------------------------------------------------------------------- helpers

def _int(x):
    if x is None:
        return None
    if isinstance(x, str):
        return int(x, 16) if x.startswith("0x") else int(x)
    return x


def tlbi_hits(t: dict, d: dict) -> bool:
    """Whether the TLBI of JSON step data `t` removes the TLB entry of fill data `d`:
    the model's own rule (model/vmsa/tlbi.py: matches) on the trace's values, with
    FEAT_TTL's hint applied where the check applied it (`ttl_hint`)."""
    from ..model import values as V
    from ..model.effects import TLBI
    from ..model.vmsa import tlbi as TL
    from ..model.vmsa.regime import Features

    def const(x, bits):
        return None if _int(x) is None else V.const(_int(x), bits)
    eff = TLBI(t.get("op", ""), t.get("regime", "el1"), t.get("scope", "local"),
               t.get("match", "all"), bool(t.get("last_level")), const(t.get("va"), 64),
               const(t.get("asid"), 16), const(t.get("ttl"), 4))
    leaf = d.get("entry") == "leaf"
    if eff.match not in ("all", "asid") and eff.va is None:
        return True                     # no operand in the trace: assume the widest
    hit = TL.matches(eff, Features(ttl=bool(t.get("ttl_hint"))), va=const(d["va"], 64),
                     level=d["level"], leaf=leaf, is_global=not (leaf and d.get("ng")),
                     asid=const(d.get("asid") or 0, 16),
                     regime_el=d.get("el", TL.regime_of(eff)))
    return bool(V.concrete_bool(hit)) if not isinstance(hit, bool) else hit


def describe_desc(value, level) -> str:
    from ..model.vmsa import descriptor as D
    v = _int(value)
    if v is None:
        return "?"
    if level is None:
        return f"{v:#x}"
    return D.describe(v, level)


def _changes(ch: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in ch.items())


class Row:
    """One line (or block) of the folded trace."""

    def __init__(self, kind, steps, cpu, text, *, loc="", source="", key=False,
                 detail=None, fold=""):
        self.kind = kind                 # 'instr' | 'walk' | 'visible' | 'tlbi' | 'fold' | 'spin'
        self.steps = steps               # the JSON steps it stands for
        self.cpu = cpu
        self.text = text
        self.loc = loc
        self.source = source
        self.key = key
        self.detail = detail or []       # extra lines
        self.fold = fold

    @property
    def label(self) -> str:
        a, b = self.steps[0]["n"], self.steps[-1]["n"]
        return f"{a}" if a == b else f"{a}-{b}"


def _relevant_descs(tr: dict) -> set:
    d = tr.get("details", {})
    out = set()
    if "desc_addr" in d:
        out.add(_int(d["desc_addr"]))
    for e in d.get("entries", []):
        out.add(_int(e["desc_addr"]))
    # a fault: the descriptor its walk found invalid (the stores to it tell why)
    acc = d.get("access")
    for s in tr.get("steps", []) if acc is not None else ():
        if s["kind"] == "fault" and s["data"].get("for") == acc and "desc_addr" in s["data"]:
            out.add(_int(s["data"]["desc_addr"]))
    return out


def _walk_text(group: list[dict]) -> tuple[str, list[str]]:
    """One line for the consecutive reads of one walk."""
    last = group[-1]["data"]
    va = _int(last["va"])
    path = " › ".join(s["data"]["desc_name"] for s in group[:-1])
    entry = last.get("entry")
    lvl = last["level"]
    desc = describe_desc(last["desc"], lvl)
    if (entry == "invalid" and last.get("chain_kind") == "witness" and len(group) > 1
            and group[-2]["data"].get("entry") == "table"):
        # a witness walk that ends on an invalid descriptor leaves walk-cache entries
        # only: name the deepest, which is what the violation holds
        tab = group[-2]["data"]
        txt = (f"TLB walk-cache entry: VA {va:#x} level {tab['level']} from "
               f"{tab['desc_name']} ({describe_desc(tab['desc'], tab['level'])})")
        via = " › ".join(x["data"]["desc_name"] for x in group[:-2])
        ttbr = f"TTBR {tab['ttbr']}" if tab.get("ttbr") else ""
        detail = []
        if via:
            detail.append(f"walked via {via}" + (f" ({ttbr})" if ttbr else ""))
        elif ttbr:
            txt += f" through {ttbr}"
        detail.append(f"next level: {last['desc_name']} = {desc} (no last-level entry)")
        return txt, detail
    if entry == "invalid":
        # the walk may run ahead of its access: say which one it is for
        fs = last.get("for_step")
        who = f" for step {fs}" if fs is not None else ""
        txt = f"walk of VA {va:#x}{who} reads {last['desc_name']} = {desc}: no translation"
    elif entry == "table":
        txt = (f"TLB walk-cache entry: VA {va:#x} level {lvl} from {last['desc_name']} "
               f"({desc})")
    else:
        va0, va1 = _int(last["va_start"]), _int(last["va_end"])
        glob = f"nG, ASID {last.get('asid')}" if last.get("ng") else "global"
        txt = (f"TLB fill: VA {va0:#x} +{_size(va1 - va0 + 1)} → {desc} ({glob}; level {lvl}, "
               f"from {last['desc_name']} @ {last['desc_addr']})")
    detail = []
    if path:
        detail.append(f"walked via {path}" + (f" (TTBR {last['ttbr']})" if last.get("ttbr")
                                                else ""))
    return txt, detail


def _size(n: int) -> str:
    for unit, sh in (("G", 30), ("M", 20), ("K", 10)):
        if n >= 1 << sh and n % (1 << sh) == 0:
            return f"{n >> sh}{unit}"
    return str(n)


def rows(tr: dict, *, fold: bool = True, spin_min: int = 3) -> tuple[list[Row], int]:
    """The folded trace: (rows, number of steps after the violation not shown)."""
    steps = tr["steps"]
    at = tr.get("at")
    hidden_after = 0
    if fold and at is not None:
        shown = [s for s in steps if s["time"] <= at]
        hidden_after = len(steps) - len(shown)
        steps = shown
    by_n = {s["n"]: s for s in tr["steps"]}
    step_of_ref = {s["data"].get("event"): s["n"] for s in tr["steps"] if s["kind"] == "instr"}
    relevant = _relevant_descs(tr)
    key_refs = {s["data"].get("event") for s in steps if s["key"] and s["kind"] == "instr"}

    # chains that matter: key walks, walks of key accesses, walks reading a relevant descriptor
    chain_key = {}          # walks shown: of the violation, or through a descriptor involved
    chain_mark = {}         # ...of which these are part of the violation (marked ▶)
    for s in steps:
        if s["kind"] in ("fill", "fault"):
            d = s["data"]
            c = d["chain"]
            k = (s["key"] or s["kind"] == "fault"
                 or (tr.get("property") in ("fault", "stale") and d.get("for") in key_refs))
            chain_mark[c] = chain_mark.get(c, False) or k
            chain_key[c] = chain_key.get(c, False) or k or _int(d["desc_addr"]) in relevant

    # spinning loops: per CPU, runs of loads/others repeating the same pcs
    spin_of: dict[int, int] = {}            # step n -> id of its spin run
    spin_runs: dict[int, list] = {}
    if fold:
        per_cpu: dict[int, list] = {}
        for s in steps:
            if s["kind"] == "instr":
                per_cpu.setdefault(s["cpu"], []).append(s)
        rid = 0
        for cpu, ss in per_cpu.items():
            i = 0
            while i < len(ss):
                j = i
                while j < len(ss) and _spinnable(ss[j]):
                    j += 1
                run = ss[i:j]
                if len(run) >= 2:
                    first_pc = run[0]["data"].get("pc")
                    lastpos = max(k for k, x in enumerate(run) if x["data"].get("pc") == first_pc)
                    folded = run[:lastpos]
                    if len(folded) >= spin_min:
                        rid += 1
                        spin_runs[rid] = folded
                        for x in folded:
                            spin_of[x["n"]] = rid
                i = max(j, i + 1)
        # walks for the folded loads go with them
        for s in steps:
            f = s["data"].get("for")
            if s["kind"] == "fill" and f in step_of_ref and step_of_ref[f] in spin_of \
                    and not chain_key.get(s["data"]["chain"]):
                spin_of[s["n"]] = spin_of[step_of_ref[f]]

    out: list[Row] = []
    i = 0
    done_spin = set()
    while i < len(steps):
        s = steps[i]
        d = s["data"]
        if s["n"] in spin_of:
            rid = spin_of[s["n"]]
            if rid not in done_spin:
                done_spin.add(rid)
                run = spin_runs[rid]
                members = [x for x in steps if spin_of.get(x["n"]) == rid]
                locs = sorted({x["data"].get("line") for x in run if x["data"].get("line")})
                f = os.path.basename(run[0]["data"].get("file") or "")
                where = f"{f}:{locs[0]}" + (f"-{locs[-1]}" if len(locs) > 1 else "")
                reads = sorted({f"{_int(x['data']['va']):#x} = {x['data']['value']}"
                                if isinstance(x["data"].get("value"), str) else ""
                                for x in run if x["data"].get("store") is False} - {""})
                extra = f" (reading {', '.join(reads[:2])})" if reads else ""
                out.append(Row("spin", members, s["cpu"],
                               f"{len(run)} steps spinning at {where}{extra}"))
            i += 1
            continue
        if s["kind"] in ("fill", "fault"):
            group = [s]
            j = i + 1
            while j < len(steps) and steps[j]["kind"] in ("fill", "fault") \
                    and steps[j]["data"]["chain"] == d["chain"] \
                    and steps[j]["n"] not in spin_of:
                group.append(steps[j])
                j += 1
            if fold and not chain_key.get(d["chain"]):
                # fold this and following unimportant walks of the same CPU
                while j < len(steps) and steps[j]["kind"] in ("fill", "fault") \
                        and steps[j]["cpu"] == s["cpu"] \
                        and not chain_key.get(steps[j]["data"]["chain"]) \
                        and steps[j]["n"] not in spin_of:
                    group.append(steps[j])
                    j += 1
                vas = sorted({_int(x["data"]["va"]) for x in group})
                fors = sorted({by_n[x["data"]["for_step"]]["loc"]
                               for x in group if x["data"].get("for_step")})
                why = f" for its accesses at {', '.join(fors)}" if fors else " (speculative)"
                out.append(Row("fold", group, s["cpu"],
                               f"{len(group)} TLB fills{why}, VA "
                               f"{', '.join(f'{v:#x}' for v in vas)} (not involved)"))
            else:
                txt, detail = _walk_text(group)
                out.append(Row("walk", group, s["cpu"], txt, key=any(x["key"] for x in group)
                               or chain_mark.get(d["chain"], False), detail=detail))
            i = j
            continue
        if s["kind"] == "instr":
            out.append(_instr_row(s, step_of_ref))
        elif s["kind"] == "visible":
            who = "its own walker" if d.get("to") == "own-walker" else "every CPU and walker"
            what = (f"{d['desc_name']} = {describe_desc(d['value'], d.get('desc_level'))}"
                    if d.get("desc_name") else f"{d['value']} at PA {d['pa']}")
            src = f"store of step {d.get('store_step')}" if d.get("store_step") else "store"
            out.append(Row("visible", [s], s["cpu"], f"{src} ({what}) reaches {who}",
                           key=s["key"]))
        elif s["kind"] == "tlbi-performed":
            src = f"step {d.get('tlbi_step')}" if d.get("tlbi_step") else "an earlier step"
            out.append(Row("tlbi", [s], d.get("on", s["cpu"]),
                           f"TLBI of {src} performed on CPU{d.get('on')}'s TLB", key=s["key"]))
        else:
            out.append(Row(s["kind"], [s], s["cpu"], s["text"], key=s["key"]))
        i += 1
    return out, hidden_after


def _lines(rs) -> int:
    return sum(1 + len(r.detail) for r in rs)


def focus(rs: list, tr: dict, *, budget: int = 30, tail: int = 1) -> list:
    """A long trace, cut down to what explains the violation: steps marked key, the
    walks shown, every store to (and visibility of) the descriptors involved, system
    register writes, the barriers and TLBIs from the first store to an involved
    descriptor on, and the last few steps.  Every other run of steps becomes one
    line.  Traces within the budget are left whole; a trace still over it is cut
    further by `_episode` (the story of the violation's own entries only)."""
    if _lines(rs) <= budget:
        return rs
    relevant = _relevant_descs(tr)
    viol_cpu = tr.get("details", {}).get("cpu")
    touches = _toucher(relevant, viol_cpu)
    start = next((i for i, r in enumerate(rs) if touches(r)), max(0, len(rs) - 12))
    keep = []
    for i, r in enumerate(rs):
        d = r.steps[0].get("data", {})
        k = (r.key or r.kind in ("walk", "spin") or touches(r) or i >= len(rs) - tail
             or (r.kind == "instr" and d.get("kind") == "msr")
             or (i >= start and (r.kind == "tlbi" or (r.kind == "instr" and d.get("kind") in (
                 "barrier", "tlbi", "isb")))))
        keep.append(k)
    out = _fold(rs, keep)
    if _lines(out) > budget:
        # register details of uninvolved instructions go first
        for r in out:
            if not r.key and r.kind == "instr":
                r.detail = []
    if _lines(out) > budget:
        out = _episode(rs, keep, tr, touches, budget)
    return out


def _toucher(relevant: set, viol_cpu):
    """Whether a row stores to (or makes visible) a descriptor the violation involves."""
    def touches(r):
        d = r.steps[0].get("data", {})
        if r.kind == "visible" and d.get("to") == "all" and r.cpu == viol_cpu:
            return False        # the violating CPU's own walker saw it earlier (own row)
        pa = _int(d["pa"]) if d.get("pa") is not None else None
        return r.kind in ("instr", "visible") and pa in relevant and (
            r.kind == "visible" or d.get("store"))
    return touches


def _witness(r) -> bool:
    """The row holds a step the checker marked as part of the violation itself (the
    conflicting entries' walks, the faulting access, the BBM store), not merely a walk
    of an involved descriptor."""
    return any(x.get("key") for x in r.steps)


def _episode(rs: list, keep: list, tr: dict, touches, budget: int) -> list:
    """Still over budget: keep only the episode that made the violation.  It is
    anchored at the first witness step that is not a walk-cache entry (for a conflict,
    the older entry's fill; for BBM, the holder's fill or the store; for a fault, the
    access) and starts at the last store to an involved descriptor before it (for a
    conflict: the store that wrote the older entry's descriptor).  Kept: every witness
    step; before the start, each CPU's last write of each system register; from the
    start to the anchor, the stores to involved descriptors; from the anchor to the
    last such store, what `focus` keeps except walks that are not witnesses; after it,
    system register writes and TLBIs.  A store's row also says when it became
    visible, instead of a row of its own; steps after the last kept row are not
    shown (counted with the later ones)."""
    stores = [i for i, r in enumerate(rs) if touches(r) and r.kind == "instr"]
    anchor = next((i for i, r in enumerate(rs) if _leaf(r)), len(rs))
    start = max((i for i in stores if i < anchor), default=anchor)
    last_store = max(stores, default=-1)
    last_msr = {}
    for i in range(start):
        d = rs[i].steps[0].get("data", {})
        if rs[i].kind == "instr" and d.get("kind") == "msr":
            last_msr[(rs[i].cpu, d.get("reg"))] = i
    keep2 = []
    for i, r in enumerate(rs):
        d = r.steps[0].get("data", {})
        if _witness(r):
            k = True
        elif i < start:
            k = i in last_msr.values()
        elif i < anchor:
            k = touches(r)
        elif r.kind == "walk":
            k = False
        elif i <= last_store:
            k = keep[i]
        else:
            k = r.kind == "tlbi" or (r.kind == "instr" and d.get("kind") in ("msr", "tlbi"))
        keep2.append(k)
    viol_cpu = tr.get("details", {}).get("cpu")

    def kind(i):
        return rs[i].steps[0].get("data", {}).get("kind")
    # still too long: give up, in this order, rows that tell less of the story
    drops = [lambda i: rs[i].kind == "visible",
             lambda i: i < start and rs[i].cpu != viol_cpu,
             lambda i: kind(i) == "isb",
             lambda i: i < start,
             lambda i: kind(i) == "barrier" and rs[i].steps[0]["data"].get("op") == "dmb",
             lambda i: rs[i].kind == "walk",
             lambda i: kind(i) == "barrier"]
    out = _merge_visible(_fold(*_trim(rs, keep2)))
    for drop in drops:
        if _lines(out) <= budget:
            break
        keep2 = [k and (_leaf(rs[i]) or not drop(i)) for i, k in enumerate(keep2)]
        out = _merge_visible(_fold(*_trim(rs, keep2)))
    return out


def _trim(rs: list, keep: list) -> tuple[list, list]:
    """Nothing after the last kept row is shown (those steps are counted)."""
    n = len(keep)
    while n and not keep[n - 1]:
        n -= 1
    return rs[:n], keep[:n]


def _leaf(r) -> bool:
    """A witness step other than a walk-cache entry: never given up."""
    return any(x.get("key") and not (x["kind"] == "fill"
                                     and x.get("data", {}).get("entry") == "table")
               for x in r.steps)


def _merge_visible(out: list) -> list:
    """A store's row also says when it became visible, instead of a row of its own."""
    merged = []
    for r in out:
        d = r.steps[0].get("data", {})
        prev = merged[-1] if merged else None
        if (r.kind == "visible" and prev is not None and prev.kind == "instr"
                and prev.steps[-1]["n"] == d.get("store_step") and not r.key):
            who = "its own walker" if d.get("to") == "own-walker" else "every CPU and walker"
            merged[-1] = Row("instr", prev.steps + r.steps, prev.cpu,
                             f"{prev.text}; reaches {who} at step {r.steps[0]['n']}",
                             loc=prev.loc, source=prev.source, key=prev.key,
                             detail=prev.detail if prev.key else [])
            continue
        if r.kind == "instr" and not r.key:
            r.detail = []
        merged.append(r)
    return merged


def _fold(rs: list, keep: list) -> list:
    """The rows kept, each run of the others as one 'not involved' row."""
    out, run = [], []

    def flush():
        if not run:
            return
        if len(run) == 1 and run[0].kind != "fold" and not run[0].detail:
            out.append(run[0])          # one line either way: show it
        else:
            steps = [x for r in run for x in r.steps]
            per = {}
            for r in run:
                for x in r.steps:
                    d = x.get("data", {})
                    if d.get("line"):
                        per.setdefault(r.cpu, []).append(
                            (os.path.basename(d.get("file") or ""), d["line"]))
            where = "; ".join(
                f"CPU{c} {v[0][0]}:{min(l for _, l in v)}-{max(l for _, l in v)}"
                for c, v in sorted(per.items()))
            # rows given up only to fit the screen are not called uninvolved
            told = any(_witness(r) or r.steps[0].get("data", {}).get("kind") in
                       ("barrier", "isb", "tlbi", "msr") for r in run)
            what = ("folded to fit the screen (--verbose shows them)" if told
                    else "not involved in the violation")
            out.append(Row("fold", steps, run[0].cpu,
                           f"{len(steps)} step{'s' if len(steps) > 1 else ''} {what}"
                           + (f" ({where})" if where else "")))
        run.clear()
    for r, k in zip(rs, keep):
        if k:
            flush()
            out.append(r)
        else:
            run.append(r)
    flush()
    return out


def _spinnable(s: dict) -> bool:
    d = s["data"]
    if s["key"]:
        return False
    if d.get("kind") == "load" and not d.get("fault"):
        return True
    return d.get("kind") == "other"


def _instr_row(s: dict, step_of_ref: dict) -> Row:
    d = s["data"]
    kind = d.get("kind")
    eff = ""
    if kind == "store":
        tgt = (f"{d['desc_name']} := {describe_desc(d['value'], d.get('desc_level'))}"
               if d.get("desc_name") else f"[{d['pa']}] := {d['value']}")
        eff = ("store-exclusive fails" if d.get("failed") else f"store {tgt}")
        if d.get("va") != d.get("pa"):
            eff += f" (VA {d['va']} → PA {d['pa']})" if d.get("desc_name") else \
                f" (VA {d['va']})"
    elif kind == "load":
        if d.get("fault"):
            eff = f"translation fault at VA {d['va']}"
        else:
            val = (describe_desc(d["value"], d.get("desc_level")) if d.get("desc_name")
                   else d["value"])
            where = d["desc_name"] if d.get("desc_name") else f"VA {d['va']}"
            eff = f"load {where} = {val}"
    elif kind == "tlbi":
        bits = [f"VA page {d['va']}" if d.get("va") else "",
                f"ASID {d['asid']}" if d.get("asid") is not None else "",
                "broadcast" if d.get("scope") in ("is", "os") else "this CPU only"]
        eff = "TLBI issued (" + ", ".join(b for b in bits if b) + ")"
    elif kind == "barrier" and d.get("op") == "dsb":
        waits = [step_of_ref.get(r) for r in d.get("waits_global", []) + d.get("waits_local", [])]
        tl = [step_of_ref.get(r) for r in d.get("completes_global", [])
              + d.get("completes_local", [])]
        parts = []
        ws = sorted({w for w in waits if w})
        ts = sorted({t for t in tl if t})
        if ws:
            parts.append("stores of step " + ", ".join(map(str, ws)))
        if ts:
            parts.append("TLBI of step " + ", ".join(map(str, ts)))
        eff = "waits for " + " and ".join(parts) if parts else ""
    elif kind == "msr":
        eff = f"{d.get('reg')} := {d.get('value')} (used by translation after an ISB)"
    elif kind == "return":
        eff = "returns"
    elif kind == "stop":
        eff = f"{d.get('reason')}: {d.get('detail')}"
    detail = []
    locs = [x for x in d.get("locals", []) if x["changes"]]   # hints (bti, nop) say nothing
    if locs:
        regs: dict = {}
        for x in locs:
            regs.update(x["changes"])
        if len(locs) <= 2:
            for x in locs:
                detail.append(f"after {x['text']} ({x['loc']})"
                              + (f": {_changes(x['changes'])}" if x["changes"] else ""))
        else:
            detail.append(f"after {len(locs)} register-only instructions ({locs[0]['loc']} … "
                          f"{locs[-1]['loc']})" + (f": {_changes(regs)}" if regs else ""))
    if s["changes"] and kind != "store":
        detail.append(_changes(s["changes"]))
    src = s["source"] or s["text"].split("   [")[0]
    return Row("instr", [s], s["cpu"], eff, loc=s["loc"], source=" ".join(src.split()),
               key=s["key"], detail=detail)


# --------------------------------------------------------------------------- text

def _bounds_line(b: dict) -> str:
    line = (f"{b.get('cpus')} CPUs, ≤ {b.get('steps')} instructions per CPU; "
            f"{b.get('regime')}; {b.get('geometry')}; {b.get('features')}; "
            f"initial TLB: {b.get('initial_tlb')}")
    added = b.get("tracked_vas_added")
    if added:
        line += ("; also tracked, the routine's own mappings: " +
                 ", ".join(f"VA {x['va']} ({x['store']})" for x in added))
    return line


def use_color(stream=None, mode: str = "auto") -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty()


def render_text(title, scen, v, file, *, color=False, verbose=False) -> str:
    """The verdict for people (from a live Verdict)."""
    return render_report(verdict_json(title, scen, v, file), color=color, verbose=verbose)


def render_report(rep: dict, *, color=False, verbose=False) -> str:
    def st(s, **kw):
        return click.style(s, **kw) if color else s
    out = [f"{os.path.basename(rep['file'])}: {rep['check']}"]
    out.append(st(rep["status"], fg=STYLE.get(rep["status"], "yellow"), bold=True)
               + f"  {rep['reason']}")
    out.append(f"  bounds: {_bounds_line(rep.get('bounds', {}))}")
    if rep.get("trace"):
        out.append("")
        # the lines below the trace: omits, time, and the minimisation caveat
        below = 2 + (rep["status"] == "REFUTED" and rep.get("stats", {}).get("minimal") is False) \
            + bool(rep.get("replay"))
        out.extend(render_trace_json(rep["trace"], color=color, fold=not verbose,
                                     reserved=len(out) + below))
    if rep["status"] == "PROVED" and rep.get("witness"):
        w = ", ".join(f"CPU{c[3:]} {n} instructions"
                      for c, n in rep["witness"]["instructions"].items())
        out.append(f"  reachability witness: every CPU returns ({w})")
    rp = rep.get("replay")
    if rp:
        if rp["status"] == "CONFIRMED":
            out.append("  replayed on the concrete interpreter: confirmed")
        elif rp["status"] == "UNCHECKED":
            out.append(f"  replayed on the concrete interpreter: {rp['detail']}")
        else:
            out.append(st(f"  the concrete replay rejects this trace, so the trace and the "
                          f"model disagree (a bbmcheck bug; please report it): "
                          f"{rp['detail']}", fg="yellow"))
    omits = rep.get("omits", [])
    if rep["status"] == "REFUTED" and not verbose:
        short = [o.split(":")[0].split(",")[0].split(" (")[0] for o in omits]
        out.append("  the model omits: " + "; ".join(short) + " (see --verbose)")
    else:
        out.append("  the model omits: " + "; ".join(omits))
    s = rep.get("stats", {})
    out.append(f"  time {s.get('total_s', 0):.2f} s (symbolic execution "
               f"{s.get('symex_s', 0):.2f} s, encoding {s.get('encode_s', 0):.2f} s, "
               f"{_solver_phases(s.get('phase_s', {}), s.get('race'))}"
               f"{s.get('events', 0)} events, {s.get('constraints', 0)} constraints"
               + (f"; Z3 {rep['tool']['z3']}" if rep.get("tool", {}).get("z3") else "")
               + ")")
    if rep["status"] == "REFUTED" and s.get("minimal") is False:
        out.append("  the trace was shortened within the minimisation time limit; a shorter "
                   "one may exist")
    return "\n".join(out)


SOLVER_PHASES = (("all", "all properties"), ("search", "property by property"),
                 ("minimize", "shortest trace"), ("checks", "final checks"))


def _solver_phases(ph: dict, race: dict | None = None) -> str:
    """'solver 9.8 s: all properties 8.5, final checks 1.3; ' (checker.Checker._phase).
    With two solver threads the all-properties query and the shortest-trace search ran
    at once: their seconds overlap, and the one stopped when the other answered says so."""
    parts = []
    for k, label in SOLVER_PHASES:
        if not ph.get(k):
            continue
        part = f"{label} {ph[k]:.2f}"
        if k == "all" and race and race.get("all") == "unknown" and race.get("interrupted"):
            part += " (stopped: the shortest-trace search answered first)"
        parts.append(part)
    if not parts:
        return ""
    head = f"solver {sum(ph.values()):.2f} s"
    if race and ph.get("all") and ph.get("minimize"):
        head += " on 2 threads (all properties and shortest trace at once)"
    return head + ": " + ", ".join(parts) + "; "


def render_trace(tr, *, color=False, fold=True) -> list[str]:
    """Text lines of a live Trace."""
    return render_trace_json(trace_json(tr), color=color, fold=fold)


SCREEN = 40        # a REFUTED report should fit on one screen (issue 6)


def render_trace_json(tr: dict, *, color=False, fold=True, reserved: int = 0) -> list[str]:
    """The trace's lines: CPUs, folded steps, the violation.  Folding aims at the whole
    report fitting in SCREEN lines, `reserved` of which the caller prints around it."""
    def st(s, **kw):
        return click.style(s, **kw) if color else s
    lines = []
    for c in tr.get("cpus", []):
        regs = ", ".join(f"{k}={v}" for k, v in c.get("regs", {}).items())
        sys_ = []
        for name in ("ttbr0_el1", "ttbr1_el1"):
            if c.get(name) not in (None, "0x0"):
                tab = f" ({c[name + '_table']})" if c.get(name + "_table") else ""
                sys_.append(f"{name.split('_')[0].upper()}={c[name]}{tab}")
        if c.get("sctlr_el1") is not None:
            sys_.append(f"MMU {'on' if _int(c['sctlr_el1']) & 1 else 'off'}")
        lines.append(st(f"  CPU{c['cpu']}", bold=True) + f" runs {c['entry']}"
                     + (f"({regs})" if regs else "") + (f"; {', '.join(sys_)}" if sys_ else ""))
    if lines:
        lines.append("")
    rs, hidden = rows(tr, fold=fold)
    tail = _tail_lines(tr, color=color)
    if fold:
        budget = SCREEN - reserved - len(lines) - len(tail) - 1
        n_rows = sum(len(r.steps) for r in rs)
        rs = focus(rs, tr, budget=max(12, min(30, budget)))
        hidden += n_rows - sum(len(r.steps) for r in rs)
    width = max([len(r.label) for r in rs] + [3])
    locw = min(max([len(r.loc) for r in rs if r.loc] + [0]), 34)
    for r in rs:
        mark = st("▶", fg="red", bold=True) if r.key else " "
        head = f"{r.label:>{width}} {mark} {st(f'CPU{r.cpu}', fg=_cpu_color(r.cpu))} "
        if r.kind == "instr":
            src = st(r.source, bold=True)
            body = f"{r.loc:<{locw}}  {src}"
            if r.text:
                body += st(f"   {r.text}", fg="red" if r.key else None)
        elif r.kind in ("fold", "spin"):
            body = st(f"⋯ {r.text}", dim=True)
        else:
            body = st(r.text, dim=not r.key and r.kind != "walk",
                      fg="red" if r.key else None)
        lines.append(head + body)
        pad = " " * (width + 9)
        for x in r.detail:
            lines.append(pad + st(x, dim=True))
    if hidden:
        lines.append(st(f"{'':>{width}}   ({hidden} later step{'s' if hidden > 1 else ''}"
                        f" not shown: not involved, or after the violation)", dim=True))
    return lines + tail


def _tail_lines(tr: dict, *, color=False) -> list[str]:
    """The failed property, its entries or descriptor change, the rule and the fix."""
    def st(s, **kw):
        return click.style(s, **kw) if color else s
    lines = [""]
    lines.append(st("✗ " + tr["violation"], fg="red", bold=True))
    lines.extend(_violation_detail(tr))
    if tr.get("rule"):
        lines.append(f"  rule: {tr['rule']}")
    if tr.get("fix"):
        lines.append(st(f"  suggested fix: {tr['fix']}", fg="green"))
    return lines


def _cpu_color(c: int) -> str:
    return ["cyan", "magenta", "blue", "yellow"][c % 4]


def _violation_detail(tr: dict) -> list[str]:
    """The entries or the descriptor change, with the steps that made them."""
    d = tr.get("details", {})
    out = []
    fills = {}
    for s in tr["steps"]:
        if s["kind"] == "fill":
            fills[(s["data"]["chain"], s["data"]["level"])] = s["n"]
    if tr.get("property") == "conflict":
        for i, e in enumerate(d.get("entries", []), 1):
            n = fills.get((e["witness"], e["level"]))
            out.append(f"  entry {i}: level {e['level']} {describe_desc(e['desc'], e['level'])}"
                       f", read from {e['desc_addr']}" + (f" at step {n}" if n else ""))
    elif tr.get("property") == "bbm":
        n = fills.get((d.get("witness"), d.get("level")))
        out.append(f"  descriptor {d.get('desc_name')} @ {d.get('desc_addr')}: "
                   f"{describe_desc(d.get('old'), d.get('level'))} ⇒ "
                   f"{describe_desc(d.get('new'), d.get('level'))}")
        if n:
            out.append(f"  CPU{d.get('cpu')} filled the old entry at step {n}")
    return out
