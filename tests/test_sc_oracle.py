"""PROVED verdicts against an independent oracle (tests/sc_oracle.py).

The oracle enumerates every execution of a small scenario on a machine with fewer
behaviours than the architecture (sequentially consistent CPUs, TLBs that fill
from every walk at every step); a violation it finds is one the architecture
allows, so the checker must not answer PROVED there, and the property it names
must come no later (in the checker's order bbm, conflict, fault, stale) than the
first the oracle finds.  Random scenes: one or two CPUs rewriting a leaf, a block
and a table descriptor, with random TLBIs, barriers and loads, random initial
shapes (some symbolic: the oracle runs every assignment) and a random subset of
the properties.  Stop 20 found with it that `stale` never looked at an access at
another offset of a watched page.
`BBM_FUZZ_SEEDS=600 pytest tests/test_sc_oracle.py` runs more."""
from __future__ import annotations

import os
import random

import pytest

from remap_mutants import MUTANTS, make, prove_json, prove_scene, remap_spec
from sc_oracle import search

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
]
READER = ["ldr x5, [x2]", "ldr x6, [x3]", "ldr x7, [x3, #0x1000]", "ldr x8, [x2, #8]",
          "isb", "dsb ish", "dmb ish", "dsb nsh"]
REGS = ('x0 = "kva(511, 511, 508, 0)", x1 = "kva(511, 511, 508, 1)", '
        'x2 = "kva(511, 511, 511, 0)", x3 = "kva(511, 511, 509, 0)", '
        'x10 = "page(new)", x11 = "block(0xc0400000, 2)", x12 = "table(pteb)", '
        'x13 = "page(old, attr=1)", x14 = "table(pte)", x15 = "page(old, ng=1)"')


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
    pmd509, pte0 = _choice(rng, INIT_509), _choice(rng, INIT_PTE0)
    cpus = "".join(f'\n[[cpu]]\nentry = "{e}"\nregs = {{ {REGS} }}\nttbr1 = "pgd"\n'
                   for e in (("writer", "reader") if two else ("writer",)))

    def spec(asm_path) -> str:
        return f"""[check]
name = "sc oracle {seed}"
file = "{asm_path}"
profile = "none"
cpus = {2 if two else 1}
bound = 40
properties = [{", ".join(f'"{p}"' for p in props)}]

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
    return asm, spec


@pytest.mark.parametrize("seed", range(SEEDS))
def test_proved_agrees_with_sc_oracle(tmp_path, seed):
    asm, spec = random_scene(seed)
    rc, r = prove_scene(tmp_path, "scene", asm, spec)
    found = oracle(tmp_path, "scene")
    where = (asm, {p: (f.what, f.path) for p, f in found.items()})
    assert r["status"] in ("PROVED", "REFUTED", "INCONCLUSIVE"), (r["status"], r["reason"])
    if found:
        assert r["status"] != "PROVED", where
    if r["status"] == "REFUTED":
        assert r["replay"]["status"] == "CONFIRMED", (r["replay"], asm)
        if found:
            first = min(ORDER.index(p) for p in found)
            assert ORDER.index(r["property"]) <= first, (r["property"], where)
