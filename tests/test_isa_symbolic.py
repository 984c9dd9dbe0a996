"""The semantics are written once: running an instruction on fresh Z3 inputs and then
substituting concrete inputs gives exactly what the concrete run gives — registers,
SP, flags, memory, branch decisions, system register writes and effects.

Instructions come from the QEMU differential generator (ALU, memory, exclusives,
branches) plus system instructions; multi-line units run in sequence, so values flow
from one symbolic instruction into the next."""
from __future__ import annotations

import random

import z3

from bbmcheck.model import values as V
from bbmcheck.model.effects import TLBI, DC, IC, Unsupported
from bbmcheck.model.isa import decode
from bbmcheck.model.isa.difftest.gen import Gen, TestProgram
from bbmcheck.model.isa.difftest.miniasm import parse
from bbmcheck.model.values import Bits

_A = z3.BitVec("a", 64)


def _h_z3(a):
    return z3.Extract(7, 0, z3.LShR(a * 0x9E3779B97F4A7C15, 29))


def _h_py(a: int) -> int:
    return (((a * 0x9E3779B97F4A7C15) & (2**64 - 1)) >> 29) & 0xFF


SYMBOLS = {"lbl": 0x4000_1230, "p0_L0": 0x4000_2000, "p0_L1": 0x4000_2010,
           "p0_L2": 0x4000_3000, "p0_S0": 0x4000_4000, "p0_S1": 0x4000_4100}


def _symbol(name):
    if name in SYMBOLS:
        return SYMBOLS[name]
    return 0x5000_0000 + 8 * (sum(map(ord, name)) % 512)


class Recorder:
    """Shared bookkeeping of both contexts."""

    def _init_common(self):
        self.branches = []
        self.sysreg_writes = []
        self.effects = []
        self.pc = 0x4000_0000
        self.next_pc = None

    def branch(self, cond, target, *, link=False, kind="b"):
        self.branches.append((cond, target))

    def symbol(self, name):
        return _symbol(name)

    def write_sysreg(self, name, value):
        self.sysreg_writes.append((name, value))

    def effect(self, e):
        self.effects.append(e)


class ConcreteCtx(Recorder):
    def __init__(self, regs, sp, nzcv, monitor, sysregs):
        self._init_common()
        self.regs = [Bits(v, 64) for v in regs]
        self.sp = Bits(sp, 64)
        self.nzcv = Bits(nzcv, 4)
        self.mem = {}
        self.monitor = monitor
        self.sysregs = sysregs

    def read_gpr(self, n): return self.regs[n]
    def write_gpr(self, n, v): assert V.width(v) == 64; self.regs[n] = v
    def read_sp(self): return self.sp
    def write_sp(self, v): assert V.width(v) == 64; self.sp = v
    def read_nzcv(self): return self.nzcv
    def write_nzcv(self, v): assert V.width(v) == 4; self.nzcv = v

    def _byte(self, a):
        return self.mem.get(a, _h_py(a))

    def load(self, addr, size, *, acquire=False, exclusive=False):
        a = V.as_int(addr)
        if exclusive:
            self.monitor = a
        return Bits(sum(self._byte((a + i) % 2**64) << (8 * i) for i in range(size)), 8 * size)

    def store(self, addr, size, value, *, release=False):
        a, v = V.as_int(addr), V.as_int(value)
        assert V.width(value) == 8 * size
        for i in range(size):
            self.mem[(a + i) % 2**64] = (v >> (8 * i)) & 0xFF

    def store_exclusive(self, addr, size, value, *, release=False):
        ok = self.monitor == V.as_int(addr)
        self.monitor = None
        if ok:
            self.store(addr, size, value)
        return Bits(0 if ok else 1, 32)

    def clear_exclusive(self):
        self.monitor = None

    def read_sysreg(self, name):
        return Bits(self.sysregs.get(name, 0), 64)


