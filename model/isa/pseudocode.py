"""Shared functions of the Arm ARM pseudocode (Arm DDI 0487, chapter J1 "shared
pseudocode"), written over bbmcheck.model.values.

Names follow the Arm ARM: AddWithCarry -> add_with_carry, DecodeBitMasks ->
decode_bit_masks, ShiftReg -> shift_reg, ExtendReg -> extend_reg, ConditionHolds ->
condition_holds.  Decode-time helpers (DecodeBitMasks, the bitmask-immediate table,
condition numbers) work on Python ints; run-time helpers take values of either domain
and have a fast path when everything is concrete.
"""
from __future__ import annotations

from .. import values as V
from ..values import Bits, _mk

# --------------------------------------------------------------------------- conditions

#: A64 condition codes (cond<3:0>), aliases normalised as the front end does.
COND_NUM = {"eq": 0, "ne": 1, "hs": 2, "cs": 2, "lo": 3, "cc": 3, "mi": 4, "pl": 5,
            "vs": 6, "vc": 7, "hi": 8, "ls": 9, "ge": 10, "lt": 11, "gt": 12,
            "le": 13, "al": 14, "nv": 15}
COND_NAME = ["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt",
             "gt", "le", "al", "nv"]


def _holds_int(cond: int, nzcv: int) -> bool:
    """ConditionHolds() on plain ints (used to build the concrete table)."""
    n, z, c, v = (nzcv >> 3) & 1, (nzcv >> 2) & 1, (nzcv >> 1) & 1, nzcv & 1
    base = cond >> 1
    if base == 0:
        r = z == 1
    elif base == 1:
        r = c == 1
    elif base == 2:
        r = n == 1
    elif base == 3:
        r = v == 1
    elif base == 4:
        r = c == 1 and z == 0
    elif base == 5:
        r = n == v
    elif base == 6:
        r = n == v and z == 0
    else:
        r = True
    if cond & 1 and cond != 0b1111:
        r = not r
    return r


#: _HOLDS[cond][nzcv] for all 16 x 16 cases.
_HOLDS = [[_holds_int(c, f) for f in range(16)] for c in range(16)]


def condition_holds(cond: int, nzcv) -> V.Bool:
    """ConditionHolds(cond) given PSTATE.<N,Z,C,V> as a 4-bit value."""
    if type(nzcv) is Bits:
        return _HOLDS[cond][nzcv.value]
    n, z, c, v = (V.bit(nzcv, 3), V.bit(nzcv, 2), V.bit(nzcv, 1), V.bit(nzcv, 0))
    base = cond >> 1
    if base == 0:
        r = z
    elif base == 1:
        r = c
    elif base == 2:
        r = n
    elif base == 3:
        r = v
    elif base == 4:
        r = V.bool_and(c, V.bool_not(z))
    elif base == 5:
        r = V.bool_not(V.bool_xor(n, v))
    elif base == 6:
        r = V.bool_and(V.bool_not(V.bool_xor(n, v)), V.bool_not(z))
    else:
        r = True
    if cond & 1 and cond != 0b1111:
        r = V.bool_not(r)
    return r


def invert_cond(cond: int) -> int:
    """The condition with cond<0> inverted (used by the cset/cinc/... aliases)."""
    return cond ^ 1


# --------------------------------------------------------------------------- flags

def add_with_carry(x, y, carry_in):
    """AddWithCarry(x, y, carry_in) -> (result, nzcv).

    x, y: N-bit values; carry_in: 0/1 int or a 1-bit value.  nzcv is a 4-bit value
    N:Z:C:V.  C is set when the unsigned sum does not fit in N bits, V when the signed
    sum does not."""
    tc = type(carry_in)
    if type(x) is Bits and type(y) is Bits and (tc is int or tc is Bits):
        N = x.width
        ci = carry_in if tc is int else carry_in.value
        xv, yv = x.value, y.value
        mask = (1 << N) - 1
        usum = xv + yv + ci
        result = usum & mask
        top = 1 << (N - 1)
        sx = xv - (1 << N) if xv & top else xv
        sy = yv - (1 << N) if yv & top else yv
        sr = result - (1 << N) if result & top else result
        n = 1 if result & top else 0
        z = 1 if result == 0 else 0
        c = 1 if usum != result else 0
        v = 1 if sr != sx + sy + ci else 0
        return _mk(result, N), _mk((n << 3) | (z << 2) | (c << 1) | v, 4)
    N = V.width(x) if type(x) is not int else V.width(y)
    cin = carry_in if tc is not int else V.const(carry_in, 1)
    result = V.add(V.add(x, y), V.zext(cin, N))
    # unsigned_sum = UInt(x) + UInt(y) + UInt(carry_in), computed in N+1 bits
    usum = V.add(V.add(V.zext(x, N + 1), V.zext(y, N + 1)), V.zext(cin, N + 1))
    # signed_sum = SInt(x) + SInt(y) + UInt(carry_in), computed in N+1 bits
    ssum = V.add(V.add(V.sext(x, N + 1), V.sext(y, N + 1)), V.zext(cin, N + 1))
    n = V.extract(result, N - 1, N - 1)
    z = V.from_bool(V.eq(result, 0))
    c = V.from_bool(V.ne(V.zext(result, N + 1), usum))
    v = V.from_bool(V.ne(V.sext(result, N + 1), ssum))
    return result, V.concat(n, z, c, v)


