"""An independent oracle for PROVED verdicts: explicit-state search of a stronger
machine than the architecture's.

The checker answers PROVED when no execution the Arm ARM allows violates a
property.  Replay (cli/replay.py) re-checks REFUTED answers; nothing re-checks a
PROVED one.  This module does, from the other side: it enumerates every execution
of a small scenario on a machine with *fewer* behaviours than the architecture —
so any violation it finds is one the architecture allows, and a PROVED verdict
for that scenario is wrong.

The machine ("SC with TLBs"):
- the CPUs' instructions interleave one at a time, each atomic (sequential
  consistency): a store is visible to every CPU and walker at once, a TLBI removes
  the entries it matches from every TLB in its scope at once, a system register
  write is in effect at once; barriers and cache maintenance do nothing;
- after every instruction, every CPU whose MMU is on fills its TLB with the walk of
  every VA of interest from memory as it is then (an implementation may fill any
  entry at any time, R_SQBCS); entries stay until a TLBI removes them (never
  evicted: evicting is never needed for a violation);
- a TLB also holds walk-cache entries: each table descriptor a walk read, for the
  VA range it covers, tagged with the ASID the walk ran under (R_CHVGJ: entries from
  levels other than the last are non-global); a walk may start from any of them that
  matches the VA and the current ASID instead of from the TTBR, and read the levels
  below from memory;
- an access uses any leaf entry of its TLB that matches it, or walks (from the TTBR
  or a walk-cache entry: as after an eviction): every choice is explored;
- a TLBI removes every entry the architecture may require it to: walk-cache entries
  by VA (non-last-level forms; the VAE1 forms only for their ASID), by ASID, or all
  (`Oracle(walk_cache=False)` holds leaf entries only, the machine before stop 21);
  with FEAT_TTL, a TLBI by VA with a level hint removes leaf entries of that level
  only.

Each rule of this machine is an instance of an architectural permission, so every
execution it has is one the architecture has.  The properties are checked in their
narrowest form, implemented here without the checker's code (its descriptor,
TLBI-matching and property modules) so that a mistake there is not shared:
- fault: an access's walk (from the TTBR or a walk-cache entry) meets an invalid
  descriptor or AF = 0;
- conflict: a CPU with its MMU on holds two leaf entries that overlap in one
  translation context (same ASID, or either global) and give a different output
  address, size or AttrIndx; or two entries of one level, at least one of them a
  walk-cache entry, that overlap in one context and differ: two tables with
  different next-table addresses, or a table and a block (not with FEAT_BBML2);
- bbm: an 8-byte store replaces a valid descriptor with a valid one of another
  kind (table/block), another next-table or output address, or another AttrIndx,
  while a CPU with its MMU on holds an entry whose walk read the old value;
- stale: an access to a `[stale]` VA uses a translation (a leaf entry, or a walk
  from a walk-cache entry) that differs from a fresh walk's from the TTBR;
- post: in a state where every CPU has returned (after the last fill), a
  postcondition of the scenario fails (below).
The regime is the scenario's: EL1&0 (TTBR0/TTBR1_EL1, ASIDs) or EL2/EL3 (one TTBR,
no ASIDs); a TLBI of another regime removes nothing.  The instruction semantics are
the project's own (model/isa), run on the concrete interpreter's context: they are
checked against QEMU elsewhere (tests/test_qemu_diff.py).

Postconditions are written from docs/spec.md without specs/post.py's code (its
builders and their `concrete` functions are never called); where a reading could be
wider than the checker's, the narrower one is taken, so that the oracle never calls
a final state wrong that the checker would accept.  A failure is reported as
Finding("post", "<the postcondition's name>: what fails", path):
- tree_ng: every declared entry of the tree's tables (one the spec gives a value;
  an undeclared one is not looked at) that is a valid block or page in a table the
  tree's root reaches through table descriptors of the initial memory ends with its
  initial value with nG (bit 11) set; every other declared entry ends with its
  initial value, or, a table descriptor (of any of the tables), with bit 11 set too
  (the walk ignores it);
- unchanged: every word of the scenario's initial memory image (scen.memory: the
  program's data, the tables' declared entries, `[words]` and pages' words) ends
  with its initial value, except the words holding the listed addresses and the
  words in a page of a listed table or of a listed tree's tables.  A store to a
  word outside the image is not looked at (the checker's `unchanged` covers the
  image only);
- sysreg: every CPU's last value of the register equals the value; a CPU that
  neither starts with a value of it nor writes it is not looked at (its value is
  unknown).  `in_effect` holds by construction: on this machine a write is in
  effect at once;
- no_global_entries: no CPU's TLB holds a leaf entry of no ASID whose own
  (last-level) descriptor is in a page of the tree's tables and has nG = 0;
- no_entries_from: no CPU's TLB holds an entry, leaf or walk-cache, whose own
  descriptor (the last its walk read) is in a page of the tables (or of a tree's
  tables).  An entry counts by the descriptor it caches: a leaf whose walk passed
  through those tables only at an upper level is not counted, the walk-cache entry
  of that level is, while it is held.  With `asid`, only entries a lookup under
  that ASID may use count: global leaves and entries tagged with it;
For the last two, only entries of a VA range that holds one of the scenario's
tracked VAs count (scen.tracked_vas: the VAs the checker's witness walks take), on
every CPU whatever its MMU's state at the end.  `expr` postconditions are not
checked.  The parameters (tree name, listed addresses and tables, register and
value) are read from Postcondition.params, the spec's keys evaluated; a missing one
fails loudly (Unsupported_).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import z3

from bbmcheck.model import values as V
from bbmcheck.model.effects import (DC, IC, ISB, TLBI, Barrier, Event, Exception_,
                                    Unsupported)
from bbmcheck.model.isa import decode
from bbmcheck.model.runner import RETURN_SENTINEL, STACK_TOP, ConcreteContext
from bbmcheck.model.values import _mk

M64 = (1 << 64) - 1
OA_MASK = ((1 << 48) - 1) & ~0xFFF


class Unsupported_(Exception):
    """The scenario or an instruction is outside what the oracle runs."""


class _NeedChoice(Exception):
    def __init__(self, n):
        self.n = n


class _Faulted(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    """A leaf TLB entry: the VA range it maps, its context and translation, and the
    walk it came from ((descriptor PA, value) per level)."""
    va: int          # first VA of the range (64-bit)
    shift: int       # log2 of the range's size
    asid: int | None  # None: global
    oa: int
    attr: int
    path: tuple

    def covers(self, va: int) -> bool:
        return (va & ~((1 << self.shift) - 1) & M64) == self.va

    def translation(self):
        return (self.shift, self.oa, self.attr)


@dataclass(frozen=True)
class TableEntry:
    """A walk-cache entry: the level-`level` table descriptor a walk read, for the VA
    range it covers, tagged with the ASID of the walk; `table` the next table's PA."""
    va: int
    shift: int
    level: int
    asid: int
    table: int
    path: tuple

    def covers(self, va: int) -> bool:
        return (va & ~((1 << self.shift) - 1) & M64) == self.va


