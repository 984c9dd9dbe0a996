"""PROVED verdicts against an independent oracle (tests/sc_oracle.py).

The oracle enumerates every execution of a small scenario on a machine with fewer
behaviours than the architecture (sequentially consistent CPUs, TLBs that fill
from every walk at every step); a violation it finds is one the architecture
allows, so the checker must not answer PROVED there, and the property it names
must come no later (in the checker's order bbm, conflict, fault, stale, post) than
the first the oracle finds.  Random scenes: one or two CPUs rewriting a leaf, a
block and a table descriptor, with random TLBIs, barriers and loads, random initial
shapes (some symbolic: the oracle runs every assignment) and a random subset of
the properties.  Stop 20 found with it that `stale` never looked at an access at
another offset of a watched page.  Postconditions: a scene that fails each kind the
oracle checks and one that does not, and the kpti routines' variants.
`BBM_FUZZ_SEEDS=600 pytest tests/test_sc_oracle.py` runs more."""
from __future__ import annotations

import os
import random

import pytest

from kpti_mutants import (MMUOFF, MMUOFF_EDITS, MMUOFF_MUTATIONS, V61, V61_EDITS,
                          V61_MUTATIONS, mutate)
from remap_mutants import MUTANTS, make, prove_scene, remap_spec
from sc_oracle import Entry, Oracle, TableEntry, Unsupported_, _conflicting, fullest, search

SEEDS = int(os.environ.get("BBM_FUZZ_SEEDS", "40"))
ORDER = ["bbm", "conflict", "fault", "stale"]


def oracle(work, name):
    from bbmcheck.specs.spec import load_spec
    scen = load_spec(str(work / f"{name}.bbm.toml"), asm_file=str(work / f"{name}.S"))
    found, complete, _ = search(scen)
    assert complete
    return found


# ---- the oracle itself: it sees the violations an SC machine has, and only those

@pytest.mark.parametrize("name", ["remap", *MUTANTS])
def test_oracle_on_the_remap_mutants(tmp_path, name):
    """Leaving out the break or the TLBI is wrong even with sequential consistency;
    leaving out a DSB is wrong only on a weakly ordered machine, which the oracle is
    not (the checker refutes all four: tests/test_examples.py)."""
    asm, spec = make(tmp_path, name)
    asm.rename(tmp_path / "remap.S")
    found = oracle(tmp_path, "remap")
    want = {"remap": set(), "nobreak": {"bbm", "conflict"}, "notlbi": {"conflict"},
            "nodsb": set(), "nodsbst": set()}[name]
    assert set(found) == want, {p: f.what for p, f in found.items()}


# ---- stale: a page, not a VA

STALE_READER = ("\t.globl\tread_page\nread_page:\n\tsub\tx3, x0, #4096\n"
                "\tldr\tx4, [x3, #8]\n\tret\n")


@pytest.mark.parametrize("new, stale", [("page(new)", True), ("page(old)", False)])
def test_stale_access_anywhere_in_a_watched_page(tmp_path, new, stale):
    """CPU0 changes A's descriptor with no TLBI; CPU1 reads A + 8, in the page
    `[stale]` watches.  Before stop 20 only accesses at the watched VA itself got a
    fresh walk to compare with, and the check said PROVED."""
    asm_text = ("\t.text\n\t.globl\tremap_page\nremap_page:\n\tstr\tx1, [x0]\n\tret\n"
                + STALE_READER)
    rc, r = prove_scene(
        tmp_path, "remap", asm_text,
        lambda asm: remap_spec(asm, post=False, regs=f'x0 = "kva(511, 511, 511, 2)", '
                                                     f'x1 = "{new}"'),
        "--property", "stale")
    if stale:
        assert r["status"] == "REFUTED" and r["property"] == "stale", r["reason"]
        assert "0xffffffffffe00008" in r["reason"]
        assert r["replay"]["status"] == "CONFIRMED", r["replay"]
        assert "stale" in oracle(tmp_path, "remap")
    else:
        assert r["status"] == "PROVED", r["reason"]
        assert not oracle(tmp_path, "remap")


# ---- random scenes

INIT_509 = ["block(0xc0000000, 2)", "block(0xc0200000, 2)", "table(pteb)", "invalid",
            "block(0xc0000000, 2, ng=1)"]
INIT_PTE0 = ["page(old)", "page(old, ng=1)", "page(old, attr=1)", "invalid", "page(new)"]
# x0: the VA of pmd, x1: of pte; x2 = A (pte[0]), x3 = B (pmd[509]: a block or a table)
WRITER = [
    "str x10, [x1]", "str xzr, [x1]", "str x13, [x1]", "str x15, [x1]",
    "str x11, [x0, #4072]", "str x12, [x0, #4072]", "str xzr, [x0, #4072]",
    "str xzr, [x0, #4088]", "str x14, [x0, #4088]",
    "ubfx x9, x2, #12, #44\n\ttlbi vaae1is, x9", "ubfx x9, x3, #12, #44\n\ttlbi vaae1is, x9",
    "ubfx x9, x2, #12, #44\n\ttlbi vale1is, x9", "ubfx x9, x3, #12, #44\n\ttlbi vae1is, x9",
    "ubfx x9, x2, #12, #44\n\ttlbi vae1, x9",
    "add x9, x3, #4096\n\tubfx x9, x9, #12, #44\n\ttlbi vaale1is, x9",
    "tlbi vmalle1is", "tlbi vmalle1", "mov x9, #0\n\ttlbi aside1is, x9",
    "dsb ish", "dsb ishst", "dsb nsh", "isb", "dmb ish",
    "ldr x5, [x2]", "ldr x5, [x3]", "ldr x5, [x3, #0x1000]", "ldr x5, [x1, #8]",
    # FEAT_TTL level hints (Xt[47:44] = 0b01 level): right for A's page (3) and B's
    # block (2), wrong for them (2, 3); the hint counts only with the feature on
    "ubfx x9, x2, #12, #44\n\torr x9, x9, #0x700000000000\n\ttlbi vaae1is, x9",
    "ubfx x9, x2, #12, #44\n\torr x9, x9, #0x600000000000\n\ttlbi vaae1is, x9",
    "ubfx x9, x3, #12, #44\n\torr x9, x9, #0x600000000000\n\ttlbi vaae1is, x9",
    "ubfx x9, x3, #12, #44\n\torr x9, x9, #0x700000000000\n\ttlbi vae1is, x9",
]
READER = ["ldr x5, [x2]", "ldr x6, [x3]", "ldr x7, [x3, #0x1000]", "ldr x8, [x2, #8]",
          "isb", "dsb ish", "dmb ish", "dsb nsh"]
