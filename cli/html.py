"""`bbmcheck prove --html FILE`: the counterexample as one self-contained page.

One lane per CPU, time downward, one row per step of the JSON trace (nothing
folded: the picture is for looking at everything).  Marks: store ■, load □, TLBI ✕,
DSB/DMB ═, ISB │, msr ◎, TLB fill ◆, a store becoming visible ◇, a TLBI performed
on a TLB ✕ (faint); the steps of the violation in red.  Dashed lines join a store to
the steps where it becomes visible and a TLBI to the TLBs it is performed on.
Hovering (or focusing) a mark shows the source line and what the step did.  Below:
the TLB contents of every CPU at the failing step, the violation, the rule and the
suggested fix.  No network access, no external files.
"""
from __future__ import annotations

import html
import json

from .report import _int, describe_desc, rows, tlbi_hits

LANE = 250
ROW = 24
LEFT = 60
TOP = 40

MARK = {"store": "■", "load": "□", "tlbi": "✕", "barrier": "═", "isb": "│", "msr": "◎",
        "return": "⏎", "stop": "■", "other": "·"}

CSS = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}
h1{font-size:1.2em;margin:0 0 .3em} .status{font-weight:bold}
.REFUTED{color:#b00}.PROVED{color:#070}.other{color:#a60}
.wrap{display:flex;gap:1.5em;align-items:flex-start}
svg text{font-family:ui-monospace,monospace;font-size:12px}
.step:hover rect.bg,.step:focus rect.bg,.step.sel rect.bg{fill:#fff3c4}
.step rect.bg{fill:transparent}
.key text.lbl,.key text.mk{fill:#b00;font-weight:bold}
.machine text.lbl{fill:#666} .after{opacity:.45}
.lane{stroke:#ccc;stroke-dasharray:2 3}
.link{stroke:#999;stroke-dasharray:4 3;fill:none}
#info{position:sticky;top:1em;min-width:22em;max-width:32em;border:1px solid #ccc;
 padding:.6em;background:#fafafa;font-size:.9em;white-space:pre-wrap;font-family:ui-monospace,monospace}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;font-family:ui-monospace,monospace}
.viol{color:#b00;font-weight:bold}.fix{color:#060}
"""

JS = """
(function(){
  var info=document.getElementById('info');
  var steps=document.querySelectorAll('.step');
  function show(el){
    for(var i=0;i<steps.length;i++){steps[i].classList.remove('sel');}
    el.classList.add('sel');
    info.textContent=el.getAttribute('data-info');
  }
  for(var i=0;i<steps.length;i++){
    steps[i].addEventListener('mouseenter',function(){show(this);});
    steps[i].addEventListener('focus',function(){show(this);});
  }
  document.body.setAttribute('data-ready',String(steps.length));
})();
"""


def _e(s) -> str:
    return html.escape(str(s), quote=True)


def _label(s: dict) -> tuple[str, str]:
    """(mark, short label) for a step."""
    d = s["data"]
    if s["kind"] == "instr":
        src = " ".join((s["source"] or s["text"].split("   [")[0]).split())
        return MARK.get(d.get("kind"), "·"), src
    if s["kind"] == "visible":
        who = "own walker" if d.get("to") == "own-walker" else "all"
        return "◇", f"store {d.get('store_step') or ''} visible to {who}"
    if s["kind"] == "tlbi-performed":
        return "✕", f"TLBI {d.get('tlbi_step') or ''} performed"
    lvl = d.get("level")
    name = d.get("desc_name", "")
    if s["kind"] == "fault":
        return "◆", f"walk: {name} invalid"
    return "◆", f"fill L{lvl} {name}"


def _info(s: dict) -> str:
    lines = [f"step {s['n']}  CPU{s['cpu']}  (time {s['time']})"]
    if s["loc"]:
        lines.append(s["loc"])
    if s["source"]:
        lines.append("    " + " ".join(s["source"].split()))
    lines.append(s["text"])
    if s["changes"]:
        lines.append(", ".join(f"{k}={v}" for k, v in s["changes"].items()))
    for x in s["data"].get("locals", []):
        lines.append(f"  after {x['text']}  ({x['loc']})")
    return "\n".join(lines)


def tlb_at(tr: dict) -> dict[int, list[dict]]:
    """Entries of every CPU's TLB at the failing step: filled (walk reads) up to the
    violation time and not removed by a TLBI performed on that CPU after the fill."""
    at = tr.get("at")
    steps = [s for s in tr["steps"] if at is None or s["time"] <= at]
    tlbi_of = {s["data"].get("event"): s["data"] for s in tr["steps"]
               if s["kind"] == "instr" and s["data"].get("kind") == "tlbi"}
    out: dict[int, list] = {}
    for s in steps:
        if s["kind"] != "fill":
            continue
        d = s["data"]
        killed = False
        for p in steps:
            if p["kind"] != "tlbi-performed" or p["data"].get("on") != s["cpu"]:
                continue
            if p["time"] <= s["time"]:
                continue
            t = tlbi_of.get(p["data"].get("tlbi"), {})
            if tlbi_hits(t, d):
                killed = True
                break
        if killed:
            continue
        ent = {"level": d["level"], "va": d["va_start"], "desc": d["desc"],
               "desc_name": d.get("desc_name"), "entry": d.get("entry"), "step": s["n"],
               "ng": d.get("ng"), "asid": d.get("asid")}
        same = [e for e in out.get(s["cpu"], []) if (e["level"], e["va"], e["desc"]) ==
                (ent["level"], ent["va"], ent["desc"])]
        if same:
            same[0]["step"] = s["n"]
            continue
        out.setdefault(s["cpu"], []).append(ent)
    return out


def _svg(tr: dict) -> str:
    steps = tr["steps"]
    ncpu = max([s["cpu"] for s in steps] + [s["data"].get("on", 0) or 0 for s in steps]
               + [len(tr.get("cpus", [])) - 1, 0]) + 1
    width = LEFT + LANE * ncpu + 10
    height = TOP + ROW * len(steps) + 20
    shown = {s["n"] for r in rows(tr, fold=True)[0] if r.kind not in ("fold", "spin")
             for s in r.steps}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="interleaving">']
    entries = {c["cpu"]: c["entry"] for c in tr.get("cpus", [])}
    for c in range(ncpu):
        x = LEFT + LANE * c
        out.append(f'<text x="{x + 8}" y="20" font-weight="bold">CPU{c} '
                   f'{_e(entries.get(c, ""))}</text>')
        out.append(f'<line class="lane" x1="{x + 14}" y1="{TOP - 8}" x2="{x + 14}" '
                   f'y2="{height - 10}"/>')
    pos = {}
    lane_of = {}
    for i, s in enumerate(steps):
        c = s["data"].get("on", s["cpu"]) if s["kind"] == "tlbi-performed" else s["cpu"]
        lane_of[s["n"]] = c
        pos[s["n"]] = (LEFT + LANE * c + 14, TOP + ROW * i + ROW // 2)
    # links: store -> visible, TLBI -> performed
    for s in steps:
        src = s["data"].get("store_step") or s["data"].get("tlbi_step")
        if src and src in pos and s["n"] in pos:
            (x1, y1), (x2, y2) = pos[src], pos[s["n"]]
            bend = 10 if x1 == x2 else 0
            out.append(f'<path class="link" d="M{x1} {y1} C{x1 - bend} {y1} {x2 - bend} {y2} '
                       f'{x2} {y2}"/>')
    for i, s in enumerate(steps):
        x, y = pos[s["n"]]
        mk, lbl = _label(s)
        machine = s["kind"] != "instr"
        cls = "step" + (" key" if s["key"] else "") + (" machine" if machine else "") + \
            ("" if s["n"] in shown else " folded") + \
            (" after" if tr.get("at") is not None and s["time"] > tr["at"] else "")
        ytop = TOP + ROW * i
        out.append(f'<g class="{cls}" id="step-{s["n"]}" tabindex="0" '
                   f'data-info="{_e(_info(s))}">')
        out.append(f'<title>{_e(_info(s))}</title>')
        out.append(f'<rect class="bg" x="0" y="{ytop}" width="{width}" height="{ROW}"/>')
        out.append(f'<text x="8" y="{y + 4}" fill="#888">{s["n"]}</text>')
        faint = ' opacity=".5"' if s["kind"] == "tlbi-performed" else ""
        out.append(f'<text class="mk" x="{x - 6}" y="{y + 5}"{faint}>{_e(mk)}</text>')
        short = lbl if len(lbl) <= 30 else lbl[:29] + "…"
        out.append(f'<text class="lbl" x="{x + 10}" y="{y + 4}">{_e(short)}</text>')
        out.append('</g>')
    out.append('</svg>')
    return "\n".join(out)


def _tlb_table(tr: dict) -> str:
    ents = tlb_at(tr)
    if not ents:
        return "<p>No TLB entries at the failing step.</p>"
    at = tr.get("at")
    parts = [f"<h2>TLB contents at the failing step"
             f"{f' (time {at})' if at is not None else ''}</h2>"]
    for c in sorted(ents):
        parts.append(f"<h3>CPU{c}</h3><table><tr><th>VA</th><th>level</th><th>entry</th>"
                     f"<th>from</th><th>filled at step</th></tr>")
        for e in sorted(ents[c], key=lambda e: (_int(e["va"]), e["level"])):
            g = "" if e["entry"] != "leaf" else (f"nG ASID {e['asid']}" if e["ng"] else "global")
            parts.append(f"<tr><td>{_e(e['va'])}</td><td>{e['level']}</td>"
                         f"<td>{_e(describe_desc(e['desc'], e['level']))} {g}</td>"
                         f"<td>{_e(e['desc_name'] or '')}</td><td>{e['step']}</td></tr>")
        parts.append("</table>")
    return "\n".join(parts)


def render_html(reports: list[dict]) -> str:
    body = []
    for rep in reports:
        st = rep["status"]
        cls = st if st in ("REFUTED", "PROVED") else "other"
        body.append(f"<section><h1>{_e(rep['file'])}: {_e(rep['check'])}</h1>"
                    f"<p><span class='status {cls}'>{_e(st)}</span> {_e(rep['reason'])}</p>")
        from .report import _bounds_line
        body.append(f"<p>bounds: {_e(_bounds_line(rep.get('bounds', {})))}</p>")
        tr = rep.get("trace")
        if tr:
            body.append(f"<p>{len(tr['steps'])} steps. Hover a step for its source line and "
                        f"effect; ■ store □ load ✕ TLBI ═ DSB/DMB │ ISB ◆ TLB fill "
                        f"◇ store visible; red: the steps of the violation.</p>")
            body.append("<div class='wrap'><div>" + _svg(tr) + "</div>"
                        "<div id='info'>hover a step</div></div>")
            body.append(_tlb_table(tr))
            body.append(f"<p class='viol'>✗ {_e(tr['violation'])}</p>")
            if tr.get("rule"):
                body.append(f"<p>rule: {_e(tr['rule'])}</p>")
            if tr.get("fix"):
                body.append(f"<p class='fix'>suggested fix: {_e(tr['fix'])}</p>")
            rp = rep.get("replay")
            if rp:
                body.append(f"<p>replayed on the concrete interpreter: "
                            f"{_e(rp['status'].lower())} ({_e(rp['detail'])})</p>")
        body.append("</section>")
    data = json.dumps(reports).replace("</", "<\\/")
    title = _e(reports[0]["check"]) if reports else "bbmcheck"
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>bbmcheck: {title}</title><style>{CSS}</style></head><body>"
            + "\n".join(body)
            + f"<script type='application/json' id='report'>{data}</script>"
            + f"<script>{JS}</script></body></html>\n")


def write_html(reports: list[dict], path: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(render_html(reports))
