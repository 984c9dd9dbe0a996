#!/usr/bin/env python3
"""Measure the kpti routine: every shipped version of proc.S, CPUs, geometries,
features, and the v6.1 mutants.  Prints a table (version, CPUs, geometry, bound,
features, verdict, property, seconds, peak MiB, trace steps, and the lines of the text
report a user reads for a REFUTED check, folded as `bbmcheck prove` prints it), and
where the seconds go (building the formula, the query of all properties at once, the
property-by-property search, trace minimisation, the final checks).  Not run in CI.

    python bench/kpti.py                         # the default matrix
    python bench/kpti.py --cpus 2 3 --entries 1,1,2,1 2 --versions v6.1
    python bench/kpti.py --mutants               # the v6.1 (ets2) and MMU-off mutants
    python bench/kpti.py --mutants --bisect      # ... shortest trace step by step
    python bench/kpti.py --edits                 # the edits the architecture allows
    python bench/kpti.py --bit-blast             # ... with the bit-blasting solver (compare)

Each check runs in its own process (peak memory is that process's maximum RSS);
--timeout bounds each (reported as TIMEOUT, never as a verdict).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from kpti_mutants import (MMUOFF, MMUOFF_EDITS, MMUOFF_MUTATIONS, PROC_S, V61,  # noqa: E402
                          V61_EDITS, V61_MUTATIONS, mutate)

VERSIONS = {
    "2018": "2018-f8b7736-mmuoff-no-dmb.S",
    "v5.19": "v5.19-state-e8d13cce-mmuoff-classic.S",
    "c7eff738": "v6.0-rc-c7eff738-mmuoff-simplified-parent-of-47546a19.S",
    "v6.1": "v6.1-c50d3285-mmuon-47546a19-routine.S",
    "v6.9": "v6.9-2b6c8f96-mmuon-lpa2-5level.S",
    "newest": "newest-gregkh-c02c0232-v6.13plus.S",
}
MMU_ON = {"v6.1", "v6.9", "newest"}

CHILD = r"""
import json, sys, time, resource
from bbmcheck import specs
from bbmcheck.model.checker import Checker, Options
from bbmcheck.specs.spec import parse_entries
a = json.loads(sys.argv[1])
t = time.perf_counter()
(title, scen), = specs.bundled_scenarios(a["file"], "idmap_kpti_install_ng_mappings",
    features=a["features"], cpus=a["cpus"], entries=parse_entries(a["entries"]), use=a["use"])
o = Options(minimize=a["minimize"], optimize=not a["bisect"], jobs=a["jobs"],
            bit_blast=a["bit_blast"]); o.props = tuple(scen.properties)