@dataclass(frozen=True)
class Finding:
    prop: str
    what: str
    path: tuple        # (cpu, instruction text) steps leading to it


class Walker:
    """Translation table walks of one regime, 4 KiB granule, written from D8.2/D8.3."""

    def __init__(self, levels: int, va_bits: int, el: int = 1, a1: bool = False):
        if not 1 <= levels <= 4 or not 25 <= va_bits <= 48:
            raise Unsupported_(f"{levels} levels, {va_bits}-bit VA")
        self.start = 4 - levels
        self.va_bits = va_bits
        self.asids = el == 1          # EL2 and EL3: one TTBR, no ASIDs, nG ignored
        self.a1 = a1                  # TCR_EL1.A1: the ASID field of TTBR1 is the ASID

    def asid(self, ttbr0: int, ttbr1: int) -> int:
        """The current ASID (TTBR0[63:48], or TTBR1[63:48] with TCR.A1 = 1); 0 where
        there are none."""
        return ((ttbr1 if self.a1 else ttbr0) >> 48) & 0xFFFF if self.asids else 0

    def walk(self, mem, ttbr0: int, ttbr1: int, va: int, start: TableEntry | None = None,
             tables: list | None = None):
        """(Entry, None) or (None, why it faults): the walk from the TTBR, or from the
        walk-cache entry `start` on.  The table descriptors it reads are appended to
        `tables` as walk-cache entries."""
        top = va >> self.va_bits
        if top == 0:
            ttbr = ttbr0
        elif top == (1 << (64 - self.va_bits)) - 1 and self.asids:
            ttbr = ttbr1
        else:
            return None, f"VA {va:#x} in neither TTBR's range"
        asid_now = self.asid(ttbr0, ttbr1)
        if start is None:
            table, first, path = ttbr & OA_MASK, self.start, []
        else:
            table, first, path = start.table, start.level + 1, list(start.path)
        for level in range(first, 4):
            idx = (va >> (39 - 9 * level)) & 511
            pa = table + 8 * idx
            d = mem(pa)
            path.append((pa, d))
            if not d & 1:
                return None, f"invalid descriptor at level {level} ({pa:#x})"
            if level < 3 and d & 2:
                table = d & OA_MASK
                if tables is not None:
                    shift = 12 + 9 * (3 - level)
                    tables.append(TableEntry(va & ~((1 << shift) - 1) & M64, shift, level,
                                             asid_now, table, tuple(path)))
                continue
            if level == 3 and not d & 2:
                return None, f"reserved descriptor at level 3 ({pa:#x})"
            if level == 0:
                return None, f"block at level 0 ({pa:#x})"
            if not (d >> 10) & 1:
                return None, f"access flag 0 at level {level} ({pa:#x})"
            shift = 12 + 9 * (3 - level)
            asid = asid_now if (d >> 11) & 1 and self.asids else None
            return Entry(va & ~((1 << shift) - 1) & M64, shift, asid,
                         d & OA_MASK & ~((1 << shift) - 1), (d >> 2) & 7, tuple(path)), None
        raise AssertionError("unreachable")


