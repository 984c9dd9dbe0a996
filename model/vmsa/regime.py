"""The translation regime and the architecture features a check assumes.

VMSAv8-64 with the 4 KiB granule (the only granule modelled so far): a VA of
`va_bits` bits is translated by `levels` levels of 512-entry tables, starting at
level 4 - levels (level 0 for 48-bit VAs, level 1 for 39-bit).  VA[63] picks the
table base: TTBR0 for the lower range (VA[63:va_bits] all 0), TTBR1 for the upper
range (all 1); any other VA faults.  (Arm ARM D8.1, "Translation table walk".)

`entries` is the reduced geometry of a check: how many entries of each table the
scenario models.  The walk itself always indexes the full table; entries beyond the
modelled ones are invalid (zero) memory, so a VA that indexes them has no
translation.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import values as V

GRANULE_4K = 4096
DESC_SIZE = 8


@dataclass(frozen=True)
class Regime:
    granule: int = GRANULE_4K
    levels: int = 4
    va_bits: int = 48
    pa_bits: int = 48
    entries: int = 512          # modelled entries per table (reduced geometry)
    el: int = 1                 # 1: EL1&0 (two TTBRs, ASIDs); 2/3: one TTBR, no ASID
    a1: bool = False            # TCR_EL1.A1: the current ASID is TTBR1_EL1's, not TTBR0_EL1's

    def __post_init__(self):
        if self.granule != GRANULE_4K:
            raise ValueError("only the 4 KiB granule is modelled")
        if not 1 <= self.levels <= 4:
            raise ValueError("levels must be 1..4")
        if self.va_bits > 12 + 9 * self.levels or self.va_bits <= 12 + 9 * (self.levels - 1):
            raise ValueError(f"{self.va_bits}-bit VAs need {(self.va_bits - 12 + 8) // 9} levels "
                             f"with the 4 KiB granule, not {self.levels}")
        if self.a1 and self.el != 1:
            raise ValueError("TCR.A1 selects an ASID of the EL1&0 regime; EL2 and EL3 have none")

    @property
    def start_level(self) -> int:
        return 4 - self.levels

    @property
    def last_level(self) -> int:
        return 3

    @property
    def table_entries(self) -> int:
        return self.granule // DESC_SIZE

    def level_shift(self, level: int) -> int:
        """VA bit where the index of `level` starts: 39, 30, 21, 12."""
        return 12 + 9 * (3 - level)

    def index_bits(self, level: int) -> tuple[int, int]:
        """(hi, lo) VA bits indexing a table at `level`."""
        lo = self.level_shift(level)
        hi = min(lo + 8, self.va_bits - 1) if level == self.start_level else lo + 8
        return hi, lo

    def index(self, va, level: int):
        """Index into the level's table for `va` (a 64-bit value), as 64-bit value."""
        hi, lo = self.index_bits(level)
        return V.zext(V.extract(va, hi, lo), 64)

    def ttbr_table_base(self, ttbr):
        """The start-level table's address in a TTBR value: BADDR, bits [47:x], where
        2^x is the table's size (at least 64 bytes).  Bits [x-1:1] set make a
        misaligned base address, whose effect is CONSTRAINED UNPREDICTABLE with those
        bits treated as zero (the TTBRn_ELx BADDR description); bit 0 is CnP and
        bits [63:48] the ASID."""
        hi, lo = self.index_bits(self.start_level)
        x = max(6, hi - lo + 1 + 3)
        return V.and_(ttbr, V.const(0x0000_FFFF_FFFF_FFFF & ~((1 << x) - 1), 64))

    def descriptor_address(self, table_base, va, level: int):
        """Physical address of the descriptor for `va` in the table at `table_base`."""
        return V.add(table_base, V.shl(self.index(va, level), 3))

    def block_size(self, level: int) -> int:
        return 1 << self.level_shift(level)

    def upper_range(self, va):
        """Bool: `va` is in the TTBR1 range (VA[63:va_bits] all ones)."""
        top = V.extract(va, 63, self.va_bits)
        return V.eq(top, V.const((1 << (64 - self.va_bits)) - 1, 64 - self.va_bits))

    def lower_range(self, va):
        top = V.extract(va, 63, self.va_bits)
        return V.eq(top, V.const(0, 64 - self.va_bits))

    def describe(self) -> str:
        return (f"4K granule, {self.levels} levels (start level {self.start_level}), "
                f"{self.va_bits}-bit VA" + ("; ASID from TTBR1 (TCR_EL1.A1 = 1)" if self.a1 else ""))

    def asid_register(self) -> str | None:
        """The TTBR whose ASID field is the current ASID (TCR_EL1.A1), None without
        ASIDs (EL2, EL3)."""
        if self.el != 1:
            return None
        return "ttbr1_el1" if self.a1 else "ttbr0_el1"