class SymbolicCtx(Recorder):
    def __init__(self, monitor):
        self._init_common()
        self.regs = [V.fresh(f"x{i}", 64) for i in range(31)]
        self.regs0 = list(self.regs)
        self.sp = self.sp0 = V.fresh("sp", 64)
        self.nzcv = self.nzcv0 = V.fresh("nzcv", 4)
        self.mem0 = z3.Array("M0", z3.BitVecSort(64), z3.BitVecSort(8))
        self.mem = self.mem0
        self.sysregs0 = {}
        # the monitor: marked address known (or None), as in the concrete run
        self.monitor = None if monitor is None else V.const(monitor, 64)

    def read_gpr(self, n): return self.regs[n]
    def write_gpr(self, n, v): assert V.width(v) == 64; self.regs[n] = v
    def read_sp(self): return self.sp
    def write_sp(self, v): assert V.width(v) == 64; self.sp = v
    def read_nzcv(self): return self.nzcv
    def write_nzcv(self, v): assert V.width(v) == 4; self.nzcv = v

    def load(self, addr, size, *, acquire=False, exclusive=False):
        a = V.to_z3(addr)
        if exclusive:
            self.monitor = addr
        return z3.Concat(*[z3.Select(self.mem, a + i) for i in reversed(range(size))]) \
            if size > 1 else z3.Select(self.mem, a)

    def _store(self, addr, size, value, cond=True):
        a, v = V.to_z3(addr), V.to_z3(value)
        m = self.mem
        for i in range(size):
            m = z3.Store(m, a + i, z3.Extract(8 * i + 7, 8 * i, v))
        self.mem = m if cond is True else z3.If(cond, m, self.mem)

    def store(self, addr, size, value, *, release=False):
        assert V.width(value) == 8 * size
        self._store(addr, size, value)

    def store_exclusive(self, addr, size, value, *, release=False):
        ok = False if self.monitor is None else V.eq(self.monitor, addr)
        self.monitor = None
        self._store(addr, size, value, ok)
        return V.ite(ok, V.const(0, 32), V.const(1, 32))

    def clear_exclusive(self):
        self.monitor = None

    def read_sysreg(self, name):
        if name == "dczid_el0":          # an implementation constant: concrete
            return V.const(4, 64)
        if name not in self.sysregs0:
            self.sysregs0[name] = V.fresh(name, 64)
        return self.sysregs0[name]


def _pairs(sym: SymbolicCtx, regs, sp, nzcv, sysregs):
    p = [(sym.regs0[i], V.const(regs[i], 64)) for i in range(31)]
    p += [(sym.sp0, V.const(sp, 64)), (sym.nzcv0, V.const(nzcv, 4)),
          (sym.mem0, z3.Lambda([_A], _h_z3(_A)))]
    p += [(v, V.const(sysregs.get(n, 0), 64)) for n, v in sym.sysregs0.items()]
    return [(a, V.to_z3(b)) for a, b in p]


def _eval(x, pairs):
    if x is None or isinstance(x, (int, str, bool, Bits)):
        return x
    return V.simplify(z3.substitute(x, *pairs))