REGS = ('x0 = "kva(511, 511, 508, 0)", x1 = "kva(511, 511, 508, 1)", '
        'x2 = "kva(511, 511, 511, 0)", x3 = "kva(511, 511, 509, 0)", '
        'x10 = "page(new)", x11 = "block(0xc0400000, 2)", x12 = "table(pteb)", '
        'x13 = "page(old, attr=1)", x14 = "table(pte)", x15 = "page(old, ng=1)"')


def check_section(name: str, asm_path, cpus: int, props, features=()) -> str:
    """A random scene's [check] section (no profile, 40 instructions per CPU)."""
    return (f'[check]\nname = "{name}"\nfile = "{asm_path}"\nprofile = "none"\n'
            f'cpus = {cpus}\nbound = 40\n'
            "properties = [" + ", ".join(f'"{p}"' for p in props) + "]\n"
            "features = [" + ", ".join(f'"{f}"' for f in features) + "]\n")


def _choice(rng, pool) -> str:
    """One initial descriptor, or a symbolic one of two."""
    xs = rng.sample(pool, rng.choice([1, 1, 2]))
    return f'"{xs[0]}"' if len(xs) == 1 else "[" + ", ".join(f'"{x}"' for x in xs) + "]"


def random_scene(seed: int):
    rng = random.Random(seed)
    writer = [rng.choice(WRITER) for _ in range(rng.randint(2, 7))]
    two = rng.random() < 0.7
    reader = [rng.choice(READER if rng.random() < 0.85 else WRITER)
              for _ in range(rng.randint(1, 4))]
    asm = ("\t.text\n\t.globl\twriter\nwriter:\n\t" + "\n\t".join(writer) + "\n\tret\n"
           "\t.globl\treader\nreader:\n\t" + "\n\t".join(reader) + "\n\tret\n")
    props = [p for p in ORDER if rng.random() < 0.7] or ["conflict"]
    feats = ["ttl"] if rng.random() < 0.4 else []
    pmd509, pte0 = _choice(rng, INIT_509), _choice(rng, INIT_PTE0)
    return asm, scene_spec(f"sc oracle {seed}", ("writer", "reader") if two else ("writer",),
                           props, feats, pmd509, pte0)


def scene_spec(name, entries, props, feats, pmd509: str, pte0: str):
    """The descriptor scene's spec: swapper-like tables pgd > pud > pmd; pmd[508]
    maps pmd and pte themselves (x0, x1), pmd[509] is B (`pmd509`, a TOML value),
    pmd[511] the table pte, whose entry 0 (A) is `pte0`; one CPU per entry point."""
    cpus = "".join(f'\n[[cpu]]\nentry = "{e}"\nregs = {{ {REGS} }}\nttbr1 = "pgd"\n'
                   for e in entries)

    def spec(asm_path) -> str:
        return check_section(name, asm_path, len(entries), props, feats) + f"""
[regime]
levels = 4
va_bits = 48

[tables.pgd]
level = 0
511 = "table(pud)"

[tables.pud]
level = 1
511 = "table(pmd)"

[tables.pmd]
level = 2
508 = "table(ptek)"
509 = {pmd509}
511 = "table(pte)"

[tables.ptek]
level = 3
0 = "page(pmd)"
1 = "page(pte)"

[tables.pte]
level = 3
0 = {pte0}
1 = "page(data)"

[tables.pteb]
level = 3
0 = "page(data)"
1 = "page(old)"

[pages.old]
[pages.new]
[pages.data]

[idmap]
enable = true

[stale]
vas = ["kva(511, 511, 511, 0)", "kva(511, 511, 509, 0)"]
{cpus}"""
    return spec


@pytest.mark.parametrize("seed", range(SEEDS))
def test_proved_agrees_with_sc_oracle(tmp_path, seed):
    agree(tmp_path, *random_scene(seed))


@pytest.mark.parametrize("hint, ttl, stale", [
    ("0x700000000000", True, False),     # level 3: A's page
    ("0x600000000000", True, True),      # level 2: the hint misses the page
    ("0x600000000000", False, False),    # no FEAT_TTL: the hint bits are ignored
])
def test_ttl_hint_on_the_sc_oracle(tmp_path, hint, ttl, stale):
    """A remaps page A (break, TLBI with a level hint, make) and reads it.  With
    FEAT_TTL a hint for the wrong level need not remove A's entry: the old page may
    be read after the make.  The oracle applies the hint itself (D8.17.5)."""
    asm = ("\t.text\n\t.globl\twriter\nwriter:\n\tldr\tx5, [x2]\n\tstr\txzr, [x1]\n"
           "\tdsb\tish\n\tubfx\tx9, x2, #12, #44\n\torr\tx9, x9, #" + hint + "\n"
           "\ttlbi\tvaae1is, x9\n\tdsb\tish\n\tstr\tx10, [x1]\n\tdsb\tish\n\tisb\n"
           "\tldr\tx5, [x2]\n\tret\n")
    r, found = agree(tmp_path, asm, scene_spec("ttl", ("writer",), ["stale"],
                                               ["ttl"] if ttl else [], '"invalid"',
                                               '"page(old)"'))
    assert (r["status"], bool(found)) == (("REFUTED", True) if stale else ("PROVED", False)), \
        (r["reason"], found)


def agree(tmp_path, asm, spec):
    """The check of `asm` under `spec` is not PROVED where the oracle finds a
    violation, and a REFUTED one names a property no later than the oracle's first
    and replays."""
    rc, r = prove_scene(tmp_path, "scene", asm, spec)
    found = oracle(tmp_path, "scene")
    where = (asm, {p: (f.what, f.path) for p, f in found.items()})
    assert r["status"] in ("PROVED", "REFUTED", "INCONCLUSIVE"), (r["status"], r["reason"])
    if found:
        assert r["status"] != "PROVED", where
    if r["status"] == "REFUTED":
        assert r["replay"]["status"] == "CONFIRMED", (r["replay"], asm)
        if found:
            order = ORDER + ["post"]           # the checker's order: postconditions last
            first = min(order.index(p) for p in found)
            assert order.index(r["property"]) <= first, (r["property"], where)
    return r, found


def both(r, found, prop):
    """`prop` None: the checker says PROVED and the oracle finds nothing; else the
    checker refutes `prop` and the oracle finds it too."""
    if prop is None:
        assert r["status"] == "PROVED", r["reason"]
        assert not found, found
    else:
        assert r["status"] == "REFUTED" and r["property"] == prop, r["reason"]
        assert prop in found, found