def _needs_bbm(old: int, new: int, level: int, features) -> bool:
    """The narrow core of R_WHZWS: both valid, and a different next table, output
    address or AttrIndx; a table <-> block change unless FEAT_BBM level 1 or 2 is
    assumed; nG 1 -> 0 (a global entry that may overlap non-global ones), or any nG
    change under the strict policy the scenario states."""
    if not (old & 1 and new & 1):
        return False
    if level < 3 and (old & 2) != (new & 2):
        return features.bbm_level == 0
    if (old & OA_MASK) != (new & OA_MASK):
        return True
    if level < 3 and old & 2:
        return False                       # two tables with one address
    ng_old, ng_new = (old >> 11) & 1, (new >> 11) & 1
    if ng_old != ng_new and (features.ng_policy == "strict" or ng_old):
        return True
    return ((old >> 2) & 7) != ((new >> 2) & 7)


def _conflicting(a, b, features) -> bool:
    """Two entries of one TLB that overlap in one translation context (same ASID, or
    a global leaf) and translate differently.  Leaf against leaf: another output,
    size or AttrIndx.  Walk-cache entries only against entries of their own level:
    two tables with different next-table addresses, or a table against a block (the
    coarser entry's level is where both say what the range maps; a comparison across
    levels would need the walks' upper levels, and the narrow reading leaves it out)."""
    if features.bbm_level == 2 and a.shift != b.shift:
        return False                       # FEAT_BBML2: no conflict for a size change
    if a.asid is not None and b.asid is not None and a.asid != b.asid:
        return False
    if not (a.covers(b.va) or b.covers(a.va)):
        return False
    ta, tb = isinstance(a, TableEntry), isinstance(b, TableEntry)
    if not (ta or tb):
        return a.translation() != b.translation()
    if a.shift != b.shift:
        return False                       # entries of different levels: left out
    if ta and tb:
        return a.table != b.table
    if features.bbm_level == 2:
        return False                       # a table against a block: a size change
    return True                            # a table and a block for one range


# The spec's keys of each postcondition kind, evaluated, as the scenario keeps them
# (Postcondition.params): data only, never specs/post.py's code.
POST_PARAMS = {"tree_ng": ("tname",),
               "unchanged": ("except_", "except_tables", "except_trees"),
               "sysreg": ("reg", "val"), "no_global_entries": ("tname",),
               "no_entries_from": ("tabs", "asid")}
NG = 1 << 11


def _post_params(p) -> dict:
    """{key: value} of postcondition `p`."""
    params = getattr(p, "params", None) or {}
    missing = [n for n in POST_PARAMS[p.kind] if n not in params]
    if missing:
        raise Unsupported_(f"postcondition {p.name!r} ({p.kind}): no "
                           f"{', '.join(missing)} among its parameters")
    return {n: params[n] for n in POST_PARAMS[p.kind]}


def _is_leaf(d: int, level: int) -> bool:
    """A valid block (levels 1 and 2) or page (level 3), 4 KiB granule."""
    if not d & 1 or level == 0:
        return False
    return bool(d & 2) if level == 3 else not d & 2


def _is_table(d: int, level: int) -> bool:
    return level < 3 and d & 3 == 3


TLBI_REGIME = {"el1": 1, "el1s12": 1, "el2": 2, "el3": 3, "ipas2": None}


def _ttl_level(t: TLBI, features):
    """FEAT_TTL: the level a TLBI by VA's hint names (Xt[47:44] = 0b01 level, 4 KiB
    granule; 0b00xx and 0b0100 are no hint), or None.  Only leaf entries of that
    level must be removed then (D8.17.5, R_SQXYZ)."""
    if not features.ttl or t.ttl is None or t.match not in ("va", "va-any-asid", "va-noasid"):
        return None
    ttl = V.as_int(t.ttl)
    if ttl >> 2 != 0b01 or ttl == 0b0100:
        return None
    return ttl & 3


