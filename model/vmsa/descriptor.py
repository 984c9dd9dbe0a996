"""VMSAv8-64 translation table descriptors, 4 KiB granule, 48-bit OA.

Arm ARM D8.3 "Translation table descriptor formats".  Every function takes a 64-bit
descriptor value of `bbmcheck.model.values` (concrete or symbolic) and a concrete
level, and returns a value: the same code decodes for the concrete interpreter and
for the Z3 encoding.

  bit 0        valid
  bit 1        levels 0-2: 1 table, 0 block;  level 3: 1 page, 0 reserved (invalid)
  [4:2]        AttrIndx (index into MAIR)         leaf only
  [5] NS  [7:6] AP  [9:8] SH  [10] AF  [11] nG     leaf only
  [47:12]      next-level table address (table) / output address (page)
  [47:n]       output address of a block, n = 30 (level 1) or 21 (level 2)
  [51] DBM [52] Contiguous [53] PXN [54] UXN       leaf only
  [59] PXNTable [60] UXNTable [62:61] APTable [63] NSTable   table only
  Table descriptors ignore bits [11:2] and [58:51] (e.g. bit 11 is *not* nG there).
"""
from __future__ import annotations

from .. import values as V

OA_HI = 47

# bit positions
VALID, TYPE, AP2, AF, NG, CONT, PXN, UXN, DBM = 0, 1, 7, 10, 11, 52, 53, 54, 51


def _bit(d, i):
    return V.bit(d, i)


def valid_bit(d):
    return _bit(d, VALID)


def is_valid(d, level: int):
    """A descriptor the walk accepts: valid bit set, and not a reserved encoding
    (level 3 with bit 1 clear; a block at level 0 with the 4 KiB granule)."""
    if level == 3:
        return V.bool_and(_bit(d, VALID), _bit(d, TYPE))
    if level == 0:
        return V.bool_and(_bit(d, VALID), _bit(d, TYPE))
    return _bit(d, VALID)


def is_table(d, level: int):
    """Valid table descriptor (levels 0-2)."""
    if level >= 3:
        return False
    return V.bool_and(_bit(d, VALID), _bit(d, TYPE))


def is_leaf(d, level: int):
    """Valid block (levels 1-2) or page (level 3) descriptor: a last-level entry."""
    if level == 3:
        return V.bool_and(_bit(d, VALID), _bit(d, TYPE))
    if level == 0:
        return False
    return V.bool_and(_bit(d, VALID), V.bool_not(_bit(d, TYPE)))


def leaf_shift(level: int) -> int:
    return 12 + 9 * (3 - level)


def table_address(d):
    """Next-level table address of a table descriptor: bits [47:12]."""
    return V.concat(V.const(0, 63 - OA_HI + 0), V.extract(d, OA_HI, 12), V.const(0, 12))


def output_address(d, level: int):
    """Output address of a block/page descriptor (the base of the block)."""
    s = leaf_shift(level)
    return V.concat(V.const(0, 63 - OA_HI), V.extract(d, OA_HI, s), V.const(0, s))


def translate(d, level: int, va):
    """PA for `va` through the leaf descriptor `d` at `level`: OA | VA[s-1:0]."""
    s = leaf_shift(level)
    return V.concat(V.const(0, 63 - OA_HI), V.extract(d, OA_HI, s), V.extract(va, s - 1, 0))


def attr_index(d):
    return V.extract(d, 4, 2)


def shareability(d):
    return V.extract(d, 9, 8)


def ng(d):
    return _bit(d, NG)


def contiguous(d):
    return _bit(d, CONT)


def access_flag(d):
    return _bit(d, AF)


def read_only(d):
    """AP[2] (bit 7) of a leaf: writes are not permitted at any EL (Arm ARM D8.4.1
    "Data access permissions").  APTable of the table descriptors is not looked at."""
    return _bit(d, AP2)


def memory_attributes(d):
    """The fields that make a leaf's memory type/cacheability/shareability."""
    return V.concat(attr_index(d), shareability(d))


# ------------------------------------------------------------------ comparisons

def leaf_translation_differs(a, b, level: int, features):
    """Two valid leaves at one level give different translations in the sense of
    break-before-make and TLB conflicts: output address, memory type/cacheability
    (AttrIndx), shareability, Contiguous, or nG.

    Permissions (AP, PXN, UXN), AF, DBM and software bits are not compared: the
    architecture lets those change without BBM (either value may be used)."""
    diffs = [V.ne(output_address(a, level), output_address(b, level)),
             V.ne(memory_attributes(a), memory_attributes(b)),
             V.bool_xor(contiguous(a), contiguous(b))]
    if features.ng_policy == "strict":
        diffs.append(V.bool_xor(ng(a), ng(b)))
    else:
        # R_WHZWS: BBM is required when a global entry is created where a
        # non-global one may be cached: nG 1 -> 0.
        diffs.append(V.bool_and(ng(a), V.bool_not(ng(b))))
    return V.bool_or(*diffs)