@dataclass(frozen=True)
class Features:
    """Architecture features and modelling policies of a check (profile switches).

    ets2:       FEAT_ETS2 — a DSB orders earlier accesses/TLBIs before later
                translation table walks of the same PE, and a translation fault
                cannot be taken on a walk that an earlier po store would have made
                valid (Arm ARM, "Enhanced Translation Synchronization").
    ttl:        FEAT_TTL — a TLBI by VA whose Xt[47:44] hint does not match the
                granule and level of an entry need not invalidate it.
    bbm_level:  FEAT_BBM support level 0, 1 or 2 (block-size changes).
    ng_policy:  'strict' (any nG change of a live descriptor needs BBM) or 'arm-arm'
                (R_WHZWS: BBM when a global entry is created, i.e. nG 1 -> 0).
    write_permission: a store through a leaf with AP[2] = 1 takes a Permission fault
                (Arm ARM D8.4.1; no hardware dirty-state update).  Off by default for
                `prove` (stores through read-only pages are not modelled there); the
                litmus mapping turns it on.
    hw_af:      the CPUs whose translation table walkers manage the Access flag in
                hardware (FEAT_HAFDBS with TCR_ELx.HA = 1; herd7's TTHM=HA): a walk
                that finds a valid leaf with AF = 0 does not fault, the walker sets AF
                with an atomic update of the descriptor (rules hw-af-update,
                hw-af-ordered), and, while any CPU has it, AF may also be set by a walk
                of no access at all (rule hw-af-spurious).  Empty by default (`prove`
                does not model it); the litmus mapping sets it from TTHM.
    hw_db:      the CPUs that also manage the dirty state in hardware (FEAT_HAFDBS with
                TCR_ELx.HD = 1; herd7's TTHM=HD; HD implies HA, so they are in hw_af
                too): a store (or an atomic) through a valid leaf with AP[2] = 1
                (read-only, herd db:0) and DBM = 1 does not fault: the walker clears
                AP[2] (and sets AF) with an atomic update of the descriptor (rules
                hw-af-update, hw-af-ordered).  Empty by default.
    """
    ets2: bool = False
    ttl: bool = False
    bbm_level: int = 0
    ng_policy: str = "strict"
    write_permission: bool = False
    hw_af: frozenset = frozenset()
    hw_db: frozenset = frozenset()

    def __post_init__(self):
        if self.bbm_level not in (0, 1, 2):
            raise ValueError("bbm_level must be 0, 1 or 2")
        if self.ng_policy not in ("strict", "arm-arm"):
            raise ValueError("ng_policy must be 'strict' or 'arm-arm'")

    def describe(self) -> str:
        on = [n for n, v in (("FEAT_ETS2", self.ets2), ("FEAT_TTL", self.ttl)) if v]
        s = ", ".join(on) if on else "base architecture (no FEAT_ETS2, no FEAT_TTL)"
        s += f"; FEAT_BBM level {self.bbm_level}; nG policy {self.ng_policy}"
        return s

    @staticmethod
    def from_names(names, **kw) -> "Features":
        d = dict(kw)
        for n in names:
            n = n.lower()
            if n == "ets2":
                d["ets2"] = True
            elif n == "ttl":
                d["ttl"] = True
            elif n.startswith("bbm"):
                d["bbm_level"] = int(n[3:].lstrip("=:") or 0)
            elif n in ("ng-strict", "strict"):
                d["ng_policy"] = "strict"
            elif n in ("ng-arm-arm", "arm-arm"):
                d["ng_policy"] = "arm-arm"
            else:
                raise ValueError(f"unknown feature {n!r} (known: ets2, ttl, bbm0/bbm1/bbm2, "
                                 f"ng-strict, ng-arm-arm)")
        return Features(**d)