# ---- postconditions: one scene that fails each kind the oracle checks, one that does
# not (the checker, run too, must not say PROVED where the oracle finds a failure)

def post_spec(name, cpus, posts: str, *, mmu: bool, tree: str, regs: str):
    """A spec with a [[tree]] `sw` (its keys in `tree`), a table `reserved`, pages
    data (its word 0 is 1) and other, `cpus` CPUs running `routine` (the last `idle`)
    with TTBR1 on sw and TTBR0 on reserved, and the [[post]] tables `posts`."""
    entries = ["routine", "idle"][:cpus]
    cpu = "".join(f'\n[[cpu]]\nentry = "{e}"\nmmu = {"true" if mmu else "false"}\n'
                  f'ttbr1 = "sw"\nttbr0 = "reserved"\nregs = {{ {regs} }}\n' for e in entries)

    def spec(asm_path) -> str:
        return check_section(name, asm_path, cpus, ["post"]) + f"""
[regime]
levels = 4
va_bits = 48

[[tree]]
name = "sw"
{tree}

[tables.reserved]
level = 0

[pages.data]
words = {{ "0" = "1" }}

[pages.other]
{cpu}
{posts}"""
    return spec


def post_scene(tmp_path, body, posts, *, mmu=False, cpus=1,
               tree='root_level = 3\nentries = 2\nkinds = ["leaf"]\nglobal = "global"'):
    asm = ("\t.text\n\t.globl\troutine\nroutine:\n\t" + "\n\t".join(body) + "\n\tret\n"
           "\t.globl\tidle\nidle:\n\tret\n")
    regs = ('x0 = "pa(sw)", x1 = "pa(data)", x3 = "pa(other)", x4 = "pa(reserved)", '
            'x5 = "0x30d0198c", x9 = "(kva(0, 0, 0, 0) >> 12) & 0xfffffffffff"')
    r, found = agree(tmp_path, asm, post_spec("post", cpus, posts, mmu=mmu, tree=tree,
                                              regs=regs))
    return r, {p: f.what for p, f in found.items()}


SET_NG = ["ldr x2, [x0]", "orr x2, x2, #0x800", "str x2, [x0]"]
SET_NG_1 = ["ldr x2, [x0, #8]", "orr x2, x2, #0x800", "str x2, [x0, #8]"]


@pytest.mark.parametrize("body, bad", [
    (SET_NG + SET_NG_1, None),
    (SET_NG, "sw[1] at "),                                          # one page left global
    (SET_NG + SET_NG_1[:2] + ["orr x2, x2, #0x10", "str x2, [x0, #8]"],
     "sw[1] at "),                                                   # and its AttrIndx changed
], ids=["both", "one-left", "attrindx-too"])
def test_post_tree_ng_on_the_sc_oracle(tmp_path, body, bad):
    """tree_ng: the two pages of sw (a level-3 tree, MMU off) must end with nG set and
    nothing else changed."""
    r, found = post_scene(tmp_path, body, '[[post]]\nname = "sw is non-global"\n'
                                          'check = "tree_ng"\ntree = "sw"\n')
    if bad is None:
        assert not found, found
    else:
        assert "post" in found and found["post"].startswith("sw is non-global: " + bad), found


@pytest.mark.parametrize("store, except_, bad", [
    ("str x3, [x1]", 'except = ["pa(data)"]', False),
    ("str x3, [x1]", "", True),                          # data's word 0: 1 -> other's PA
    ("str x3, [x0, #8]", 'except_trees = ["sw"]', False),
    ("str x3, [x0, #8]", "except_tables = [\"sw\"]", False),
    ("str x3, [x0, #8]", 'except = ["pa(data)"]', True),
    # a word outside the scenario's memory image is not looked at (nor by the checker)
    ("str x3, [x1, #16]", "", False),
])
def test_post_unchanged_on_the_sc_oracle(tmp_path, store, except_, bad):
    r, found = post_scene(tmp_path, [store], '[[post]]\nname = "nothing else"\n'
                                             f'check = "unchanged"\n{except_}\n')
    if bad:
        assert found["post"].startswith("nothing else: the word at "), found
    else:
        assert not found, found


@pytest.mark.parametrize("value, cpus, bad", [
    ("pa(other)", 1, None),
    ("pa(sw)", 1, "CPU0's ttbr1_el1 is"),
    ("pa(other)", 2, "CPU1's ttbr1_el1 is"),         # the idle CPU's is still sw
])
def test_post_sysreg_on_the_sc_oracle(tmp_path, value, cpus, bad):
    """sysreg, every CPU's last value; `in_effect` holds on the oracle's machine (a
    write is in effect at once), so the missing ISB is no finding here (the checker
    refutes it)."""
    r, found = post_scene(tmp_path, ["msr ttbr1_el1, x3"],
                          '[[post]]\nname = "TTBR1 on other"\ncheck = "sysreg"\n'
                          f'reg = "ttbr1_el1"\nvalue = "{value}"\nin_effect = true\n',
                          cpus=cpus)
    if bad is None:
        assert not found, found
        assert r["status"] == "REFUTED" and r["property"] == "post", r["reason"]
    else:
        assert "post" in found and found["post"].startswith("TTBR1 on other: " + bad), found


SWITCH = ["msr ttbr1_el1, x4", "isb"]         # TTBR1 to the empty table `reserved`
MMU_OFF = ["msr sctlr_el1, x5", "isb"]        # no more fills
TREE = 'entries = 1\nkinds = ["table", "leaf"]\nglobal = "{}"'


@pytest.mark.parametrize("check, glob, first, tlbi, bad", [
    ("no_global_entries", "global", SWITCH, "tlbi vmalle1", None),
    ("no_global_entries", "global", SWITCH, "", "a global leaf entry"),
    ("no_global_entries", "global", SWITCH, "tlbi aside1, xzr", "a global leaf entry"),
    ("no_global_entries", "non-global", SWITCH, "", None),
    ("no_entries_from", "non-global", SWITCH, "tlbi vmalle1", None),
    # TLBI ASIDE1 removes the walk-cache entries of the ASID too ("from a level of
    # lookup above the final level", the instruction's description): until stop 22
    # the checker kept them and refuted this one
    ("no_entries_from", "non-global", SWITCH, "tlbi aside1, xzr", None),
    ("no_entries_from", "non-global", SWITCH, "", "a leaf entry"),
    # a last-level TLBI leaves the walk-cache entries the walks of sw made: a walk from
    # one of them (TTBR1 is no longer read) makes a leaf entry of sw again
    ("no_entries_from", "non-global", SWITCH, "tlbi vaale1, x9", "a leaf entry"),
    # ... and with the MMU off (no more walks) the walk-cache entries themselves
    ("no_entries_from", "non-global", MMU_OFF, "tlbi vaale1, x9", "walk-cache entry"),
    ("no_entries_from", "non-global", MMU_OFF, "tlbi vmalle1", None),
], ids=lambda x: {"": "no-tlbi"}.get(x, x) if isinstance(x, str) else
    "switch" if x is SWITCH else "mmu-off" if x is MMU_OFF else "holds")
