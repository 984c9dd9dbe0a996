"""Load/store pair (Arm ARM C6: LDP, STP, LDPSW, LDNP, STNP; signed offset, pre-index,
post-index).

    address = (n == 31 ? SP[] : X[n]); if !postindex then address = address + offset
    LOAD:  X[t] = Mem[address, dbytes]; X[t2] = Mem[address + dbytes, dbytes]
           (LDPSW: each word sign-extended to 64 bits)
    STORE: Mem[address, dbytes] = X[t]; Mem[address + dbytes, dbytes] = X[t2]
    if wback then (postindex: address = address + offset); X[n] | SP[] = address

The pair is two accesses (each single-copy atomic on its own), in register order.
LDNP/STNP (non-temporal) are LDP/STP here: the hint changes no result.
CONSTRAINED UNPREDICTABLE, as chosen here: load with writeback and t or t2 == n
suppresses the write-back; LDP with t == t2 leaves the second value.
"""
from __future__ import annotations

from .. import values as V
from .ldst import decode_address
from .operands import DecodeError, Op, Reg, handles, reader, writer

PAIR = {"ldp": (False, True), "stp": (False, False), "ldnp": (False, True),
        "stnp": (False, False), "ldpsw": (True, True)}


@handles(*PAIR)
def dec_pair(instr) -> Op:
    m = instr.mnemonic
    signed, load = PAIR[m]
    o = instr.operands
    if len(o) != 3 or not isinstance(o[0], Reg) or not isinstance(o[1], Reg):
        raise DecodeError("expected Rt, Rt2, <address>")
    rt, rt2, mem = o
    if rt.width != rt2.width:
        raise DecodeError("register widths differ")
    if signed:
        if rt.width != 64:
            raise DecodeError("ldpsw takes X registers")
        size = 4
    else:
        size = rt.width // 8
    addr = decode_address(mem, size, pair=True, allow_index=m[-2:] != "np")
    compute, wb = addr.compute, addr.wb
    if load:
        w1, w2 = writer(rt), writer(rt2)
        if wb is not None and addr.base.num in (rt.num, rt2.num) and addr.base.num != 31:
            wb = None

        def run_load(ctx):
            a, new_base = compute(ctx)
            d1 = ctx.load(a, size)
            d2 = ctx.load(V.add(a, size), size)
            if signed:
                d1, d2 = V.sext(d1, 64), V.sext(d2, 64)
            if wb is not None:
                wb(ctx, new_base)
            w1(ctx, d1)
            w2(ctx, d2)
        return Op(run_load, "load", instr)
    r1, r2 = reader(rt), reader(rt2)

    def run_store(ctx):
        a, new_base = compute(ctx)
        d1, d2 = r1(ctx), r2(ctx)
        ctx.store(a, size, d1)
        ctx.store(V.add(a, size), size, d2)
        if wb is not None:
            wb(ctx, new_base)
    return Op(run_store, "store", instr)
