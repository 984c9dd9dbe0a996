"""SARIF 2.1.0 for code scanning (GitHub, VS Code SARIF viewer, ...).

One run per invocation of `bbmcheck prove`; one result per violated property (a
REFUTED check), located at the instruction that made the violation happen (the
store that replaced the descriptor, the access that faulted, ...) in the file the
user wrote (the outermost macro invocation site).  Its counterexample is one
codeFlow with one threadFlow per CPU; every step of the trace is a
threadFlowLocation whose `executionOrder` is its step number, so a viewer can
replay the interleaving across threads.  Checks that end UNKNOWN, INCONCLUSIVE or
VACUOUS are tool notifications (level warning), not results; PROVED checks give
nothing but their invocation record.
"""
from __future__ import annotations

import os

from .report import rows

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

RULES = [
    ("bbm", "BreakBeforeMake", "A live translation table descriptor is changed without "
     "break-before-make."),
    ("conflict", "ConflictingTlbEntries", "A TLB can hold two entries for one VA that "
     "give different translations (TLB conflict)."),
    ("fault", "UnexpectedTranslationFault", "An access can find no valid translation."),
    ("stale", "StaleTranslation", "An access can use a TLB entry that no longer matches "
     "the translation tables."),
    ("post", "PostconditionFailed", "A postcondition of the scenario can fail."),
]
RULE_INDEX = {r[0]: i for i, r in enumerate(RULES)}
HELP = ("bbmcheck explores every interleaving of the modelled CPUs within the stated "
        "bounds; the code flow of the result is a shortest interleaving that breaks the "
        "rule.  Run `bbmcheck prove` locally for the folded text trace, or with "
        "--html for a picture.")


def _uri(path: str, root: str) -> str:
    p = path.replace(os.sep, "/")
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path, root)
        except ValueError:
            return "file://" + p
        if not rel.startswith(".."):
            return rel.replace(os.sep, "/")
        return "file://" + p
    return p


def _phys(file: str, line: int | None, root: str) -> dict:
    loc = {"artifactLocation": {"uri": _uri(file, root)}}
    if not os.path.isabs(file) or not _uri(file, root).startswith("file://"):
        loc["artifactLocation"]["uriBaseId"] = "SRCROOT"
    if line:
        loc["region"] = {"startLine": int(line)}
    return loc


def _rules(properties_rules: dict) -> list[dict]:
    out = []
    for pid, name, short in RULES:
        r = {"id": pid, "name": name, "shortDescription": {"text": short},
             "help": {"text": HELP}, "defaultConfiguration": {"level": "error"}}
        if pid in properties_rules:
            r["fullDescription"] = {"text": properties_rules[pid]}
        out.append(r)
    return out


def _step_message(s: dict) -> str:
    return (f"step {s['n']}, CPU{s['cpu']}: {s['text']}"
            + (" (part of the violation)" if s["key"] else ""))


def _result(rep: dict, root: str) -> dict:
    tr = rep["trace"]
    prop = tr.get("property") or rep.get("property") or "bbm"
    key = _primary(tr)
    msg = tr["violation"]
    if tr.get("fix"):
        msg += f". Suggested fix: {tr['fix']}"
    res = {"ruleId": prop, "ruleIndex": RULE_INDEX.get(prop, 0), "kind": "fail",
           "level": "error", "message": {"text": msg}}
    if key is not None and key["data"].get("file"):
        res["locations"] = [{"physicalLocation": _phys(key["data"]["file"],
                                                       key["data"].get("line"), root),
                             "message": {"text": f"{key['loc']}: {key['source']}"}}]
    else:
        res["locations"] = [{"physicalLocation": _phys(rep["file"], None, root)}]
    # one threadFlow per CPU; executionOrder = step number (global interleaving order)
    flows: dict[int, list] = {}
    important = {s["n"] for r in rows(tr, fold=True)[0] if r.kind not in ("fold", "spin")
                 for s in r.steps}
    for s in tr["steps"]:
        d = s["data"]
        loc: dict = {"message": {"text": _step_message(s)}}
        if s["kind"] == "instr" and d.get("file"):
            loc["physicalLocation"] = _phys(d["file"], d.get("line"), root)
        tfl = {"location": loc, "executionOrder": s["n"],
               "importance": "essential" if s["key"] else
               ("important" if s["n"] in important else "unimportant"),
               "properties": {"time": s["time"], "stepKind": s["kind"]}}
        kinds = [k for k in (d.get("kind"), s["kind"]) if k]
        tfl["kinds"] = sorted(set(kinds))
        flows.setdefault(s["cpu"], []).append(tfl)
    tfs = [{"id": f"CPU{c}", "message": {"text": _cpu_text(tr, c)}, "locations": locs}
           for c, locs in sorted(flows.items())]
    res["codeFlows"] = [{"message": {"text": f"a shortest interleaving of "
                                             f"{len(tfs)} CPUs that violates {prop}"},
                         "threadFlows": tfs}]
    fp = f"{prop}:{key['data'].get('file') if key else rep['file']}:" \
         f"{key['data'].get('line') if key else 0}:{rep['check']}"
    res["partialFingerprints"] = {"bbmcheckViolation/v1": fp}
    res["properties"] = {"check": rep["check"], "bounds": rep.get("bounds", {}),
                         "rule": tr.get("rule", "")}
    if rep.get("replay"):
        # whether `bbmcheck prove` confirmed the trace on the concrete interpreter
        res["properties"]["replay"] = rep["replay"]["status"]
    return res


def _cpu_text(tr: dict, c: int) -> str:
    for x in tr.get("cpus", []):
        if x["cpu"] == c:
            return f"CPU{c} runs {x['entry']}"
    return f"CPU{c}"


def _primary(tr: dict):
    """The step to locate the result at: the key instruction step (the store or the
    access of the violation), else the last instruction step."""
    d = tr.get("details", {})
    want = d.get("store") or d.get("access")
    instr = [s for s in tr["steps"] if s["kind"] == "instr"]
    for s in instr:
        if want and s["data"].get("event") == want:
            return s
    keys = [s for s in instr if s["key"]]
    if keys:
        return keys[-1]
    return instr[-1] if instr else None


def sarif_log(reports: list[dict], *, root: str | None = None) -> dict:
    """A SARIF log for the JSON reports of one `bbmcheck prove` run."""
    from .. import __version__
    from ..model.properties import PROPERTIES
    root = root or os.getcwd()
    results, notes = [], []
    for rep in reports:
        if rep["status"] == "REFUTED" and rep.get("trace"):
            results.append(_result(rep, root))
        elif rep["status"] != "PROVED":
            notes.append({"level": "warning",
                          "message": {"text": f"{rep['check']}: {rep['status']}: "
                                              f"{rep['reason']}"},
                          "locations": [{"physicalLocation": _phys(rep["file"], None, root)}]})
    inv = {"executionSuccessful": True,
           "toolExecutionNotifications": notes,
           "properties": {"checks": [{"check": r["check"], "status": r["status"],
                                      "file": r["file"]} for r in reports]}}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "bbmcheck", "version": __version__,
                                "rules": _rules({k: v[1] for k, v in PROPERTIES.items()})}},
            "originalUriBaseIds": {"SRCROOT": {"uri": "file://" + root.replace(os.sep, "/")
                                               .rstrip("/") + "/"}},
            "invocations": [inv],
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