def needs_bbm(old, new, level: int, features):
    """R_ (break-before-make): replacing the valid descriptor `old` by the valid
    descriptor `new` at `level` requires break-before-make (Arm ARM D8.15
    "Translation table entry updates"): a change of output address, memory type,
    cacheability, shareability, nG, Contiguous, or of block size / table vs block.
    With FEAT_BBM level 1 or 2 a change of block size (table <-> block) is allowed.
    Both descriptors are assumed valid; the caller conjoins validity."""
    both_leaf = V.bool_and(is_leaf(old, level), is_leaf(new, level))
    both_table = V.bool_and(is_table(old, level), is_table(new, level))
    leaf_change = V.bool_and(both_leaf, leaf_translation_differs(old, new, level, features))
    table_change = V.bool_and(both_table, V.ne(table_address(old), table_address(new)))
    kind_change = V.bool_not(V.bool_or(both_leaf, both_table))
    if features.bbm_level >= 1:
        kind_change = False
    return V.bool_or(leaf_change, table_change, kind_change)


def entry_content(d, level: int):
    """What a TLB entry made from `d` at `level` says, for conflict checks: for a
    table the next-level address, for a leaf its output and attributes; a tag bit
    tells the kinds apart."""
    leaf = is_leaf(d, level)
    leaf_val = V.concat(V.const(1, 1), output_address(d, level), memory_attributes(d),
                        V.from_bool(contiguous(d)), V.from_bool(ng(d)))
    table_val = V.concat(V.const(0, 1), table_address(d), V.const(0, 5 + 1 + 1))
    return V.ite(leaf, leaf_val, table_val)


# ------------------------------------------------------------------ constructors

def make_table(addr: int) -> int:
    return (addr & ((1 << 48) - 1) & ~0xfff) | 0b11


def make_page(pa: int, *, attr_index: int = 0, sh: int = 3, ap: int = 0, af: bool = True,
              ng: bool = False, contiguous: bool = False, pxn: bool = False,
              uxn: bool = False) -> int:
    return _leaf(pa & ~0xfff, 0b11, attr_index, sh, ap, af, ng, contiguous, pxn, uxn)


def make_block(pa: int, level: int, **kw) -> int:
    if level not in (1, 2):
        raise ValueError("blocks exist at levels 1 and 2 with the 4 KiB granule")
    size = 1 << leaf_shift(level)
    if pa & (size - 1):
        raise ValueError(f"block address {pa:#x} not aligned to {size:#x}")
    return _leaf(pa, 0b01, kw.get("attr_index", 0), kw.get("sh", 3), kw.get("ap", 0),
                 kw.get("af", True), kw.get("ng", False), kw.get("contiguous", False),
                 kw.get("pxn", False), kw.get("uxn", False))


def _leaf(oa, typ, attr_index, sh, ap, af, ng_, cont, pxn, uxn) -> int:
    return (typ | (attr_index & 7) << 2 | (ap & 3) << 6 | (sh & 3) << 8 | int(af) << AF
            | int(ng_) << NG | (oa & ((1 << 48) - 1)) | int(cont) << CONT | int(pxn) << PXN
            | int(uxn) << UXN)


def describe(d: int, level: int) -> str:
    """Human-readable form of a concrete descriptor, for traces."""
    if not d & 1:
        return "invalid" if d == 0 else f"invalid ({d:#x})"
    if level < 3 and d & 2:
        return f"table → {d & ((1 << 48) - 1) & ~0xfff:#x}"
    if level == 3 and not d & 2:
        return f"reserved ({d:#x})"
    if level == 0:
        return f"block at level 0 (invalid with 4K) ({d:#x})"
    kind = "page" if level == 3 else f"L{level} block"
    s = leaf_shift(level)
    oa = d & ((1 << 48) - 1) & ~((1 << s) - 1)
    bits = [f"attr{(d >> 2) & 7}", f"sh{(d >> 8) & 3}", f"ap{(d >> 6) & 3}"]
    if d >> NG & 1:
        bits.append("nG")
    if not d >> AF & 1:
        bits.append("AF=0")
    if d >> CONT & 1:
        bits.append("cont")
    return f"{kind} → {oa:#x} ({' '.join(bits)})"