def _tlbi_removes(t: TLBI, e, el: int, features) -> bool:
    """The TLBI may be required to remove entry `e` (a leaf Entry or a TableEntry of
    the EL`el` regime)."""
    if t.regime not in TLBI_REGIME:
        raise Unsupported_(f"TLBI {t.op}")
    if TLBI_REGIME[t.regime] != el:
        return False                       # another regime's entries (or stage 2 only)
    if t.match == "all":
        return True
    asid = None if t.asid is None else V.as_int(t.asid)
    table = isinstance(e, TableEntry)     # its asid is never None: tagged (R_CHVGJ)
    hint = _ttl_level(t, features)
    if hint is not None and (table or 3 - (e.shift - 12) // 9 != hint):
        return False
    if table and t.last_level:
        return False                       # VALE1 and the like: leaf entries only
    if t.match == "asid":
        return e.asid is not None and e.asid == asid
    if t.match in ("va", "va-any-asid", "va-noasid"):
        va = V.as_int(t.va)
        mask = ((1 << 56) - 1) & ~((1 << e.shift) - 1)
        if (va & mask) != (e.va & mask):
            return False
        return t.match != "va" or e.asid is None or e.asid == asid
    raise Unsupported_(f"TLBI {t.op}")


@dataclass(frozen=True)
class Cpu:
    pc: int
    regs: tuple
    sp: int
    nzcv: int
    sysregs: tuple     # sorted (name, value)
    depth: int
    monitor: tuple | None
    status: str        # 'run' | 'done'


class _Ctx(ConcreteContext):
    """One instruction of one CPU on the oracle's machine."""

    def __init__(self, machine, state, c, choices):
        super().__init__(None, machine.scen.symbol_address)
        self.m, self.c, self.choices, self.used = machine, c, choices, 0
        mem, cpus, tlbs = state
        self.mem = dict(mem)
        self.tlbs = [set(t) for t in tlbs]
        cpu = cpus[c]
        self.regs = [_mk(v, 64) for v in cpu.regs]
        self.sp, self.nzcv = _mk(cpu.sp, 64), _mk(cpu.nzcv, 4)
        self.sysregs = {k: _mk(v, 64) for k, v in cpu.sysregs}
        self.depth, self.monitor = cpu.depth, cpu.monitor
        self.findings: list = []

    def word(self, pa):
        v = self.mem.get(pa)
        return self.m.initial(pa) if v is None else v

    def _sys(self, name):
        v = self.sysregs.get(name)
        return 0 if v is None else v.value

    def mmu_on(self):
        return self.m.mmu_on(dict((k, v.value) for k, v in self.sysregs.items()))

    def _choose(self, n):
        if self.used == len(self.choices):
            raise _NeedChoice(n)
        k = self.choices[self.used]
        self.used += 1
        return k

    def translate(self, va: int, size: int) -> int:
        if not self.mmu_on():
            return va
        if (va & 0xFFF) + size > 0x1000:
            raise Unsupported_("an access across a page boundary")
        ttbr0, ttbr1 = self._sys(self.m.ttbr0), self._sys("ttbr1_el1")
        tlb = self.tlbs[self.c]
        fresh, why = self.m.walker.walk(self.word, ttbr0, ttbr1, va)
        asid = self.m.walker.asid(ttbr0, ttbr1)
        hits = sorted({e for e in tlb if isinstance(e, Entry) and e.covers(va)
                       and (e.asid is None or e.asid == asid)},
                      key=lambda e: (e.translation(), e.path))
        walks = self.m.walks(self.word, ttbr0, ttbr1, tlb, va)
        k = self._choose(len(hits) + len(walks))
        self.m.vas.add(va & ~0xFFF)
        if k >= len(hits):
            e, how, tables = walks[k - len(hits)]
            tlb.update(tables)
            if e is None:
                self.findings.append(("fault", f"CPU{self.c} `{self.text}` VA {va:#x}: {how}"))
                raise _Faulted()
            tlb.add(e)
        else:
            e, how = hits[k], "a TLB entry"
        if any(s == va & ~0xFFF for s in self.m.stale_vas) and (
                fresh is None or fresh.translation() != e.translation()):
            self.findings.append(("stale", f"CPU{self.c} `{self.text}` VA {va:#x} uses "
                                           f"{e} ({how}) where a walk gives {fresh or why}"))
        return e.oa | (va & ((1 << e.shift) - 1))

    # ---- memory, by 8-byte words
    def _read(self, pa, size):
        v = 0
        for i in range(size - 1, -1, -1):
            a = pa + i
            v = (v << 8) | ((self.word(a & ~7) >> (8 * (a & 7))) & 0xFF)
        return v

    def _write(self, pa, size, value):
        if size == 8 and not pa & 7:
            self._descriptor_store(pa, value)
        elif any(self.m.live(self, (pa + i) & ~7) for i in range(size)):
            raise Unsupported_("a store of another size over a descriptor")
        for i in range(size):
            a = pa + i
            w = self.word(a & ~7)
            sh = 8 * (a & 7)
            self.mem[a & ~7] = (w & ~(0xFF << sh)) | (((value >> (8 * i)) & 0xFF) << sh)

    def _descriptor_store(self, pa, new):
        old = self.word(pa)
        for c, tlb in enumerate(self.tlbs):
            if not self.m.cpu_mmu_on(self, c):
                continue
            for e in tlb:
                for lvl, (p, d) in enumerate(e.path, self.m.walker.start):
                    if p == pa and d == old and _needs_bbm(old, new, lvl, self.m.scen.features):
                        self.findings.append(("bbm", f"CPU{self.c} `{self.text}` replaces "
                                              f"{old:#x} at {pa:#x} (level {lvl}) with "
                                              f"{new:#x} while CPU{c} holds {e}"))
                        return

    def load(self, addr, size, *, acquire=False, exclusive=False):
        pa = self.translate(V.as_int(addr), size)
        if exclusive:
            self.monitor = (pa, size)
        return _mk(self._read(pa, size), size * 8)

    def store(self, addr, size, value, *, release=False):
        pa = self.translate(V.as_int(addr), size)
        self._write(pa, size, V.as_int(value))

    def store_exclusive(self, addr, size, value, *, release=False):
        pa = self.translate(V.as_int(addr), size)
        ok = self.monitor == (pa, size)
        self.monitor = None
        if ok:
            self._write(pa, size, V.as_int(value))
        return _mk(0 if ok else 1, 32)

    def atomic(self, addr, size, new_of, *, acquire=False, release=False, ret=True):
        pa = self.translate(V.as_int(addr), size)
        old = _mk(self._read(pa, size), size * 8)
        new, w = new_of(old)
        if V.concrete_bool(w):
            self._write(pa, size, V.as_int(new))
        return old

    def write_sysreg(self, name, value):
        self.sysregs[name] = self._check(value, 64)

    def effect(self, effect):
        if isinstance(effect, TLBI):
            targets = [self.c] if effect.scope == "local" else range(len(self.tlbs))
            for c in targets:
                self.tlbs[c] = {e for e in self.tlbs[c]
                                if not _tlbi_removes(effect, e, self.m.el,
                                                     self.m.scen.features)}
        elif isinstance(effect, (Barrier, ISB, DC, IC, Event)):
            pass
        elif isinstance(effect, (Unsupported, Exception_)):
            raise Unsupported_(f"`{self.text}`")
        else:
            raise Unsupported_(f"effect {effect}")


def _concrete(v, what, subst=()) -> int:
    """The value of `v` (an int, a value of model/values or a Z3 term) under the
    substitution of the scenario's variables."""
    if isinstance(v, int):
        return v
    if not isinstance(v, z3.ExprRef):
        if V.is_concrete(v):
            return V.as_int(v)
        v = V.to_z3(v)
    r = z3.simplify(z3.substitute(v, *subst)) if subst else z3.simplify(v)
    if z3.is_bv_value(r):
        return r.as_long()
    raise Unsupported_(f"symbolic {what}")


def assignments(scen, limit: int = 256):
    """Every assignment of the scenario's symbolic variables (their value sets, as
    the spec gives them) that its assumptions admit: lists of (variable, value)."""
    names = sorted(scen.domains)
    combos = 1
    for n in names:
        combos *= len(scen.domains[n])
    if combos > limit:
        raise Unsupported_(f"{combos} assignments of the symbolic descriptors")
    for values in itertools.product(*(sorted(scen.domains[n]) for n in names)):
        subst = _substitution(scen, names, values)
        if subst is not None:
            yield subst


def _substitution(scen, names, values):
    """[(variable, value)] for the scenario's variables `names`, or None when its
    assumptions refuse those values."""
    subst = [(z3.BitVec(n, 64), z3.BitVecVal(v, 64)) for n, v in zip(names, values)]
    if all(z3.is_true(z3.simplify(z3.substitute(a, *subst))) for a in scen.assumptions):
        return subst
    return None


class Oracle:
    """Every execution of `scen` on the SC-with-TLBs machine, up to `max_states`."""

    def __init__(self, scen, subst=(), *, max_states: int = 200_000, walk_cache=True):
        self.scen = scen
        self.walk_cache = walk_cache
        self.subst = subst
        reg = scen.regime
        self.el = reg.el
        self.ttbr0, self.sctlr = f"ttbr0_el{reg.el}", f"sctlr_el{reg.el}"
        self.walker = Walker(reg.levels, reg.va_bits, reg.el, reg.a1)
        self.end_before = tuple(" ".join(p.lower().split()) for p in scen.end_before)
        self.max_states = max_states
        self.props = set(scen.properties)
        self.stale_vas = [v & ~0xFFF for v in scen.stale_vas]
        self.memory = {pa: _concrete(v, f"memory at {pa:#x}", subst)
                       for pa, v in scen.memory.items()}
        self.vas: set = set()
        self.posts = self._posts() if "post" in self.props else []
        self.tracked = sorted(set(scen.tracked_vas))

    def initial(self, pa):
        return self.memory.get(pa, 0)

    # ---- postconditions (the module docstring says how each kind is read)
    def _posts(self) -> list:
        """[(name, kind, data)] for every postcondition checked (all but `expr`)."""
        lay = getattr(self.scen, "layout", None)
        out = []
        for p in self.scen.postconditions:
            if p.kind not in POST_PARAMS:
                continue                   # expr: not checked
            a = _post_params(p)
            if lay is None:
                raise Unsupported_(f"postcondition {p.name!r}: a scenario without a layout")
            if p.kind == "tree_ng":
                data = self._tree_entries(lay.trees[a["tname"]])
            elif p.kind == "unchanged":
                words = {_concrete(x, "an address", self.subst) & ~7 for x in a["except_"]}
                pages = {_concrete(x, "a table", self.subst) & ~0xFFF
                         for x in a["except_tables"]}
                for tr in a["except_trees"]:
                    pages |= {t.pa for t in lay.trees.get(tr, [])}
                data = sorted(w for w in self.scen.memory
                              if w not in words and w & ~0xFFF not in pages)
            elif p.kind == "sysreg":
                data = (a["reg"], _concrete(a["val"], a["reg"], self.subst))
            elif p.kind == "no_global_entries":
                data = ({t.pa for t in lay.trees.get(a["tname"], [])}, None)
            else:
                data = ({t.pa for t in a["tabs"]}, a["asid"])
            out.append((p.name, p.kind, data))
        return out

    def _tree_entries(self, tables) -> list:
        """[(table, index, PA, leaf)] for every declared entry of the tree's tables;
        `leaf`: a valid block or page in a table the root reaches through table
        descriptors of the initial memory."""
        by_pa = {t.pa: t for t in tables}
        reached, todo = {tables[0].pa}, [tables[0]]
        while todo:
            t = todo.pop()
            for i in t.entries:
                d = self.initial(t.pa + 8 * i)
                child = by_pa.get(d & OA_MASK) if _is_table(d, t.level) else None
                if child is not None and child.pa not in reached:
                    reached.add(child.pa)
                    todo.append(child)
        return [(t, i, t.pa + 8 * i,
                 t.pa in reached and _is_leaf(self.initial(t.pa + 8 * i), t.level))
                for t in tables for i in sorted(t.entries)]

    def _named(self, pa: int) -> str:
        at = self.scen.table_at(pa & ~7)
        return f"{at[0].name}[{at[1]}] ({pa:#x})" if at else f"{pa:#x}"

    def _post_failure(self, state):
        """What the first failing postcondition is, in words, or None: `state` is a
        final state (every CPU has returned), after its fill."""
        mem, cpus, tlbs = state
        final = dict(mem)

        def fin(pa):
            v = final.get(pa)
            return self.initial(pa) if v is None else v
        for name, kind, data in self.posts:
            if kind == "tree_ng":
                for t, i, pa, leaf in data:
                    iv, fv = self.initial(pa), fin(pa)
                    if fv == (iv | NG if leaf else iv):
                        continue
                    if not leaf and _is_table(iv, t.level) and fv == iv | NG:
                        continue               # bit 11 of a table descriptor: ignored
                    return (f"{name}: {t.name}[{i}] at {pa:#x} was {iv:#x}, is {fv:#x} "
                            f"(expected {'with nG set' if leaf else 'unchanged'})")
            elif kind == "unchanged":
                for w in data:
                    if fin(w) != self.initial(w):
                        return (f"{name}: the word at {self._named(w)} changed from "
                                f"{self.initial(w):#x} to {fin(w):#x}")
            elif kind == "sysreg":
                reg, val = data
                for c, cpu in enumerate(cpus):
                    v = dict(cpu.sysregs).get(reg)
                    if v is not None and v != val:
                        return f"{name}: CPU{c}'s {reg} is {v:#x} at the end, not {val:#x}"
            else:
                glob = kind == "no_global_entries"
                pages, asid = data
                for c, tlb in enumerate(tlbs):
                    for e in sorted(tlb, key=lambda e: (e.va, e.shift, e.path)):
                        pa, d = e.path[-1]            # the descriptor the entry caches
                        leaf = isinstance(e, Entry)
                        if pa & ~0xFFF not in pages or not any(map(e.covers, self.tracked)):
                            continue
                        if glob and not (leaf and e.asid is None and not d & NG):
                            continue
                        if asid is not None and e.asid is not None and e.asid != asid:
                            continue                  # usable only under another ASID
                        what = ("a global leaf entry" if glob else "a leaf entry" if leaf
                                else f"a level-{e.level} walk-cache entry")
                        return (f"{name}: CPU{c}'s TLB holds {what} for VA {e.va:#x} "
                                f"(2^{e.shift} bytes) read from {self._named(pa)} = {d:#x}")
        return None

    def mmu_on(self, sysregs: dict) -> bool:
        return bool(sysregs.get(self.sctlr, 1) & 1)

    def cpu_mmu_on(self, ctx, c) -> bool:
        if c == ctx.c:
            return ctx.mmu_on()
        return self.mmu_on(dict(self._cpus[c].sysregs))

    def walks(self, mem, ttbr0: int, ttbr1: int, tlb, va: int) -> list:
        """Every walk of `va` a CPU may make now, from its TTBR or from a walk-cache
        entry of its TLB that matches the VA and the current ASID (R_CHVGJ): a list
        of (Entry or None, how it started or why it faulted, walk-cache entries read),
        without repeats."""
        asid = self.walker.asid(ttbr0, ttbr1)
        starts = [None]
        if self.walk_cache:
            starts += sorted((e for e in tlb if isinstance(e, TableEntry) and e.covers(va)
                              and e.asid == asid), key=lambda e: (e.level, e.path))
        out, seen = [], set()
        for st in starts:
            tables: list = []
            e, why = self.walker.walk(mem, ttbr0, ttbr1, va, st, tables)
            how = "a walk" if st is None else f"a walk from the walk-cache entry {st}"
            key = e if e is not None else why
            if key not in seen:
                seen.add(key)
                out.append((e, how if e is not None else f"{why} ({how})",
                            tables if self.walk_cache else []))
        return out

    def live(self, ctx, pa) -> bool:
        return any(p == pa for t in ctx.tlbs for e in t for p, _ in e.path)

    # ---- states
    def _start(self):
        cpus = []
        for cs in self.scen.cpus:
            regs = [0] * 31
            regs[30] = RETURN_SENTINEL
            for n, v in cs.regs.items():
                regs[n] = _concrete(v, f"x{n}", self.subst)
            sp = STACK_TOP if cs.sp is None else _concrete(cs.sp, "sp", self.subst)
            sysregs = {k: _concrete(v, k, self.subst) for k, v in cs.sysregs.items()}
            cpus.append(Cpu(self.scen.symbol_address(cs.entry), tuple(regs), sp, 0,
                            tuple(sorted(sysregs.items())), 0, None, "run"))
        return ((), tuple(cpus), tuple(frozenset() for _ in cpus))

    def _fill(self, state):
        """Every CPU whose MMU is on walks every VA of interest now."""
        mem, cpus, tlbs = state
        word = None
        out = []
        for cpu, tlb in zip(cpus, tlbs):
            sysregs = dict(cpu.sysregs)
            if self.mmu_on(sysregs):
                ttbrs = (sysregs.get(self.ttbr0, 0), sysregs.get("ttbr1_el1", 0))
                key = (mem, ttbrs, tlb)       # the fill depends on nothing else
                filled = self._filled.get(key)
                if filled is None:
                    if word is None:
                        word = dict(mem)
                        get = lambda pa: word.get(pa, self.initial(pa))  # noqa: E731
                    new = set(tlb)
                    for va in self.fill_vas:
                        for e, _, tables in self.walks(get, *ttbrs, tlb, va):
                            new.update(tables)
                            if e is not None:
                                new.add(e)
                    filled = self._filled[key] = frozenset(new)
                tlb = filled
            out.append(tlb)
        return (mem, cpus, tuple(out))

    def _conflicts(self, state):
        mem, cpus, tlbs = state
        for c, (cpu, tlb) in enumerate(zip(cpus, tlbs)):
            if not self.mmu_on(dict(cpu.sysregs)):
                continue
            es = sorted(tlb, key=lambda e: (e.va, e.shift, isinstance(e, TableEntry),
                                            e.path))
            for i, a in enumerate(es):
                for b in es[i + 1:]:
                    if _conflicting(a, b, self.scen.features):
                        return f"CPU{c} holds {a} and {b}"
        return None

    def _step(self, state, c, choices):
        """Run CPU c's next instruction with these translation choices: (new state,
        findings) or raises _NeedChoice."""
        mem, cpus, tlbs = state
        self._cpus = cpus
        cpu = cpus[c]
        ctx = _Ctx(self, state, c, choices)
        instr = self.scen.program.instruction_at(cpu.pc)
        if instr is None:
            raise Unsupported_(f"no instruction at {cpu.pc:#x}")
        if cpu.depth == 0 and any(" ".join(str(instr).lower().split()).startswith(p)
                                  for p in self.end_before):
            # the scenario ends before this instruction: the routine counts as returned
            done = Cpu(cpu.pc, cpu.regs, cpu.sp, cpu.nzcv, cpu.sysregs, 0, cpu.monitor, "done")
            return (mem, cpus[:c] + (done,) + cpus[c + 1:], tlbs), [], "(end_before)"
        ctx.pc, ctx.next_pc = cpu.pc, cpu.pc + 4
        ctx.text = instr.text or str(instr)
        op = instr.__dict__.get("_bbm_op") or decode(instr)
        try:
            op.run(ctx)
        except _Faulted:
            return None, ctx.findings, ctx.text
        status = cpu.status
        pc = ctx.next_pc
        if ctx.stop == "ret" and ctx.depth == 0 or pc == RETURN_SENTINEL:
            status = "done"
        elif ctx.stop is not None:
            raise Unsupported_(f"`{ctx.text}`: {ctx.stop}")
        new_cpu = Cpu(pc, tuple(r.value for r in ctx.regs), ctx.sp.value, ctx.nzcv.value,
                      tuple(sorted((k, v.value) for k, v in ctx.sysregs.items())),
                      ctx.depth, ctx.monitor, status)
        new_mem = tuple(sorted(ctx.mem.items()))
        new_cpus = cpus[:c] + (new_cpu,) + cpus[c + 1:]
        return (new_mem, new_cpus, tuple(frozenset(t) for t in ctx.tlbs)), ctx.findings, \
            ctx.text

    def explore(self, fill_vas) -> tuple[dict, bool]:
        """{property: Finding} (the first found of each) and whether the search was
        complete."""
        self.fill_vas = sorted(fill_vas)
        self._filled: dict = {}
        self._cpus = None
        self.finished = 0           # states in which every CPU has returned
        found: dict = {}
        start = self._fill(self._start())
        seen = {start}
        stack = [(start, ())]
        complete = True
        while stack:
            state, path = stack.pop()
            if all(cpu.status == "done" for cpu in state[1]):
                self.finished += 1
                if self.posts and "post" not in found:
                    why = self._post_failure(state)
                    if why:
                        found["post"] = Finding("post", why, path)
            why = self._conflicts(state)
            if why and "conflict" not in found:
                found["conflict"] = Finding("conflict", why, path)
            for c, cpu in enumerate(state[1]):
                if cpu.status != "run":
                    continue
                pending = [()]
                while pending:
                    choices = pending.pop()
                    try:
                        nxt, findings, text = self._step(state, c, choices)
                    except _NeedChoice as n:
                        pending.extend(choices + (k,) for k in range(n.n))
                        continue
                    step = path + ((c, text),)
                    for prop, what in findings:
                        found.setdefault(prop, Finding(prop, what, step))
                    if nxt is None:
                        continue
                    nxt = self._fill(nxt)
                    if nxt not in seen:
                        if len(seen) >= self.max_states:
                            complete = False
                            continue
                        seen.add(nxt)
                        stack.append((nxt, step))
        self.states = len(seen)
        return {p: f for p, f in found.items() if p in self.props}, complete

    def run(self) -> tuple[dict, bool]:
        """Explore, widening the VAs filled to every page an access touched, until
        that set is stable (at most three rounds)."""
        vas = {v & ~0xFFF for v in self.scen.tracked_vas} | set(self.stale_vas)
        for _ in range(3):
            self.vas = set()
            found, complete = self.explore(vas)
            if self.vas <= vas:
                break
            vas |= self.vas
        return found, complete


def fullest(scen):
    """The assignment that makes the largest tree: every symbolic descriptor a table
    where it may be one, else a valid descriptor, global where it may be (the one a
    routine that sets nG changes).  Fails when the assumptions refuse it."""
    names = sorted(scen.domains)
    vals = [max(scen.domains[n], key=lambda v: ((v & 3) == 3, v & 1, not (v >> 11) & 1, v))
            for n in names]
    subst = _substitution(scen, names, vals)
    assert subst is not None, "the scenario's assumptions refuse the fullest tree"
    return subst


def search(scen, limit: int = 256, **kw) -> tuple[dict, bool, int]:
    """Run the oracle for every assignment of the scenario's symbolic descriptors:
    ({property: Finding}, complete, number of assignments)."""
    found: dict = {}
    complete, n = True, 0
    for subst in assignments(scen, limit):
        f, c = Oracle(scen, subst, **kw).run()
        for p, x in f.items():
            found.setdefault(p, x)
        complete &= c
        n += 1
    return found, complete, n