def test_post_tlb_entries_on_the_sc_oracle(tmp_path, check, glob, first, tlbi, bad):
    """The CPU moves TTBR1 from sw (any shape: levels 1 and 2 a table or a block) to
    an empty table, or turns its MMU off, and removes (or not) what its TLB holds of
    sw."""
    key = 'tree = "sw"' if check == "no_global_entries" else 'tables = ["sw"]'
    body = first + ([tlbi, "dsb nsh", "isb"] if tlbi else [])
    r, found = post_scene(tmp_path, body, f'[[post]]\nname = "sw gone"\ncheck = "{check}"\n'
                                          f'{key}\n', mmu=True, tree=TREE.format(glob))
    if bad is None:
        assert not found, found
        assert r["status"] == "PROVED", r.get("reason")
    else:
        assert "post" in found and found["post"].startswith("sw gone: CPU0's TLB holds"), found
        assert bad in found["post"], found


# ---- random scenes with TTBR switches, ASIDs and non-global entries

TTBR_WRITER = [
    "msr ttbr0_el1, x20", "msr ttbr0_el1, x21", "msr ttbr0_el1, x22", "msr ttbr0_el1, x23",
    "msr ttbr1_el1, x24", "msr ttbr1_el1, x25", "isb", "dsb ish", "dsb nsh", "dsb ishst",
    "tlbi vmalle1", "tlbi vmalle1is", "movz x9, #1, lsl #48\n\ttlbi aside1, x9",
    "movz x9, #2, lsl #48\n\ttlbi aside1is, x9",
    "lsr x9, x2, #12\n\tmovk x9, #1, lsl #48\n\ttlbi vae1is, x9",
    "lsr x9, x2, #12\n\ttlbi vaae1, x9",
    "ldr x5, [x2]", "ldr x5, [x2, #0x1000]", "ldr x5, [x3]",
    "str x10, [x1]", "str xzr, [x1]", "str x11, [x1]", "str x12, [x1]",
    # u1's level-2 entry: another table, or none (walk-cache entries of ASID 1)
    "str x13, [x4]", "str xzr, [x4]",
    "lsr x9, x2, #12\n\tmovk x9, #2, lsl #48\n\ttlbi vae1is, x9",
    "lsr x9, x2, #12\n\tmovk x9, #1, lsl #48\n\ttlbi vale1is, x9",
]
TTBR_READER = ["ldr x6, [x2]", "ldr x7, [x2, #0x1000]", "ldr x8, [x3]", "isb", "dsb ish",
               "msr ttbr0_el1, x21", "msr ttbr0_el1, x22"]
U1_PTE0 = ["page(pa1, ng=1)", "page(pa1)", "invalid", "page(pa2, ng=1)"]
TTBR_REGS = ('x1 = "kva(511, 511, 511, 0)", x2 = "uva(0, 0, 0, 0)", '
             'x3 = "kva(511, 511, 511, 1)", x4 = "kva(511, 511, 511, 2)", '
             'x10 = "page(pa2, ng=1)", x11 = "page(pa1)", '
             'x12 = "page(pa1, ng=1)", x13 = "table(u3)", x20 = "ttbr(u1, asid=1)", '
             'x21 = "ttbr(u2, asid=2)", x22 = "ttbr(u2, asid=1)", '
             'x23 = "ttbr(reserved, asid=3)", x24 = "pa(reserved)", x25 = "pa(k0)"')


def _tree(name, first, leaves) -> str:
    """Four tables `name`, `name`_1.._3 linked at entry `first`; the last one's entries."""
    out = ""
    for lvl in range(3):
        out += (f'[tables.{name if lvl == 0 else f"{name}_{lvl}"}]\nlevel = {lvl}\n'
                f'{first} = "table({name}_{lvl + 1})"\n\n')
    return out + f"[tables.{name}_3]\nlevel = 3\n" + "".join(
        f"{i} = {v}\n" for i, v in enumerate(leaves)) + "\n"


def ttbr_spec(name: str, props, cpus: int, u1_pte0: str, a1: bool = False):
    """The TTBR scene's spec: kernel tables k0.. in TTBR1 (k0_3[0] maps u1's last
    table, [1] a data page, [2] u1's level-2 table), two user trees u1 and u2
    (non-global pages) and a spare last-level table u3 (a global page), TTBR0 on u1
    with ASID 1; `u1_pte0` is u1's first leaf (a TOML value).  With `a1` (TCR_EL1.A1
    = 1) the ASID is TTBR1's instead: TTBR1 starts on k0 with ASID 1, and x24 / x25
    hold k0 with ASID 2 / 1, so the routine's TTBR1 writes change the ASID and its
    TTBR0 writes only the tables (Linux's context switch since kpti)."""
    tables = _tree("k0", 511, ['"page(u1_3)"', '"page(data)"', '"page(u1_2)"'])
    tables += _tree("u1", 0, [u1_pte0, '"page(data, ng=1)"'])
    tables += _tree("u2", 0, ['"page(pa2, ng=1)"', '"page(data, ng=1)"'])
    tables += '[tables.u3]\nlevel = 3\n0 = "page(pa2)"\n1 = "page(data)"\n\n'
    regs, ttbr1 = TTBR_REGS, "k0"
    if a1:
        regs = regs.replace('x24 = "pa(reserved)", x25 = "pa(k0)"',
                            'x24 = "ttbr(k0, asid=2)", x25 = "ttbr(k0, asid=1)"')
        ttbr1 = "ttbr(k0, asid=1)"
    cpu = "".join(f'\n[[cpu]]\nentry = "{e}"\nregs = {{ {regs} }}\n'
                  f'ttbr0 = "ttbr(u1, asid=1)"\nttbr1 = "{ttbr1}"\n'
                  for e in ("writer", "reader")[:cpus])

    def spec(asm_path) -> str:
        return check_section(name, asm_path, cpus, props) + f"""
[regime]
levels = 4
va_bits = 48
a1 = {"true" if a1 else "false"}

{tables}[tables.reserved]
level = 0

[pages.pa1]
[pages.pa2]
[pages.data]

[stale]
vas = ["uva(0, 0, 0, 0)"]
{cpu}"""
    return spec


