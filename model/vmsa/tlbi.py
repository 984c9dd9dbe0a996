"""Which TLB entries a TLBI invalidates (Arm ARM D8.17 "TLB maintenance
instructions", and the TLBI descriptions in C5.5).

An entry is described by the VA it translates, its level, whether it is a
last-level (leaf) entry or a walk-cache (table) entry, whether it is global, and
the ASID it was filled under.  `matches` returns the condition under which the
TLBI is *required* to invalidate it; entries it need not invalidate are kept (the
weakest behaviour the architecture allows).
"""
from __future__ import annotations

from .. import values as V
from ..effects import TLBI


def regime_of(tlbi: TLBI) -> int:
    return {"el1": 1, "el1s12": 1, "ipas2": 1, "el2": 2, "el3": 3}.get(tlbi.regime, 1)


def matches(tlbi: TLBI, features, *, va, level: int, leaf, is_global, asid, regime_el: int,
            va_hi: int = 55):
    """Bool: `tlbi` must invalidate the entry (va, level, leaf?, global?, asid)."""
    if regime_of(tlbi) != regime_el:
        return False
    if tlbi.regime == "ipas2":
        return False                      # stage 2 only: no stage 1 entry is affected
    m = tlbi.match
    if m == "all":
        return True
    if m == "asid":
        # TLBI ASIDE1: the entries that would be used for that ASID, from a level of
        # lookup above the final level, or non-global from the final level (the
        # instruction's description).  A walk-cache entry is matched as one of the
        # ASID it was read under, as for a TLBI by VA and ASID below (R_CHVGJ).
        return V.bool_and(V.eq(asid, tlbi.asid),
                          V.bool_or(V.bool_not(leaf), V.bool_not(is_global)))
    # by VA: the entry translates the VA given (compared at the entry's size; the
    # TLBI carries VA[55:12])
    shift = 12 + 9 * (3 - level)
    if shift > va_hi:
        va_match = True
    else:
        va_match = V.eq(V.extract(tlbi.va, va_hi, shift), V.extract(va, va_hi, shift))
    conds = [va_match]
    if tlbi.last_level:
        conds.append(leaf)                # VALE1/VAALE1: leaf entries only
    if m == "va":
        # A global leaf matches every ASID.  A walk-cache entry is matched as one of
        # the ASID it was read under: R_CHVGJ tags entries from levels other than the
        # last with the ASID (Cortex-A15/A57 cache them so), so a TLBI by VA for
        # another ASID need not remove it.
        conds.append(V.bool_or(V.bool_and(leaf, is_global), V.eq(asid, tlbi.asid)))
    if features.ttl and tlbi.ttl is not None:
        conds.append(ttl_admits(tlbi.ttl, level, leaf))
    return V.bool_and(*conds)


def ttl_admits(ttl, level: int, leaf):
    """FEAT_TTL: with a hint (TTL[3:2] != 0; 0b0100 also means "no hint" with the
    4 KiB granule, as level 0 holds no leaf), only leaf entries of the 4 KiB granule
    (TTL[3:2] == 0b01) at level TTL[1:0] must be invalidated."""
    tg = V.extract(ttl, 3, 2)
    lvl = V.extract(ttl, 1, 0)
    no_hint = V.bool_or(V.eq(tg, V.const(0, 2)), V.eq(ttl, V.const(0b0100, 4)))
    hinted_match = V.bool_and(V.eq(tg, V.const(0b01, 2)), V.eq(lvl, V.const(level & 3, 2)),
                              leaf)
    return V.bool_or(no_hint, hinted_match)


def targets(tlbi: TLBI, cpu: int, ncpus: int) -> list[int]:
    """The PEs whose TLBs the TLBI affects: the issuer, or every PE in the Inner /
    Outer Shareable domain (all modelled CPUs) for the broadcast forms."""
    if tlbi.scope in ("is", "os"):
        return list(range(ncpus))
    return [cpu]
