"""The kpti routine's variants (issue 5), applied at test time to the corpus file
(never stored as copies): broken ones (a mutation deletes lines; the checker must
refute each) and allowed ones (an edit replaces a line by one the architecture says
is at least as strong; the checker must still prove each: it must not cry wolf).
Each names the lines it changes by line number *and* by their text, so a corpus file
that differs fails loudly instead of testing something else."""
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
    verb = "deletes"

    @property
    def replaces(self):
        return tuple((no, pat, "") for no, pat in self.deletes)


@dataclass(frozen=True)
class Edit:
    """An edit the architecture allows: each line replaced by one at least as strong
    (or deleted, new text empty, where the features make it redundant)."""
    name: str
    what: str
    replaces: tuple           # (line number, regex the line must match, new text)
    verb = "replaces"


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
    # beyond the list: without the ISB after TTBR1 is set back to swapper, the
    # caller's code (fetched through TTBR1) may still be translated with the reserved
    # table (a write to TTBR1 is only guaranteed to be used after a context
    # synchronization event; `ret` is not one)
    Mutation("boot-no-isb-after-reinstall", "the boot CPU returns without an `isb` after "
             "re-installing swapper", ((311, r"isb"),), ("post",)),
    Mutation("secondary-no-isb-after-reinstall", "a secondary returns without an `isb` "
             "after re-installing swapper", ((388, r"isb"),), ("post",)),
]


# Edits of the v6.1 routine the architecture allows (each at least as strong as the
# line it replaces), with --feature ets2 where the original is PROVED.
V61_EDITS = [
    Edit("break-dsb-ishst", "the `dsb nshst` after the break widened to the Inner Shareable "
         "domain (`dsb ishst`)", ((233, r"dsb nshst", "dsb ishst"),)),
    Edit("tlbi-vaae1is", "the fixmap TLBI broadcast (`tlbi vaae1is`, completed by `dsb ish`)",
         ((236, r"tlbi vaae1, pte", "tlbi vaae1is, pte"), (237, r"dsb nsh$", "dsb ish"))),
    Edit("tlbi-vmalle1", "the fixmap TLBI widened to every stage 1 EL1 entry "
         "(`tlbi vmalle1`)", ((236, r"tlbi vaae1, pte", "tlbi vmalle1"),)),
    Edit("make-dsb-full", "the `dsb nshst` after the make a full `dsb nsh` (loads too)",
         ((244, r"dsb nshst", "dsb nsh"),)),
    Edit("reinstall-dsb-sy", "the `dsb ishst` before swapper is re-installed a `dsb sy`",
         ((306, r"dsb ishst", "dsb sy"),)),
    Edit("tlbi-operand-first", "the TLBI's operand computed before the break (two "
         "independent instructions moved up)",
         ((232, r"str xzr, \[temp_pte, #8 \* \(\\level \+ 1\)\]",
           "add pte, temp_pte, #PAGE_SIZE * (\\level + 1)"),
          (233, r"dsb nshst", "lsr pte, pte, #12"),
          (234, r"add pte, temp_pte, #PAGE_SIZE \* \(\\level \+ 1\)",
           "str xzr, [temp_pte, #8 * (\\level + 1)]"),
          (235, r"lsr pte, pte, #12", "dsb nshst"))),
    # FEAT_ETS2 makes two of the routine's barriers redundant for its explicit
    # accesses (herd7's DSB-ob orders later walk reads after a DSB with ETS2; ets-ob
    # forbids a fault that a po-earlier store to the descriptor removed, Arm's
    # ETS2.CoWR0+posptev1p-fripptev1): without them the routine is still correct.
    Edit("ets2-no-isb-after-tlbi", "with FEAT_ETS2, no `isb` after the fixmap TLBI's "
         "`dsb nsh`", ((238, r"isb", ""),)),
    Edit("ets2-no-dsb-after-make", "with FEAT_ETS2, no `dsb nshst` after the make",
         ((244, r"dsb nshst", ""),)),
    Edit("secondary-ldaxr", "a secondary reads the flag with acquire (`ldaxr`)",
         ((383, r"ldxr w16, \[flag_ptr\]", "ldaxr w16, [flag_ptr]"),)),
]


# The MMU-off design (c7eff738, the parent of the MMU-on rewrite).
MMUOFF_MUTATIONS = [
    Mutation("no-final-tlbi-vmalle1is",
             "the MMU-off routine without its final `tlbi vmalle1is` after the rewrite",
             ((277, r"tlbi vmalle1is"),), ("conflict", "post", "stale")),
]


MMUOFF_EDITS = [
    Edit("final-dsb-sy", "the `dsb ish` that completes the final TLBI a `dsb sy`",
         ((278, r"dsb ish$", "dsb sy"),)),
]


def mutate(path: str, m: Mutation | Edit, out_dir: str) -> str:
    """Write the variant of `path` into out_dir (same name) and return its path."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for no, pat, new in m.replaces:
        line = lines[no - 1]
        body = _n(line.split("//")[0])
        if not re.search(pat, body):
            raise AssertionError(f"{os.path.basename(path)}:{no} is {line!r}, not what "
                                 f"{type(m).__name__.lower()} {m.name} {m.verb} ({pat})")
        lines[no - 1] = "\t" + new if new else ""    # keep line numbers
    out = os.path.join(out_dir, os.path.basename(path))
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return out