def random_ttbr_scene(seed: int):
    rng = random.Random(seed)
    writer = [rng.choice(TTBR_WRITER) for _ in range(rng.randint(2, 8))]
    two = rng.random() < 0.6
    reader = [rng.choice(TTBR_READER) for _ in range(rng.randint(1, 4))]
    asm = ("\t.text\n\t.globl\twriter\nwriter:\n\t" + "\n\t".join(writer) + "\n\tret\n"
           "\t.globl\treader\nreader:\n\t" + "\n\t".join(reader) + "\n\tret\n")
    props = [p for p in ORDER if rng.random() < 0.7] or ["conflict"]
    u1_pte0 = _choice(rng, U1_PTE0)
    return asm, ttbr_spec(f"sc oracle ttbr {seed}", props, 2 if two else 1, u1_pte0,
                          a1=rng.random() < 0.35)


def test_stale_through_an_asid_tagged_ttbr0_replays(tmp_path):
    """A stale use of a non-global entry, translated through TTBR0 = u1 | ASID 1 << 48.
    Replay took the TTBR's ASID bits for part of the table address and REJECTED the
    trace as a bbmcheck bug (found by the random TTBR scenes, stop 20)."""
    asm = ("\t.text\n\t.globl\twriter\nwriter:\n\tldr\tx5, [x2]\n\tstr\tx10, [x1]\n"
           "\tdsb\tish\n\tisb\n\tldr\tx5, [x2]\n\tret\n")
    r, found = agree(tmp_path, asm, ttbr_spec("stale asid", ["stale"], 1,
                                              '"page(pa1, ng=1)"'))
    assert r["status"] == "REFUTED" and r["property"] == "stale", r["reason"]
    assert "stale" in found


def test_stale_global_entry_after_a_ttbr0_switch_replays(tmp_path):
    """A global entry filled through u1 is used after TTBR0 moved to u2 (ISB and all):
    the walk now gives u2's page.  Replay compared the tables only along the entry's
    own walk (through u1), found them unchanged and REJECTED the trace (found by the
    random TTBR scenes, stop 20)."""
    asm = ("\t.text\n\t.globl\twriter\nwriter:\n\tldr\tx5, [x2]\n"
           "\tmsr\tttbr0_el1, x21\n\tisb\n\tldr\tx5, [x2]\n\tret\n")
    r, found = agree(tmp_path, asm, ttbr_spec("stale global", ["stale"], 1, '"page(pa1)"'))
    assert r["status"] == "REFUTED" and r["property"] == "stale", r["reason"]
    # the report says what changed: the TTBR, not the tables
    assert "filled through TTBR 0x1000080004000" in r["reason"], r["reason"]
    assert "TTBR0_EL1" in r["replay"]["detail"], r["replay"]
    assert "stale" in found


@pytest.mark.parametrize("tlbi, stale", [
    ("movk x9, #2, lsl #48\n\ttlbi vae1is, x9", True),    # another ASID
    ("movk x9, #1, lsl #48\n\ttlbi vae1is, x9", False),   # the walk's ASID
    ("tlbi vaae1is, x9", False),                           # any ASID
    ("movk x9, #1, lsl #48\n\ttlbi vale1is, x9", True),   # last level only
])
def test_walk_cache_entry_of_another_asid(tmp_path, tlbi, stale):
    """u1's level-2 entry is replaced by another table (break, TLBI, make), the page
    under it global.  A TLBI by VA for ASID 2 removes the global page but not the
    walk-cache entry the walk read under ASID 1 (R_CHVGJ: entries from levels other
    than the last are tagged with the ASID), so a later walk may still go through
    the old table.  Until stop 21 the checker matched walk-cache entries by VA only
    and PROVED the first case; the oracle with walk-cache entries finds it."""
    asm = ("\t.text\n\t.globl\twriter\nwriter:\n\tldr\tx5, [x2]\n\tstr\txzr, [x4]\n"
           "\tdsb\tish\n\tlsr\tx9, x2, #12\n\t" + tlbi + "\n\tdsb\tish\n\tisb\n"
           "\tstr\tx13, [x4]\n\tdsb\tish\n\tisb\n\tldr\tx5, [x2]\n\tret\n")
    # only `stale` (of VA 0): the old entries of u1_3[1] are left alone on purpose
    r, found = agree(tmp_path, asm, ttbr_spec("walk cache", ["stale"], 1, '"page(pa1)"'))
    both(r, found, "stale" if stale else None)
    if stale:
        # the fix names the TLBI and why it left the walk-cache entry
        why = "last-level form" if "vale1is" in tlbi else "names ASID 2, but the walk read"
        assert why in r["trace"]["fix"] and "scene.S:9" in r["trace"]["fix"], r["trace"]["fix"]


@pytest.mark.parametrize("asid, stale", [(1, False), (2, True)])
def test_tlbi_by_asid_removes_walk_cache_entries_of_its_asid(tmp_path, asid, stale):
    """The same replacement of u1's level-2 table, the page under it non-global, with
    TLBI ASIDE1IS: it removes the entries that would be used for its ASID, the
    walk-cache entries "from a level of lookup above the final level" included (the
    instruction's description).  For ASID 1, the walk's, nothing old is left: PROVED
    (until stop 22 the checker kept the walk-cache entry and refuted it, a false
    alarm); for ASID 2 the walk's entries stay: REFUTED on both machines."""
    asm = ("\t.text\n\t.globl\twriter\nwriter:\n\tldr\tx5, [x2]\n\tstr\txzr, [x4]\n"
           f"\tdsb\tish\n\tmovz\tx9, #{asid}, lsl #48\n\ttlbi\taside1is, x9\n\tdsb\tish\n"
           "\tisb\n\tstr\tx13, [x4]\n\tdsb\tish\n\tisb\n\tldr\tx5, [x2]\n\tret\n")
    r, found = agree(tmp_path, asm, ttbr_spec("aside1 walk cache", ["stale"], 1,
                                              '"page(pa1, ng=1)"'))
    both(r, found, "stale" if stale else None)


