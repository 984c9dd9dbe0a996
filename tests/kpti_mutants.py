"""The kpti routine's broken variants (issue 5): a mutation table applied at test
time to the corpus file (never stored as copies).  Each mutation names the lines it
deletes by line number *and* by their text, so a corpus file that differs fails
loudly instead of testing something else."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROC_S = os.path.join(ROOT, "..", "shared", "corpus", "linux", "proc.S")
V61 = os.path.join(PROC_S, "v6.1-c50d3285-mmuon-47546a19-routine.S")
MMUOFF = os.path.join(PROC_S, "v6.0-rc-c7eff738-mmuoff-simplified-parent-of-47546a19.S")


@dataclass(frozen=True)
class Mutation:
    name: str
    what: str
    deletes: tuple            # (line number, regex the line must match)
    breaks: tuple             # properties the mutant may violate (any of them)


def _n(text):
    return re.sub(r"\s+", " ", text.strip())


V61_MUTATIONS = [
    Mutation("no-break", "kpti_map_pgtbl without its `str xzr` break",
             ((232, r"str xzr, \[temp_pte, #8 \* \(\\level \+ 1\)\]"),), ("bbm", "conflict")),
    Mutation("no-tlbi-vaae1", "kpti_map_pgtbl without its `tlbi vaae1`",
             ((236, r"tlbi vaae1, pte"),), ("bbm", "conflict", "post")),
    Mutation("no-dsb-before-tlbi", "kpti_map_pgtbl without the `dsb nshst` before the TLBI",
             ((233, r"dsb nshst"),), ("bbm", "conflict")),
    Mutation("no-dsb-after-tlbi", "kpti_map_pgtbl without the `dsb nsh` after the TLBI",
             ((237, r"dsb nsh$"),), ("bbm", "conflict")),
    Mutation("boot-no-wait", "the boot CPU does not wait for the secondaries",
             ((288, r"cbnz w17, 1b"),), ("bbm", "conflict", "post")),
    Mutation("secondary-no-wait", "a secondary does not wait for the flag to return to 0",
             ((384, r"cbnz w16, 1b"),), ("bbm", "conflict", "post")),
    Mutation("secondary-stays-on-swapper",
             "the secondaries do not switch to the reserved table",
             ((372, r"__idmap_cpu_set_reserved_ttbr1 x16, x17"),), ("bbm", "conflict", "post")),
    Mutation("no-tlbi-vmalle1", "__idmap_cpu_set_reserved_ttbr1 without its `tlbi vmalle1`",
             ((178, r"tlbi vmalle1"),), ("bbm", "conflict", "post")),
    Mutation("no-dsb-before-reinstall", "no `dsb ishst` before swapper is re-installed",
             ((306, r"dsb ishst"),), ("bbm", "conflict", "post")),
]


# The MMU-off design (c7eff738, the parent of the MMU-on rewrite).
MMUOFF_MUTATIONS = [
    Mutation("no-final-tlbi-vmalle1is",
             "the MMU-off routine without its final `tlbi vmalle1is` after the rewrite",
             ((277, r"tlbi vmalle1is"),), ("conflict", "post", "stale")),
]


def mutate(path: str, m: Mutation, out_dir: str) -> str:
    """Write the mutant of `path` into out_dir (same name) and return its path."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for no, pat in m.deletes:
        line = lines[no - 1]
        body = _n(line.split("//")[0])
        if not re.search(pat, body):
            raise AssertionError(f"{os.path.basename(path)}:{no} is {line!r}, "
                                 f"not what mutation {m.name} deletes ({pat})")
        lines[no - 1] = ""              # keep line numbers
    out = os.path.join(out_dir, os.path.basename(path))
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return out
