"""Load/store exclusive and load-acquire/store-release (Arm ARM C6: LDXR, LDXRB, LDXRH,
LDAXR*, STXR*, STLXR*, LDAR*, STLR*, LDAPR*, LDAPUR*/STLUR* (FEAT_LRCPC2), LDLAR*/STLLR*
(FEAT_LOR), CLREX).

    LDXR:  AArch64.SetExclusiveMonitors(address, dbytes); X[t] = Mem[address, dbytes]
    STXR:  if AArch64.ExclusiveMonitorsPass(address, dbytes) then
               Mem[address, dbytes] = X[t]; status = 0  else status = 1
           X[s] = ZeroExtend(status)       (the context decides pass/fail)
    LDAR:  acquire load;  STLR: release store.

LDAPR/LDAPUR (RCpc, FEAT_LRCPC/LRCPC2) and LDLAR (LORegions) are passed as
`acquire="pc"`: they order later accesses like LDAR, but a po-earlier store-release is
not ordered before them (Arm ARM B2.3 Barrier-ordered-before: only a load-acquire
with RCsc semantics is; herd7 [L];po;[A] excludes Q).  STLLR is a store-release.
Pair exclusives (LDXP/STXP/...) are Unsupported; the LSE atomics are in atomics.py.
"""
from __future__ import annotations

from .. import values as V
from .ldst import decode_address
from .operands import DecodeError, Imm, Mem, Op, Reg, handles, reader, writer

# mnemonic -> (size or None by register, acquire, release)
LOAD_EXCL = {"ldxr": (None, False), "ldxrb": (1, False), "ldxrh": (2, False),
             "ldaxr": (None, True), "ldaxrb": (1, True), "ldaxrh": (2, True)}
STORE_EXCL = {"stxr": (None, False), "stxrb": (1, False), "stxrh": (2, False),
              "stlxr": (None, True), "stlxrb": (1, True), "stlxrh": (2, True)}
LOAD_ACQ = {"ldar": None, "ldarb": 1, "ldarh": 2, "ldapr": None, "ldaprb": 1,
            "ldaprh": 2, "ldlar": None, "ldlarb": 1, "ldlarh": 2}
RCSC = {"ldar", "ldarb", "ldarh"}        # the others are RCpc (acquire="pc")
STORE_REL = {"stlr": None, "stlrb": 1, "stlrh": 2, "stllr": None, "stllrb": 1,
             "stllrh": 2}
# FEAT_LRCPC2 unscaled-offset forms: mnemonic -> (size or None, signed?)
LOAD_ACQ_UNSCALED = {"ldapur": (None, False), "ldapurb": (1, False), "ldapurh": (2, False),
                     "ldapursb": (1, True), "ldapursh": (2, True), "ldapursw": (4, True)}
STORE_REL_UNSCALED = {"stlur": None, "stlurb": 1, "stlurh": 2}


def _base_only(mem):
    """[Xn|SP{, #0}] -> the address function."""
    if not isinstance(mem, Mem) or mem.mode != "offset":
        raise DecodeError(f"{mem}: expected [Xn|SP{{, #0}}]")
    if mem.offset is not None and not (isinstance(mem.offset, Imm) and mem.offset.value == 0
                                       and not mem.offset.shift):
        raise DecodeError(f"{mem}: only #0 is allowed as an offset")
    return decode_address(Mem(mem.base), 1).compute


def _size(size, rt: Reg, m: str) -> int:
    if size is None:
        return rt.width // 8
    if rt.width != 32:
        raise DecodeError(f"{m} takes a W register")
    return size


def _load_op(instr, rt: Reg, compute, size: int, *, acquire: bool, exclusive: bool,
             signed: bool = False) -> Op:
    wr = writer(rt)
    bits, rw = size * 8, rt.width

    def run(ctx):
        a, _ = compute(ctx)
        data = ctx.load(a, size, acquire=acquire, exclusive=exclusive)
        if bits < rw:
            data = V.sext(data, rw) if signed else V.zext(data, rw)
        wr(ctx, data)
    return Op(run, "exclusive" if exclusive else "load", instr)