@pytest.mark.parametrize("ttbr, pte, conflict", [
    ("x21", '"page(pa1, ng=1)"', False),   # u2 under ASID 2: a context switch
    ("x21", '"page(pa1)"', True),          # ... but u1's page is global
    ("x22", '"page(pa1, ng=1)"', True),    # u2 under ASID 1, no TLBI: ASID reused
])
def test_walk_cache_entries_of_two_asids_do_not_conflict(tmp_path, ttbr, pte, conflict):
    """TTBR0 moves from u1 (ASID 1) to u2, whose walks go through other tables, with
    no TLBI.  Under another ASID the two trees' entries are in two translation
    contexts: walk-cache entries are used for the ASID their walk ran under (TLBI
    ASIDE1's description; R_CHVGJ), so they do not conflict — until stop 22 the
    checker counted them as global and refuted this context switch.  A global page,
    or the same ASID, does conflict, on both machines."""
    asm = ("\t.text\n\t.globl\twriter\nwriter:\n\tldr\tx5, [x2]\n"
           f"\tmsr\tttbr0_el1, {ttbr}\n\tisb\n\tldr\tx5, [x2]\n\tret\n")
    r, found = agree(tmp_path, asm, ttbr_spec("two asids", ["conflict"], 1, pte))
    both(r, found, "conflict" if conflict else None)


@pytest.mark.parametrize("isb", [False, True])
def test_fault_through_the_old_ttbr0_names_the_missing_isb(tmp_path, isb):
    """u1's level-2 entry is broken, then TTBR0 moves to u2: without an ISB the load
    may still walk u1 and fault (a weak behaviour: the oracle, where the write is in
    effect at once, finds nothing), and the fix names the TTBR0 write (found by the
    random TTBR scenes, stop 22: the fix was empty).  With the ISB: PROVED."""
    asm = ("\t.text\n\t.globl\twriter\nwriter:\n\tstr\txzr, [x4]\n\tdsb\tish\n"
           "\tmsr\tttbr0_el1, x21\n" + ("\tisb\n" if isb else "") +
           "\tldr\tx7, [x2, #0x1000]\n\tret\n")
    r, found = agree(tmp_path, asm, ttbr_spec("old ttbr0", ["fault"], 1, '"page(pa1, ng=1)"'))
    assert not found, found
    if isb:
        assert r["status"] == "PROVED", r["reason"]
    else:
        assert r["status"] == "REFUTED" and r["property"] == "fault", r["reason"]
        assert r["trace"]["fix"].startswith("an ISB after the TTBR0_EL1 write at scene.S:6"), \
            r["trace"]["fix"]


@pytest.mark.parametrize("ops, says, oracle_finds", [
    # Linux's order: TTBR0 to the reserved table, the new ASID, then the new tables
    (["msr ttbr0_el1, x23", "isb", "msr ttbr1_el1, x24", "isb", "msr ttbr0_el1, x21",
      "isb"], None, False),
    # no reserved table: u1 is walked under the new ASID 2 before TTBR0 moves to u2
    (["msr ttbr1_el1, x24", "isb", "msr ttbr0_el1, x21", "isb"],
     "the old tables were walked under the new ASID", True),
    # TTBR0 to the reserved table first but no ISB at all (and a last-level TLBI on
    # the way, whose walk-cache fix does not apply: no descriptor changed): u2 may be
    # walked under the old ASID 1 -- a weak behaviour, the SC oracle has the writes in
    # effect in program order
    (["msr ttbr0_el1, x23", "msr ttbr1_el1, x24",
      "lsr x9, x2, #12\n\tmovk x9, #1, lsl #48\n\ttlbi vale1is, x9",
      "msr ttbr0_el1, x21", "ldr x5, [x3]"],
     ("before the new ASID 2", "the old tables were walked under the new ASID"), False),
])
def test_context_switch_with_the_asid_in_ttbr1(tmp_path, ops, says, oracle_finds):
    """TCR_EL1.A1 = 1: the ASID changes with TTBR1, the tables with TTBR0, in two
    writes.  The fix names which way the window between them was used (found by the
    random TTBR scenes with A1, stop 23: the last case got the walk-cache TLBI fix,
    about a changed descriptor, where none changed)."""
    asm = "\t.text\n\t.globl\twriter\nwriter:\n\t" + "\n\t".join(ops) + "\n\tret\n"
    r, found = agree(tmp_path, asm, ttbr_spec("a1 switch", ["conflict"], 1,
                                              '"page(pa1, ng=1)"', a1=True))
    if says is None:
        both(r, found, None)
        return
    assert r["status"] == "REFUTED" and r["property"] == "conflict", r["reason"]
    # (either window may be the one the trace shows)
    assert any(x in r["trace"]["fix"] for x in ((says,) if isinstance(says, str) else says)), \
        r["trace"]["fix"]
    assert ("conflict" in found) == oracle_finds, found