def check_lines(lines, r: random.Random):
    g = Gen(r.getrandbits(32))
    regs = [g.value() for _ in range(31)]
    sp = g.value() & ~0xF
    nzcv = r.getrandbits(4)
    monitor = None
    sysregs = {"dczid_el0": 4, "daif": r.getrandbits(4) << 6, "ttbr1_el1": g.value()}
    instrs = [parse(line) for line in lines if not line.endswith(":")]
    conc = ConcreteCtx(regs, sp, nzcv, monitor, sysregs)
    sym = SymbolicCtx(monitor)
    for ins in instrs:
        op = decode(ins)
        assert op.kind != "unsupported", (str(ins), op.reason)
        op.run(conc)
        op.run(sym)
    pairs = _pairs(sym, regs, sp, nzcv, sysregs)
    where = " ; ".join(lines)
    for i in range(31):
        if sym.regs[i] is sym.regs0[i]:      # untouched: the concrete run left it too
            assert conc.regs[i] == Bits(regs[i], 64), f"x{i} after {where}"
            continue
        assert _eval(sym.regs[i], pairs) == conc.regs[i], f"x{i} after {where}"
    assert _eval(sym.sp, pairs) == conc.sp, where
    assert _eval(sym.nzcv, pairs) == conc.nzcv, where
    for a, b in conc.mem.items():
        got = _eval(z3.Select(sym.mem, z3.BitVecVal(a, 64)), pairs)
        assert got == Bits(b, 8), f"memory {a:#x} after {where}"
    assert len(sym.branches) == len(conc.branches)
    for (sc, st), (cc, ct) in zip(sym.branches, conc.branches):
        taken = V.concrete_bool(cc)
        assert _eval(sc, pairs) == taken, where
        if taken:
            assert _eval(st if not isinstance(st, int) else V.const(st, 64), pairs) == \
                (ct if not isinstance(ct, int) else V.const(ct, 64))
    assert [n for n, _ in sym.sysreg_writes] == [n for n, _ in conc.sysreg_writes]
    for (n, sv), (_, cv) in zip(sym.sysreg_writes, conc.sysreg_writes):
        assert _eval(sv, pairs) == cv, (n, where)
    assert len(sym.effects) == len(conc.effects), where
    for se, ce in zip(sym.effects, conc.effects):
        assert type(se) is type(ce)
        if isinstance(se, TLBI):
            for f in ("op", "regime", "scope", "match", "last_level", "va", "asid", "ttl", "xt"):
                assert _eval(getattr(se, f), pairs) == getattr(ce, f), (f, where)
        elif isinstance(se, (DC, IC)):
            assert se.op == ce.op and _eval(se.addr, pairs) == ce.addr
        else:
            assert se == ce
        assert not isinstance(se, Unsupported)


def _units(seed: int, n: int):
    g = Gen(seed)
    prog = TestProgram("p0", [], [0] * 31, 0, b"")
    out = []
    for _ in range(n):
        k = g.r.random()
        if k < 0.6:
            out.append(g.alu(()))
        elif k < 0.85:
            out.append(g.mem((), prog))
        else:
            out.append([g._cond_branch("p0_L0")])
    return out


def test_generated_units_concrete_equals_symbolic():
    r = random.Random(1234)
    for lines in _units(99, 1500):
        check_lines(lines, r)


def test_unit_sequences_concrete_equals_symbolic():
    """Longer chains: symbolic values flow through several instructions."""
    r = random.Random(77)
    units = _units(5, 800)
    for i in range(0, len(units), 8):
        check_lines([x for u in units[i:i + 8] for x in u], r)


SYSTEM = [
    "tlbi vae1is, x3", "tlbi vale1, x3", "tlbi vaae1, x3", "tlbi vaale1is, x3",
    "tlbi aside1is, x3", "tlbi vmalle1", "tlbi vae2, x3", "tlbi ipas2e1is, x3",
    "dc civac, x5", "dc zva, x5", "ic ivau, x5", "ic iallu", "dsb ish", "isb",
    "msr ttbr1_el1, x7", "mrs x8, ttbr1_el1", "msr daifset, #3", "msr daifclr, #0xf",
    "mrs x9, daif", "msr daif, x7", "mrs x1, nzcv", "msr nzcv, x2", "msr sctlr_el1, x4",
    "wfe", "sevl", "svc #3", "hvc #0", "eret", "msr spsel, #1",
    "ldxr x1, [x2]", "stxr w3, x4, [x2]", "ldaxr w1, [x2]", "stlxr w3, w4, [x2]",
    "ret", "br x4", "blr x4", "bl lbl", "cbz w3, lbl", "tbnz x3, #63, lbl", "b.hi lbl",
]


def test_system_and_control_concrete_equals_symbolic():
    r = random.Random(5)
    for line in SYSTEM:
        for _ in range(5):
            check_lines([line], r)
    for _ in range(20):
        check_lines(["ldxr x1, [x2]", "add x5, x5, #1", "stxr w3, x4, [x2]"], r)
        check_lines(["mov x2, #0x1000", "ldxrb w1, [x2]", "stxrb w3, w4, [x2]",
                     "stxr w6, x4, [x2]"], r)