@handles(*LOAD_EXCL)
def dec_ldxr(instr) -> Op:
    m = instr.mnemonic
    size, acq = LOAD_EXCL[m]
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rt, [Xn|SP]")
    rt = o[0]
    return _load_op(instr, rt, _base_only(o[1]), _size(size, rt, m), acquire=acq,
                    exclusive=True)


@handles(*STORE_EXCL)
def dec_stxr(instr) -> Op:
    m = instr.mnemonic
    size, rel = STORE_EXCL[m]
    o = instr.operands
    if len(o) != 3 or not isinstance(o[0], Reg) or not isinstance(o[1], Reg):
        raise DecodeError("expected Ws, Rt, [Xn|SP]")
    rs, rt, mem = o
    if rs.width != 32:
        raise DecodeError("the status register is a W register")
    size = _size(size, rt, m)
    compute = _base_only(mem)
    rd, ws = reader(rt), writer(rs)
    bits, rw = size * 8, rt.width

    def run(ctx):
        a, _ = compute(ctx)
        data = rd(ctx)
        if bits < rw:
            data = V.extract(data, bits - 1, 0)
        status = ctx.store_exclusive(a, size, data, release=rel)
        if V.width(status) != 32:
            status = V.zext(V.extract(status, 0, 0), 32)
        ws(ctx, status)
    return Op(run, "exclusive", instr)


@handles(*LOAD_ACQ)
def dec_ldar(instr) -> Op:
    m = instr.mnemonic
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rt, [Xn|SP]")
    rt = o[0]
    return _load_op(instr, rt, _base_only(o[1]), _size(LOAD_ACQ[m], rt, m),
                    acquire=True if m in RCSC else "pc",
                    exclusive=False)


def _store_op(instr, rt: Reg, compute, size: int) -> Op:
    rd = reader(rt)
    bits, rw = size * 8, rt.width

    def run(ctx):
        a, _ = compute(ctx)
        data = rd(ctx)
        if bits < rw:
            data = V.extract(data, bits - 1, 0)
        ctx.store(a, size, data, release=True)
    return Op(run, "store", instr)


@handles(*STORE_REL)
def dec_stlr(instr) -> Op:
    m = instr.mnemonic
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rt, [Xn|SP]")
    rt = o[0]
    return _store_op(instr, rt, _base_only(o[1]), _size(STORE_REL[m], rt, m))


@handles(*LOAD_ACQ_UNSCALED)
def dec_ldapur(instr) -> Op:
    m = instr.mnemonic
    size, signed = LOAD_ACQ_UNSCALED[m]
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rt, [Xn|SP{, #simm}]")
    rt = o[0]
    if size is None:
        size = rt.width // 8
    elif not signed and rt.width != 32:
        raise DecodeError(f"{m} takes a W register")
    elif m == "ldapursw" and rt.width != 64:
        raise DecodeError(f"{m} takes an X register")
    addr = decode_address(o[1], size, unscaled=True, allow_index=False)
    return _load_op(instr, rt, addr.compute, size, acquire="pc", exclusive=False,
                    signed=signed)


@handles(*STORE_REL_UNSCALED)
def dec_stlur(instr) -> Op:
    m = instr.mnemonic
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rt, [Xn|SP{, #simm}]")
    rt = o[0]
    size = _size(STORE_REL_UNSCALED[m], rt, m)
    addr = decode_address(o[1], size, unscaled=True, allow_index=False)
    return _store_op(instr, rt, addr.compute, size)


@handles("clrex")
def dec_clrex(instr) -> Op:
    o = instr.operands
    if len(o) > 1 or (o and not isinstance(o[0], Imm)):
        raise DecodeError("expected clrex {#imm}")

    def run(ctx):
        ctx.clear_exclusive()
    return Op(run, "exclusive", instr)