@pytest.mark.parametrize("seed", range(SEEDS // 2))
def test_proved_agrees_with_sc_oracle_ttbr(tmp_path, seed):
    agree(tmp_path, *random_ttbr_scene(30_000 + seed))


# ---- random scenes turning the MMU off and on around a remap (examples/rules/mmu_on)

MMU_OPS = ["msr sctlr_el1, x2", "msr sctlr_el1, x4", "isb", "dsb ish", "dsb nsh",
           "tlbi vmalle1", "lsr x9, x3, #12\n\ttlbi vaae1, x9", "str x1, [x0]",
           "str xzr, [x0]", "str x6, [x0]", "ldr x5, [x3]", "ldr x5, [x3, #8]"]


def random_mmu_scene(seed: int):
    rng = random.Random(seed)
    body = [rng.choice(MMU_OPS) for _ in range(rng.randint(2, 9))]
    asm = "\t.text\n\t.globl\tmmu\nmmu:\n\t" + "\n\t".join(body) + "\n\tret\n"
    props = [p for p in ORDER if rng.random() < 0.7] or ["fault"]
    on = rng.random() < 0.5

    def spec(asm_path) -> str:
        return check_section(f"sc oracle mmu {seed}", asm_path, 1, props) + f"""
[tables.pgd]
level = 0
0 = "table(pud)"

[tables.pud]
level = 1
0 = "table(pmd)"

[tables.pmd]
level = 2
0 = "table(pte)"

[tables.pte]
level = 3
1 = {_choice(rng, ["page(old)", "page(new)", "invalid", "page(old, attr=2)"])}

[pages.old]
[pages.new]

[stale]
vas = ["uva(0, 0, 0, 1)"]

[[cpu]]
entry = "mmu"
mmu = {"true" if on else "false"}
ttbr0 = "pgd"
regs = {{ x0 = "slot(pte, 1)", x1 = "page(new)", x2 = "0x30d0198d", x3 = "uva(0, 0, 0, 1)", x4 = "0x30d0198c", x6 = "page(old, attr=2)" }}
"""
    return asm, spec


@pytest.mark.parametrize("isb", [False, True])
def test_fault_with_the_mmu_still_on_names_the_sctlr_write(tmp_path, isb):
    """The MMU scene of seed 40087 (MMU on at the start): turn it off, then store by
    physical address.  Without an ISB the store may still be translated, and its VA
    has no mapping: a fault whose fix used to be empty (the random MMU scenes, stop
    22) and now names the SCTLR_EL1 write.  With the ISB: PROVED."""
    _, spec = random_mmu_scene(40087)
    asm = ("\t.text\n\t.globl\tmmu\nmmu:\n\tmsr\tsctlr_el1, x4\n" +
           ("\tisb\n" if isb else "") + "\tstr\tx6, [x0]\n\tret\n")
    r, found = agree(tmp_path, asm, spec)
    assert not found, found
    if isb:
        assert r["status"] == "PROVED", r["reason"]
    else:
        assert r["status"] == "REFUTED" and r["property"] == "fault", r["reason"]
        assert r["trace"]["fix"].startswith(
            "the access ran with the MMU on while the SCTLR_EL1 write at scene.S:4 (MMU "
            "off) was not yet synchronized"), r["trace"]["fix"]


def test_mmu_off_rewrite_without_dsb_names_the_dsb(tmp_path):
    """The MMU scene of seed 40204 (MMU off at the start): break and rewrite pte[1],
    then turn the MMU on with no DSB.  A walk made once the MMU is on may read pte[1]
    before the CPU's own stores reach its walker, so the TLB holds the old and the new
    entry (a weak behaviour, which the oracle cannot have).  The fix used to ask for a
    TLBI of entries cached before the MMU went off; the old entry is from after, so it
    now asks for the DSB."""
    asm, spec = random_mmu_scene(40204)
    r, found = agree(tmp_path, asm, spec)
    assert r["status"] == "REFUTED" and r["property"] == "conflict", r["reason"]
    assert r["trace"]["fix"].startswith("a DSB after the store at step "), r["trace"]["fix"]
    assert "need not see its own earlier stores" in r["trace"]["fix"]


def test_inconclusive_without_fault_says_a_fault_may_be_why(tmp_path):
    """The MMU scene of seed 40002 checks `bbm` only, and every path has an access
    that faults (the MMU is on, and pte[1] is invalid or the store's PA is not
    mapped), so no execution lets the CPU return: INCONCLUSIVE, and the reason now
    says a fault may be why.  Checking `fault` shows it."""
    asm, spec = random_mmu_scene(40002)
    rc, r = prove_scene(tmp_path, "scene", asm, spec)
    assert r["status"] == "INCONCLUSIVE", r["reason"]
    assert "an access that faults on every path: check property fault" in r["reason"]

    def with_fault(path):
        return spec(path).replace('properties = ["bbm"]', 'properties = ["bbm", "fault"]')
    rc, r = prove_scene(tmp_path, "scene2", asm, with_fault)
    assert r["status"] == "REFUTED" and r["property"] == "fault", r["reason"]


@pytest.mark.parametrize("seed", range(SEEDS // 2))
def test_proved_agrees_with_sc_oracle_mmu(tmp_path, seed):
    agree(tmp_path, *random_mmu_scene(40_000 + seed))


# ---- the kpti routine (v6.1, --feature ets2, 2 CPUs, 1/1/2/1 as in test_kpti)

KPTI_SC_VISIBLE = {"no-break", "no-tlbi-vaae1", "boot-no-wait", "secondary-no-wait",
                   "secondary-stays-on-swapper", "no-tlbi-vmalle1"}
# ... of which a postcondition fails too: a leaf of swapper left global (tree_ng: the
# stale fixmap entry makes the routine rewrite another table), or a global swapper
# entry left in a TLB (no_global_entries)
KPTI_SC_POST = {"no-break", "no-tlbi-vaae1", "secondary-no-wait",
                "secondary-stays-on-swapper", "no-tlbi-vmalle1"}
# properties the oracle finds beyond a mutation's `breaks` (tests/kpti_mutants.py):
# without the break, the TLBI can be followed by a refill of the old fixmap entry,
# which the routine then uses to rewrite the previous level's table, so that a
# swapper leaf keeps nG = 0 (the checker reports `bbm` first)
KPTI_BREAKS_TOO = {"no-break": {"post"}}


@pytest.mark.skipif(not os.path.exists(V61), reason="corpus absent: ../shared/corpus")
@pytest.mark.parametrize("variant", [None, *V61_MUTATIONS, *V61_EDITS],
                         ids=lambda v: "original" if v is None else v.name)
def test_kpti_on_the_sc_oracle(tmp_path, variant):
    """The whole traversal of the fullest tree (every entry a table where it may be,
    the fixmap slot of each level mapped and remapped), on the oracle's machine.
    The checker proves the original and the allowed edits (tests/test_kpti.py): the
    oracle must find nothing there, postconditions included.  It must find a
    violation, among those the mutation may break, where leaving the line out is
    wrong even with sequential consistency (a break, a TLBI, a wait, the switch to the
    reserved table); the missing DSBs and ISBs are wrong only on a weakly ordered
    machine (and the missing ISBs before the return fail `in_effect`, which a write
    always is on this machine)."""
    from bbmcheck import specs
    f = V61 if variant is None else mutate(V61, variant, str(tmp_path))
    [(_, scen)] = specs.bundled_scenarios(f, "idmap_kpti_install_ng_mappings",
                                          features=["ets2"], cpus=2, entries=[1, 1, 2, 1],
                                          use="kpti-mmu-on")
    oracle_ = Oracle(scen, fullest(scen))
    assert len(oracle_.posts) == 5, "the oracle checks every postcondition of kpti-mmu-on"
    found, complete = oracle_.run()
    assert complete and oracle_.finished, "no execution in which both CPUs return"
    what = {p: f.what for p, f in found.items()}
    if variant is None or not hasattr(variant, "breaks"):
        assert not found, what
    else:
        assert set(found) <= set(variant.breaks) | KPTI_BREAKS_TOO.get(variant.name, set()), \
            what
        assert bool(found) == (variant.name in KPTI_SC_VISIBLE), what
        assert ("post" in found) == (variant.name in KPTI_SC_POST), what


@pytest.mark.skipif(not os.path.exists(MMUOFF), reason="corpus absent: ../shared/corpus")
@pytest.mark.parametrize("variant", [*MMUOFF_MUTATIONS, *MMUOFF_EDITS],
                         ids=lambda v: v.name)
def test_kpti_mmu_off_variants_on_the_sc_oracle(tmp_path, variant):
    """The MMU-off design (its original: test_every_proc_s_version_on_the_sc_oracle).
    Without the final `tlbi vmalle1is` only a postcondition fails on the oracle's
    machine: the global swapper entries cached before the MMU went off are still in
    the TLB at the end (no_global_entries).  The conflict the checker reports first
    (tests/test_kpti.py), a global entry beside a non-global one of the same
    translation once the MMU is on again, is outside the oracle's narrow `conflict`
    (another output address, size or AttrIndx)."""
    from bbmcheck import specs
    f = mutate(MMUOFF, variant, str(tmp_path))
    [(_, scen)] = specs.bundled_scenarios(f, "idmap_kpti_install_ng_mappings",
                                          entries=[1, 1, 2, 1], use="kpti-mmu-off")
    oracle_ = Oracle(scen, fullest(scen))
    found, complete = oracle_.run()
    assert complete and oracle_.finished, "no execution in which both CPUs return"
    what = {p: f.what for p, f in found.items()}
    if not hasattr(variant, "breaks"):
        assert not found, what
    else:
        assert set(found) == {"post"} and set(found) <= set(variant.breaks), what
        assert found["post"].what.startswith("no global swapper entries left in any TLB: "), \
            what


# ---- every bundled routine of the corpus

OTHER = os.path.join(os.path.dirname(V61), "..", "..", "other")
PROC_S = os.path.dirname(V61)


def _bundled(root):
    if not os.path.isdir(root):
        return []
    return sorted(os.path.relpath(os.path.join(d, n), root)
                  for d, _, ns in os.walk(root) for n in ns if n.endswith(".S"))


def _scenes(path, **kw):
    from bbmcheck import specs
    from bbmcheck.errors import SpecError
    try:
        return specs.bundled_scenarios(path, **kw)
    except SpecError as e:
        if "no bundled spec fits" not in str(e):
            raise
        return []                      # a file of macros or helpers: no routine to check


class _Features:
    def __init__(self, bbm_level=0):
        self.bbm_level = bbm_level


@pytest.mark.parametrize("a, b, bbm_level, conflict", [
    # two level-1 walk-cache entries for one 1 GiB range, one ASID: different tables
    (TableEntry(0, 30, 1, 1, 0x1000, ()), TableEntry(0, 30, 1, 1, 0x2000, ()), 0, True),
    (TableEntry(0, 30, 1, 1, 0x1000, ()), TableEntry(0, 30, 1, 1, 0x1000, ()), 0, False),
    # ... under two ASIDs: two translation contexts
    (TableEntry(0, 30, 1, 1, 0x1000, ()), TableEntry(0, 30, 1, 2, 0x2000, ()), 0, False),
    # a level-2 table against a global 2 MiB block for its range; not with FEAT_BBML2
    (TableEntry(0, 21, 2, 1, 0x1000, ()), Entry(0, 21, None, 0x200000, 0, ()), 0, True),
    (TableEntry(0, 21, 2, 1, 0x1000, ()), Entry(0, 21, None, 0x200000, 0, ()), 2, False),
    # against a non-global block of another ASID: no conflict
    (TableEntry(0, 21, 2, 1, 0x1000, ()), Entry(0, 21, 2, 0x200000, 0, ()), 0, False),
    # entries of different levels are not compared (the narrow reading)
    (TableEntry(0, 30, 1, 1, 0x1000, ()), Entry(0, 12, None, 0x5000, 0, ()), 0, False),
    # two level-2 tables for different ranges
    (TableEntry(0, 21, 2, 1, 0x1000, ()), TableEntry(1 << 21, 21, 2, 1, 0x2000, ()), 0,
     False),
    # leaf entries: a 2 MiB block and a page of it (a size difference) unless BBML2
    (Entry(0, 21, None, 0, 0, ()), Entry(0, 12, None, 0, 0, ()), 0, True),
    (Entry(0, 21, None, 0, 0, ()), Entry(0, 12, None, 0, 0, ()), 2, False),
])
def test_oracle_conflict_rule(a, b, bbm_level, conflict):
    """The oracle's `conflict`, case by case, in both orders."""
    f = _Features(bbm_level)
    assert _conflicting(a, b, f) is conflict
    assert _conflicting(b, a, f) is conflict


@pytest.mark.skipif(not os.path.isdir(OTHER), reason="corpus absent: ../shared/corpus")
@pytest.mark.parametrize("rel", _bundled(OTHER))
def test_bundled_routines_agree_with_sc_oracle(rel):
    """Every routine of the other projects with a bundled spec (EL1, EL2 and EL3
    regimes, MMU on and off), as `bbmcheck prove FILE` checks it: where the oracle
    finds a violation, the checker must not say PROVED.  The oracle refutes Xen's two
    BUGGY routines itself: relocate_xen copies, then replaces live EL2 mappings, and
    switch_ttbr switches TTBR0_EL2 with the MMU on, so the TLB can hold walk-cache
    entries of the old and the new tables for one range (a `conflict` between
    walk-cache entries)."""
    from bbmcheck.model.checker import Checker, Options
    for title, scen in _scenes(os.path.join(OTHER, rel)):
        try:
            found, complete, _ = search(scen, limit=64)
        except Unsupported_ as e:      # too many assignments: the fullest tree
            if "assignments" not in str(e):
                raise
            found, complete = Oracle(scen, fullest(scen)).run()
        assert complete, title
        v = Checker(scen, Options(props=tuple(scen.properties))).run()
        if found:
            assert v.status != "PROVED", (title, {p: f.what for p, f in found.items()})
        if "relocate_xen" in title or title.startswith("switch_ttbr:"):
            assert "conflict" in found, title
            assert v.status == "REFUTED" and v.prop == "conflict", title


@pytest.mark.skipif(not os.path.isdir(PROC_S), reason="corpus absent: ../shared/corpus")
@pytest.mark.parametrize("rel", _bundled(PROC_S))
def test_every_proc_s_version_on_the_sc_oracle(rel):
    """kpti (the fullest 1/1/2/1 tree, 2 CPUs, ets2) and idmap_cpu_replace_ttbr1 in
    all six versions: tests/test_kpti.py proves each, so the oracle must find
    nothing, in a search that ends and lets every CPU return."""
    for title, scen in _scenes(os.path.join(PROC_S, rel), features=["ets2"], cpus=2,
                               entries=[1, 1, 2, 1]):
        oracle_ = Oracle(scen, fullest(scen))
        found, complete = oracle_.run()
        assert complete and oracle_.finished, title
        assert not found, (title, {p: f.what for p, f in found.items()})