v = Checker(scen, o).run()
from bbmcheck.cli.report import render_text
lines = len(render_text(title, scen, v, a["file"]).splitlines()) if v.trace else None
print(json.dumps({"lines": lines, "verdict": v.status, "prop": v.prop, "s": time.perf_counter() - t,
    "steps": len(v.trace.steps) if v.trace else None, "bound": scen.bound,
    "instr": v.stats.get("instructions"),
    "geometry": v.bounds.get("geometry", ""), "reason": v.reason[:200],
    "phases": dict(build=v.stats.get("symex_s", 0) + v.stats.get("encode_s", 0),
                   **v.stats.get("phase_s", {})), "race": v.stats.get("race"),
    "mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(file, cpus, entries, features, timeout, use=None, minimize=True, bisect=False,
        jobs=2, bit_blast=False):
    arg = json.dumps({"file": file, "cpus": cpus, "entries": entries, "features": features,
                      "use": use, "minimize": minimize, "bisect": bisect, "jobs": jobs,
                      "bit_blast": bit_blast})
    t = time.perf_counter()
    try:
        p = subprocess.run([sys.executable, "-c", CHILD, arg], capture_output=True, text=True,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"verdict": "TIMEOUT", "s": time.perf_counter() - t}
    if p.returncode != 0:
        return {"verdict": "ERROR", "s": time.perf_counter() - t,
                "reason": (p.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(p.stdout.strip().splitlines()[-1])


PHASES = (("build", "build"), ("all", "all-props"), ("search", "in-order"),
          ("minimize", "minimise"), ("checks", "checks"))


def phases(r) -> str:
    """Seconds by phase: symbolic execution + encoding, the query of every property at
    once, the property-by-property search, trace minimisation, the final checks.  With
    two jobs the first two overlap ("2 jobs"); "stopped"/"skipped": the optimiser
    answered first."""
    ph = r.get("phases") or {}
    out = " ".join(f"{label} {ph[k]:.1f}" for k, label in PHASES if ph.get(k))
    race = r.get("race")
    if race:
        out += " (2 jobs" + ("" if race["all"] in ("sat", "unsat") else
                            ", all-props " + ("skipped" if race["all"] == "skipped"
                                              else "stopped")) + ")"
    return out


def row(cols, widths):
    return "  ".join(str(c).ljust(w) for c, w in zip(cols, widths))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--versions", nargs="*", default=list(VERSIONS))
    ap.add_argument("--cpus", nargs="*", type=int, default=[2, 3])
    ap.add_argument("--entries", nargs="*", default=["1,1,2,1"])
    ap.add_argument("--features", nargs="*", default=None,
                    help="feature sets, comma-separated (default: ets2 for MMU-on, none for "
                         "MMU-off); 'base' for none")
    ap.add_argument("--mutants", action="store_true",
                    help="the broken variants (REFUTED, shortest trace)")
    ap.add_argument("--edits", action="store_true",
                    help="the edits the architecture allows (PROVED)")
    ap.add_argument("--bisect", action="store_true",
                    help="shortest trace by the step-by-step search (the fallback) instead "
                         "of the one-query optimisation: compare their lengths and times")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--jobs", type=int, choices=(1, 2), default=2,
                    help="solver threads, as `bbmcheck prove -j` (2: the shortest-trace "
                         "optimisation beside the all-properties query)")
    ap.add_argument("--no-minimize", action="store_true",
                    help="no shortest-trace search (as `bbmcheck prove --no-minimize`)")
    ap.add_argument("--bit-blast", action="store_true",
                    help="the checker's solver bit-blasts before solving (Options.bit_blast, "
                         "stop 25; not the default yet): to compare")
    a = ap.parse_args()
    W = [10, 4, 32, 5, 6, 9, 9, 8, 8, 6, 6, 5, 0]
    from calibrate import line
    print(line(), flush=True)             # to compare figures across machines
    print(row(["version", "CPUs", "geometry", "bound", "feat", "verdict", "property",
               "seconds", "peak MiB", "steps", "instr", "lines", "where the seconds go"], W))
    if a.mutants or a.edits:
        table = []
        if a.mutants:
            table += [(V61, m, ["ets2"], "kpti-mmu-on") for m in V61_MUTATIONS]
            table += [(MMUOFF, m, [], "kpti-mmu-off") for m in MMUOFF_MUTATIONS]
        if a.edits:
            table += [(V61, m, ["ets2"], "kpti-mmu-on") for m in V61_EDITS]
            table += [(MMUOFF, m, [], "kpti-mmu-off") for m in MMUOFF_EDITS]
        for src, m, feats, use in table:
            d = tempfile.mkdtemp()
            f = mutate(src, m, d)
            for e in a.entries:
                r = run(f, 2, e, feats, a.timeout, use=use, minimize=not a.no_minimize,
                        bisect=a.bisect, jobs=a.jobs, bit_blast=a.bit_blast)
                print(row([m.name[:10], 2, e, "", ",".join(feats) or "base", r["verdict"],
                           r.get("prop") or "",
                           f"{r['s']:.1f}", f"{r.get('mib', 0):.0f}", r.get("steps") or "",
                           r.get("instr") or "", r.get("lines") or "", phases(r)], W),
                      flush=True)
        return
    for v in a.versions:
        f = os.path.join(PROC_S, VERSIONS[v])
        fsets = a.features or (["ets2"] if v in MMU_ON else ["base"])
        for fs in fsets:
            feats = [] if fs == "base" else fs.split(",")
            for c in a.cpus:
                for e in a.entries:
                    r = run(f, c, e, feats, a.timeout, minimize=not a.no_minimize,
                            jobs=a.jobs, bit_blast=a.bit_blast)
                    print(row([v, c, r.get("geometry", e)[:32] if r.get("geometry") else e,
                               r.get("bound", ""), fs, r["verdict"], r.get("prop") or "",
                               f"{r['s']:.1f}", f"{r.get('mib', 0):.0f}", r.get("steps") or "",
                               r.get("instr") or "", r.get("lines") or "", phases(r)], W),
                          flush=True)


if __name__ == "__main__":
    main()
