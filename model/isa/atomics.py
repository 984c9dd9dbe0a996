"""LSE atomic memory operations (FEAT_LSE, Arm ARM C6: CAS*, SWP*, LD<op>*, ST<op>*).

Each instruction is one single-copy-atomic read-modify-write of `size` bytes:

    CAS  Rs, Rt, [Xn]:  old = Mem[a]; if old == Rs then Mem[a] = Rt;  Rs = old
    SWP  Rs, Rt, [Xn]:  old = Mem[a]; Mem[a] = Rs;                    Rt = old
    LD<op> Rs, Rt, [Xn]: old = Mem[a]; Mem[a] = old <op> Rs;         Rt = old
    ST<op> Rs, [Xn]    = LD<op> Rs, ZR, [Xn]          (<op>: ADD CLR EOR SET SMAX SMIN
                                                        UMAX UMIN; CLR is AND NOT)

Suffixes: A = the read has acquire semantics, L = the write has release semantics,
AL both; B/H = byte/halfword (W registers), otherwise the register width.  As the
Arm ARM says for LD<op>A/AL (and herd7 for every atomic: its `NoRet` read), when the
register that would receive the old value is WZR/XZR the read has no acquire
semantics and returns nothing (DMB LD / DSB LD do not order it).

A CAS whose comparison fails performs no write that changes memory; the machine may
still give it a write of the value read (herd7's "fail with write-back", which the
architecture permits), or none.  The read keeps its acquire semantics either way.

The Context runs the read-modify-write with `ctx.atomic(addr, size, new_of, ...)`
(model/symex.py: a read and a write event tied by the rule `atomic-rmw`); a context
without that method gets the sequential read then write, which is what a single PE
running alone observes.  CASP (pairs) is unsupported.
"""
from __future__ import annotations

from .. import values as V
from .ldst_excl import _base_only
from .operands import DecodeError, Op, Reg, handles, reader, writer

LDOPS = ("add", "clr", "eor", "set", "smax", "smin", "umax", "umin")
ORDER = {"": (False, False), "a": (True, False), "l": (False, True), "al": (True, True)}
SIZES = {"": None, "b": 1, "h": 2}


def _table(stem, orders):
    out = {}
    for o in orders:
        for s, size in SIZES.items():
            acq, rel = ORDER[o]
            out[stem + o + s] = (size, acq, rel)
    return out


CAS = _table("cas", ORDER)
SWP = _table("swp", ORDER)
LDOP = {m: (op,) + v for op in LDOPS for m, v in _table("ld" + op, ORDER).items()}
STOP = {m: (op,) + v for op in LDOPS for m, v in _table("st" + op, ("", "l")).items()}


def _size(size, r: Reg, m: str) -> int:
    if size is None:
        return r.width // 8
    if r.width != 32:
        raise DecodeError(f"{m} takes W registers")
    return size


def _combine(op: str, old, x, bits: int):
    if op == "swp":
        return x
    if op == "add":
        return V.add(old, x)
    if op == "clr":
        return V.and_(old, V.not_(x))
    if op == "eor":
        return V.xor(old, x)
    if op == "set":
        return V.or_(old, x)
    cmp = {"smax": V.sgt, "smin": V.slt, "umax": V.ugt, "umin": V.ult}[op]
    return V.ite(cmp(old, x), old, x)


def rmw(ctx, addr, size: int, new_of, *, acquire: bool, release: bool, ret: bool):
    """Run one atomic read-modify-write on the context; returns the value read.
    new_of(old) -> (new, write): `write` is False where the instruction performs no
    write (a failed CAS)."""
    f = getattr(ctx, "atomic", None)
    if f is not None:
        return f(addr, size, new_of, acquire=acquire, release=release, ret=ret)
    old = ctx.load(addr, size, acquire=acquire and ret)
    new, w = new_of(old)
    c = V.concrete_bool(w)
    if c is not False:
        ctx.store(addr, size, new if c is True else V.ite(w, new, old), release=release)
    return old


def _narrow(v, bits: int):
    return V.extract(v, bits - 1, 0) if V.width(v) > bits else v


def _widen(v, rw: int):
    return V.zext(v, rw) if V.width(v) < rw else v


def _rs_rt_mem(instr):
    """The operands Rs, Rt, [Xn|SP] of an LSE atomic (Rs and Rt of one width)."""
    o = instr.operands
    if len(o) != 3 or not isinstance(o[0], Reg) or not isinstance(o[1], Reg):
        raise DecodeError("expected Rs, Rt, [Xn|SP]")
    if o[0].width != o[1].width:
        raise DecodeError("Rs and Rt must have the same width")
    return o


@handles(*CAS)
def dec_cas(instr) -> Op:
    m = instr.mnemonic.lower()
    size, acq, rel = CAS[m]
    rs, rt, mem = _rs_rt_mem(instr)
    size = _size(size, rs, m)
    compute = _base_only(mem)
    rd_s, rd_t, wr_s = reader(rs), reader(rt), writer(rs)
    bits, rw = size * 8, rs.width
    ret = not rs.is_zr

    def run(ctx):
        a, _ = compute(ctx)
        cmp = _narrow(rd_s(ctx), bits)
        new = _narrow(rd_t(ctx), bits)
        old = rmw(ctx, a, size, lambda old: (new, V.eq(old, cmp)), acquire=acq,
                  release=rel, ret=ret)
        wr_s(ctx, _widen(old, rw))
    return Op(run, "atomic", instr)


@handles(*SWP)
def dec_swp(instr) -> Op:
    # Arm pseudocode: SWP is MemAtomic with MemAtomicOp_SWP (the new value is Rs)
    size, acq, rel = SWP[instr.mnemonic.lower()]
    return _ldop(instr, "swp", size, acq, rel, *_rs_rt_mem(instr))


def _ldop(instr, op, size, acq, rel, rs: Reg, rt: Reg, mem) -> Op:
    m = instr.mnemonic.lower()
    size = _size(size, rs, m)
    compute = _base_only(mem)
    rd_s, wr_t = reader(rs), writer(rt)
    bits, rw = size * 8, rt.width
    ret = not rt.is_zr

    def run(ctx):
        a, _ = compute(ctx)
        x = _narrow(rd_s(ctx), bits)
        old = rmw(ctx, a, size, lambda old: (_combine(op, old, x, bits), True),
                  acquire=acq, release=rel, ret=ret)
        wr_t(ctx, _widen(old, rw))
    return Op(run, "atomic", instr)


@handles(*LDOP)
def dec_ldop(instr) -> Op:
    op, size, acq, rel = LDOP[instr.mnemonic.lower()]
    return _ldop(instr, op, size, acq, rel, *_rs_rt_mem(instr))


@handles(*STOP)
def dec_stop(instr) -> Op:
    op, size, acq, rel = STOP[instr.mnemonic.lower()]
    o = instr.operands
    if len(o) != 2 or not isinstance(o[0], Reg):
        raise DecodeError("expected Rs, [Xn|SP]")
    rs = o[0]
    zr = Reg("xzr" if rs.width == 64 else "wzr", 31, rs.width)
    return _ldop(instr, op, size, acq, rel, rs, zr, o[1])