def nz_flags(result):
    """N:Z:0:0 for the logical instructions with S (ANDS, BICS)."""
    if type(result) is Bits:
        N = result.width
        n = result.value >> (N - 1)
        z = 1 if result.value == 0 else 0
        return _mk((n << 3) | (z << 2), 4)
    N = V.width(result)
    return V.concat(V.extract(result, N - 1, N - 1), V.from_bool(V.eq(result, 0)),
                    V.const(0, 2))


# --------------------------------------------------------------------------- shifts/extends

SHIFT_TYPES = ("lsl", "lsr", "asr", "ror")


def shift_reg(value, shift_type: str, amount):
    """ShiftReg(): shift a register value by an amount (int or value)."""
    if shift_type == "lsl":
        return V.shl(value, amount)
    if shift_type == "lsr":
        return V.lshr(value, amount)
    if shift_type == "asr":
        return V.ashr(value, amount)
    if shift_type == "ror":
        return V.ror(value, amount)
    raise ValueError(shift_type)


#: ExtendType -> (unsigned?, source length in bits)
EXTEND_TYPES = {"uxtb": (True, 8), "uxth": (True, 16), "uxtw": (True, 32),
                "uxtx": (True, 64), "sxtb": (False, 8), "sxth": (False, 16),
                "sxtw": (False, 32), "sxtx": (False, 64)}


def extend_reg(value, ext: str, shift: int, N: int):
    """ExtendReg(): take the low `len` bits of a register value, shift left and
    sign/zero-extend to N bits:  Extend(val<len-1:0> : Zeros(shift), N, unsigned)
    with len = Min(len(ext), N - shift)."""
    unsigned, length = EXTEND_TYPES[ext]
    length = min(length, N - shift)
    w = V.width(value)
    length = min(length, w)
    part = V.extract(value, length - 1, 0) if length < w else value
    if shift:
        part = V.concat(part, V.const(0, shift))
    pw = length + shift
    if pw == N:
        return part
    return V.zext(part, N) if unsigned else V.sext(part, N)


# --------------------------------------------------------------------------- bit masks

def _ones(n: int) -> int:
    return (1 << n) - 1


def _ror_int(x: int, shift: int, n: int) -> int:
    shift %= n
    return ((x >> shift) | (x << (n - shift))) & _ones(n) if shift else x


def _replicate_int(x: int, esize: int, m: int) -> int:
    r = 0
    for i in range(m // esize):
        r |= x << (i * esize)
    return r


def highest_set_bit(x: int) -> int:
    return x.bit_length() - 1


def decode_bit_masks(immN: int, imms: int, immr: int, immediate: bool, M: int):
    """DecodeBitMasks(immN, imms, immr, immediate, M) -> (wmask, tmask) as ints.
    Raises ValueError where the Arm ARM says UNDEFINED."""
    length = highest_set_bit((immN << 6) | (~imms & 0x3F))
    if length < 1:
        raise ValueError("reserved bitmask encoding")
    if M < (1 << length):
        raise ValueError("element larger than the register")
    levels = _ones(length)
    if immediate and (imms & levels) == levels:
        raise ValueError("reserved bitmask encoding (all ones)")
    S = imms & levels
    R = immr & levels
    diff = (S - R) & 0x3F
    esize = 1 << length
    d = diff & _ones(length)
    welem = _ones(S + 1)
    telem = _ones(d + 1)
    wmask = _replicate_int(_ror_int(welem, R, esize), esize, M)
    tmask = _replicate_int(telem, esize, M)
    return wmask, tmask


def _build_bitmask_table():
    table = {32: {}, 64: {}}
    for M in (32, 64):
        for N in ((0, 1) if M == 64 else (0,)):
            for imms in range(64):
                for immr in range(64):
                    try:
                        wmask, _ = decode_bit_masks(N, imms, immr, True, M)
                    except ValueError:
                        continue
                    if immr >= (1 << highest_set_bit((N << 6) | (~imms & 0x3F))):
                        continue        # redundant rotate encodings
                    table[M].setdefault(wmask, (N, immr, imms))
    return table


_BITMASKS = None


def bitmask_encoding(value: int, M: int):
    """(N, immr, imms) when `value` (an M-bit int) is a logical immediate, else None."""
    global _BITMASKS
    if _BITMASKS is None:
        _BITMASKS = _build_bitmask_table()
    return _BITMASKS[M].get(value & _ones(M))


def is_bitmask_imm(value: int, M: int) -> bool:
    return bitmask_encoding(value, M) is not None


# --------------------------------------------------------------------------- misc

def count_leading_sign_bits(x):
    """CountLeadingSignBits(x) = CountLeadingZeroBits(x<N-1:1> EOR x<N-2:0>)."""
    N = V.width(x)
    if type(x) is Bits:
        v = x.value
        y = ((v >> 1) ^ v) & _ones(N - 1)
        return _mk(N - 1 - y.bit_length(), N)
    y = V.xor(V.extract(x, N - 1, 1), V.extract(x, N - 2, 0))
    return V.zext(V.clz(y), N)
